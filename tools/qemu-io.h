/*
 * minivm-io's command table (the qemu-io command set).
 */
#ifndef TOOLS_QEMU_IO_H
#define TOOLS_QEMU_IO_H

#include <stdbool.h>

typedef struct BlockBackend BlockBackend;

typedef int (*cfunc_t)(BlockBackend *blk, int argc, char **argv);
typedef void (*helpfunc_t)(void);

#define CMD_FLAG_GLOBAL ((int)0x80000000)   /* runs whether or not a file is open */
#define CMD_NOFILE_OK   0x01

typedef struct cmdinfo {
    const char *name;
    const char *altname;
    cfunc_t cfunc;
    int argmin;
    int argmax;             /* -1: no upper limit */
    int flags;
    bool needs_write;       /* refused on a read-only image */
    const char *args;
    const char *oneline;
    helpfunc_t help;
} cmdinfo_t;

/* -m: offset every buffer so O_DIRECT needs bounce buffers. */
extern bool qemuio_misalign;

void qemuio_add_command(const cmdinfo_t *ci);
void qemuio_command_usage(const cmdinfo_t *ci);
/* Split @cmd at spaces and run it; negative errno on failure. */
int qemuio_command(BlockBackend *blk, const char *cmd);
/* Wait until every aio_read/aio_write submitted so far has completed. */
void qemuio_drain(void);

#endif
