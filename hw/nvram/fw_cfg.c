/*
 * fw_cfg: firmware configuration items selected by a 16-bit key and read
 * byte by byte from the data port, or copied by the DMA interface into
 * guest memory (QEMU docs/specs/fw_cfg.txt).  Named files get keys from
 * FW_CFG_FILE_FIRST in name order and are listed in FW_CFG_FILE_DIR.
 */
#include <string.h>
#include <glib.h>

#include "hw/nvram/fw_cfg.h"
#include "sysemu/dma.h"
#include "sysemu/runstate.h"

#define FW_CFG_MAX_ENTRY (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS_DFLT)

typedef struct FWCfgEntry {
    uint32_t len;
    uint8_t *data;
} FWCfgEntry;

typedef struct FWCfgFile {
    uint32_t size;          /* big-endian on the wire */
    uint16_t select;
    uint16_t reserved;
    char name[FW_CFG_MAX_FILE_PATH];
} __attribute__((packed)) FWCfgFile;

struct FWCfgState {
    FWCfgEntry entries[2][FW_CFG_MAX_ENTRY];
    char *file_names[FW_CFG_FILE_SLOTS_DFLT];
    int nfiles;
    uint16_t cur_entry;
    uint32_t cur_offset;
    uint64_t dma_addr;
    AddressSpace *dma_as;
    MemoryRegion comb_io, dma_io;
};

static FWCfgState *fw_cfg_instance;

FWCfgState *fw_cfg_find(void)
{
    return fw_cfg_instance;
}

static FWCfgEntry *entry_for(FWCfgState *s, uint16_t key)
{
    int arch = !!(key & FW_CFG_ARCH_LOCAL);

    key &= FW_CFG_ENTRY_MASK;
    return key < FW_CFG_MAX_ENTRY ? &s->entries[arch][key] : NULL;
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, void *data, size_t len)
{
    FWCfgEntry *e = entry_for(s, key);

    g_assert(e);
    g_free(e->data);
    e->data = data;
    e->len = len;
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_add_bytes(s, key, g_strdup(value), strlen(value) + 1);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint16_t *p = g_new(uint16_t, 1);

    *p = GUINT16_TO_LE(value);
    fw_cfg_add_bytes(s, key, p, 2);
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint32_t *p = g_new(uint32_t, 1);

    *p = GUINT32_TO_LE(value);
    fw_cfg_add_bytes(s, key, p, 4);
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint64_t *p = g_new(uint64_t, 1);

    *p = GUINT64_TO_LE(value);
    fw_cfg_add_bytes(s, key, p, 8);
}

void fw_cfg_modify_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    fw_cfg_add_i32(s, key, value);
}

void fw_cfg_modify_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    fw_cfg_add_i64(s, key, value);
}

const void *fw_cfg_get_entry(FWCfgState *s, uint16_t key, size_t *len)
{
    FWCfgEntry *e = entry_for(s, key);

    if (!e || !e->data) {
        return NULL;
    }
    *len = e->len;
    return e->data;
}

static void rebuild_file_dir(FWCfgState *s)
{
    size_t dsize = 4 + s->nfiles * sizeof(FWCfgFile);
    uint8_t *dir = g_malloc0(dsize);
    FWCfgFile *f = (FWCfgFile *)(dir + 4);

    *(uint32_t *)dir = GUINT32_TO_BE(s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        f[i].size = GUINT32_TO_BE(s->entries[0][FW_CFG_FILE_FIRST + i].len);
        f[i].select = GUINT16_TO_BE(FW_CFG_FILE_FIRST + i);
        g_strlcpy(f[i].name, s->file_names[i], sizeof(f[i].name));
    }
    fw_cfg_add_bytes(s, FW_CFG_FILE_DIR, dir, dsize);
}

void fw_cfg_add_file(FWCfgState *s, const char *filename, void *data, size_t len)
{
    int index;

    for (index = 0; index < s->nfiles; index++) {
        int c = strcmp(filename, s->file_names[index]);

        if (c == 0) {
            fw_cfg_add_bytes(s, FW_CFG_FILE_FIRST + index, data, len);
            rebuild_file_dir(s);
            return;
        }
        if (c < 0) {
            break;
        }
    }
    g_assert(s->nfiles < FW_CFG_FILE_SLOTS_DFLT);
    /* Keep keys in name order, as QEMU does for current machine types. */
    for (int i = s->nfiles; i > index; i--) {
        s->entries[0][FW_CFG_FILE_FIRST + i] = s->entries[0][FW_CFG_FILE_FIRST + i - 1];
        s->file_names[i] = s->file_names[i - 1];
    }
    s->entries[0][FW_CFG_FILE_FIRST + index].data = data;
    s->entries[0][FW_CFG_FILE_FIRST + index].len = len;
    s->file_names[index] = g_strndup(filename, FW_CFG_MAX_FILE_PATH - 1);
    s->nfiles++;
    rebuild_file_dir(s);
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    s->cur_entry = key;
    s->cur_offset = 0;
}

static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    FWCfgEntry *e = entry_for(s, s->cur_entry);

    if (!e || !e->data || s->cur_offset >= e->len) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

static void fw_cfg_dma_transfer(FWCfgState *s)
{
    uint8_t raw[16];
    uint32_t control, length;
    uint64_t address;
    FWCfgEntry *e;
    bool error = false;
    uint64_t desc = s->dma_addr;

    s->dma_addr = 0;
    if (dma_memory_read(s->dma_as, desc, raw, sizeof(raw), MEMTXATTRS_UNSPECIFIED)) {
        /* No descriptor to report the error in: nothing more to do. */
        return;
    }
    control = ((uint32_t)raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3];
    length = ((uint32_t)raw[4] << 24) | (raw[5] << 16) | (raw[6] << 8) | raw[7];
    address = 0;
    for (int i = 8; i < 16; i++) {
        address = (address << 8) | raw[i];
    }
    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }
    e = entry_for(s, s->cur_entry);
    if (control & FW_CFG_DMA_CTL_READ) {
        control &= ~FW_CFG_DMA_CTL_SKIP;
        control &= ~FW_CFG_DMA_CTL_WRITE;
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        control &= ~FW_CFG_DMA_CTL_WRITE;
    }
    while (length > 0 && (control & (FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP |
                                     FW_CFG_DMA_CTL_WRITE))) {
        uint32_t avail = (e && e->data && s->cur_offset < e->len) ? e->len - s->cur_offset : 0;
        uint32_t len;

        if (!avail) {
            /* Past the end: reads see zeroes, writes are refused. */
            len = length;
            if ((control & FW_CFG_DMA_CTL_READ) &&
                dma_memory_set(s->dma_as, address, 0, len, MEMTXATTRS_UNSPECIFIED)) {
                error = true;
            }
            if (control & FW_CFG_DMA_CTL_WRITE) {
                error = true;
            }
        } else {
            len = length < avail ? length : avail;
            if ((control & FW_CFG_DMA_CTL_READ) &&
                dma_memory_write(s->dma_as, address, e->data + s->cur_offset, len,
                                 MEMTXATTRS_UNSPECIFIED)) {
                error = true;
            }
            if (control & FW_CFG_DMA_CTL_WRITE) {
                error = true;   /* no writable items in this machine */
            }
            s->cur_offset += len;
        }
        address += len;
        length -= len;
    }
    {
        uint8_t status[4] = { 0, 0, 0, error ? FW_CFG_DMA_CTL_ERROR : 0 };

        dma_memory_write(s->dma_as, desc, status, 4, MEMTXATTRS_UNSPECIFIED);
    }
}

/*
 * QEMU's "comb" port pair: a 16-bit write at 0x510 selects, a byte read
 * at either port reads data, byte writes (the old write path) are dropped.
 */
static bool comb_valid(void *opaque, hwaddr addr, unsigned size, bool is_write)
{
    return size == 1 || (is_write && size == 2 && addr == 0);
}

static MemTxResult comb_read(void *opaque, hwaddr addr, uint64_t *data, unsigned size,
                             MemTxAttrs attrs)
{
    if (!comb_valid(opaque, addr, size, false)) {
        *data = 0;
        return MEMTX_DECODE_ERROR;
    }
    *data = fw_cfg_read_byte(opaque);
    return MEMTX_OK;
}

static MemTxResult comb_write(void *opaque, hwaddr addr, uint64_t val, unsigned size,
                              MemTxAttrs attrs)
{
    if (!comb_valid(opaque, addr, size, true)) {
        return MEMTX_DECODE_ERROR;
    }
    if (size == 2) {
        fw_cfg_select(opaque, val & 0xffff);
    }
    return MEMTX_OK;
}

static const MemoryRegionOps comb_ops = {
    .read_with_attrs = comb_read,
    .write_with_attrs = comb_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 2 },
};

static uint64_t dma_read(void *opaque, hwaddr addr, unsigned size)
{
    /* The signature, big-endian: a qword read at 0 is "QEMU CFG". */
    unsigned shift = (8 - addr - size) * 8;

    if (addr + size > 8) {
        return 0;
    }
    return size == 8 ? FW_CFG_DMA_SIGNATURE
                     : (FW_CFG_DMA_SIGNATURE >> shift) & ((1ULL << (size * 8)) - 1);
}

static void dma_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;

    if (size == 4) {
        if (addr == 0) {
            s->dma_addr = val << 32;        /* high half first */
        } else if (addr == 4) {
            s->dma_addr |= val;
            fw_cfg_dma_transfer(s);
        }
    } else if (size == 8 && addr == 0) {
        s->dma_addr = val;
        fw_cfg_dma_transfer(s);
    }
}

static const MemoryRegionOps dma_ops = {
    .read = dma_read,
    .write = dma_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static void fw_cfg_reset(void *opaque)
{
    fw_cfg_select(opaque, FW_CFG_SIGNATURE);
}

FWCfgState *fw_cfg_init_io_dma(uint32_t iobase, uint32_t dma_iobase, AddressSpace *dma_as)
{
    FWCfgState *s = g_new0(FWCfgState, 1);
    MemoryRegion *io = get_system_io();

    s->dma_as = dma_as;
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, g_memdup2("QEMU", 4), 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | (dma_iobase ? FW_CFG_VERSION_DMA : 0));
    rebuild_file_dir(s);
    memory_region_init_io(&s->comb_io, NULL, &comb_ops, s, "fwcfg", 2);
    memory_region_add_subregion(io, iobase, &s->comb_io);
    if (dma_iobase) {
        memory_region_init_io(&s->dma_io, NULL, &dma_ops, s, "fwcfg.dma", 8);
        memory_region_add_subregion(io, dma_iobase, &s->dma_io);
    }
    qemu_register_reset(fw_cfg_reset, s);
    fw_cfg_instance = s;
    return s;
}
