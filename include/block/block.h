/*
 * Block layer: open flags and the helpers shared by -drive, -blockdev and
 * the tools.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include <stdbool.h>

#define BDRV_O_RDWR        0x0002
#define BDRV_O_NOCACHE     0x0020   /* cache.direct: O_DIRECT on the protocol node */
#define BDRV_O_NO_FLUSH    0x0200   /* cache.no-flush: flushes stop at the OS */
#define BDRV_O_CACHE_MASK  (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH)

#define BDRV_OPT_CACHE_WB       "cache.writeback"
#define BDRV_OPT_CACHE_DIRECT   "cache.direct"
#define BDRV_OPT_CACHE_NO_FLUSH "cache.no-flush"
#define BDRV_OPT_READ_ONLY      "read-only"

/*
 * Translate a cache= mode into BDRV_O_NOCACHE/BDRV_O_NO_FLUSH in *flags
 * (other bits untouched) and the BlockBackend's writethrough setting
 * (the inverse of cache.writeback).  Returns -1 for an unknown mode.
 */
int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough);

#endif
