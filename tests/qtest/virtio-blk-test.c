/*
 * virtio-blk-pci over qtest, driven by a small virtio 1.x driver written
 * here (what libqos's virtio-pci-modern does): enumeration and the
 * capability walk, negotiation, split-ring I/O with plain and indirect
 * chains, flush, discard, write zeroes, the writeback byte, MSI-X and
 * INTx/ISR completions, and hostile requests.  Data written by the guest
 * is checked afterwards on the image with Debian's qemu-io and minivm-io.
 */
#include <endian.h>
#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libqtest.h"
#include "pci-cfg.h"

#define DEVFN           (4 << 3)
#define BAR4_ADDR       0xfe000000ull
#define BAR1_ADDR       0xfe100000ull
#define BAR0_PORT       0xc000
#define QSIZE           16
#define DESC_PA         0x100000
#define AVAIL_PA        0x101000
#define USED_PA         0x102000
#define HDR_PA          0x200000
#define DATA_PA         0x210000
#define STATUS_PA       0x2f0000
#define INDIRECT_PA     0x2f8000
#define MSI_PA          0x300000
#define DISK_SIZE       (8 * 1024 * 1024)

#define VIRTIO_F_VERSION_1          32
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WZ = 13 };

typedef struct VBlk {
    QTestState *qts;
    uint64_t common, isr, device, notify;
    uint32_t notify_mult;
    uint16_t notify_off;
    uint16_t q;             /* the queue this driver uses */
    bool legacy;            /* kick through the legacy I/O BAR */
    uint16_t avail_idx;
    uint16_t used_seen;
    unsigned next_desc;
} VBlk;

static char *img;

/* ---- PCI and capabilities ---- */

static void map_bars(QTestState *qts)
{
    pci_cfg_writel(qts, DEVFN, 0x10, BAR0_PORT);
    pci_cfg_writel(qts, DEVFN, 0x14, BAR1_ADDR);
    pci_cfg_writel(qts, DEVFN, 0x20, BAR4_ADDR);
    pci_cfg_writel(qts, DEVFN, 0x24, BAR4_ADDR >> 32);
    /* I/O, memory, bus master. */
    pci_cfg_writew(qts, DEVFN, 0x04, 0x7);
}

/* Find the vendor capability of @type; its BAR offset in *off. */
static int find_virtio_cap(QTestState *qts, uint8_t type, uint32_t *off)
{
    int guard = 48;

    for (int p = pci_cfg_readb(qts, DEVFN, 0x34); p && guard--;
         p = pci_cfg_readb(qts, DEVFN, p + 1)) {
        if (pci_cfg_readb(qts, DEVFN, p) == 0x09 && pci_cfg_readb(qts, DEVFN, p + 3) == type) {
            g_assert_cmpint(pci_cfg_readb(qts, DEVFN, p + 4), ==, 4);
            *off = pci_cfg_readl(qts, DEVFN, p + 8);
            return p;
        }
    }
    return 0;
}

static void vblk_find(VBlk *v)
{
    uint32_t off;
    int p;

    map_bars(v->qts);
    g_assert_cmpint(find_virtio_cap(v->qts, 1, &off), !=, 0);
    v->common = BAR4_ADDR + off;
    g_assert_cmpint(find_virtio_cap(v->qts, 3, &off), !=, 0);
    v->isr = BAR4_ADDR + off;
    g_assert_cmpint(find_virtio_cap(v->qts, 4, &off), !=, 0);
    v->device = BAR4_ADDR + off;
    p = find_virtio_cap(v->qts, 2, &off);
    g_assert_cmpint(p, !=, 0);
    v->notify = BAR4_ADDR + off;
    v->notify_mult = pci_cfg_readl(v->qts, DEVFN, p + 16);
}

/* ---- the driver ---- */

static void set_status(VBlk *v, uint8_t s)
{
    qtest_writeb(v->qts, v->common + 20, s);
}

static uint8_t get_status(VBlk *v)
{
    return qtest_readb(v->qts, v->common + 20);
}

static uint64_t device_features(VBlk *v)
{
    qtest_writel(v->qts, v->common + 0, 0);
    uint64_t lo = qtest_readl(v->qts, v->common + 4);
    qtest_writel(v->qts, v->common + 0, 1);
    return lo | (uint64_t)qtest_readl(v->qts, v->common + 4) << 32;
}

/* Reset, negotiate @features (must be accepted), set up queue 0, DRIVER_OK. */
static void vblk_init(VBlk *v, uint64_t features, uint16_t msix_vector)
{
    QTestState *qts = v->qts;

    set_status(v, 0);
    g_assert_cmpint(get_status(v), ==, 0);
    set_status(v, 1);
    set_status(v, 3);
    g_assert_cmphex(device_features(v) & features, ==, features);
    qtest_writel(qts, v->common + 8, 0);
    qtest_writel(qts, v->common + 12, (uint32_t)features);
    qtest_writel(qts, v->common + 8, 1);
    qtest_writel(qts, v->common + 12, features >> 32);
    set_status(v, 11);
    g_assert_cmpint(get_status(v), ==, 11);

    qtest_writew(qts, v->common + 22, v->q);
    g_assert_cmpint(qtest_readw(qts, v->common + 24), ==, 256);
    qtest_writew(qts, v->common + 24, QSIZE);
    qtest_writew(qts, v->common + 26, msix_vector);
    v->notify_off = qtest_readw(qts, v->common + 30);
    qtest_memset(qts, DESC_PA, 0, 0x3000);
    qtest_writel(qts, v->common + 32, DESC_PA);
    qtest_writel(qts, v->common + 36, 0);
    qtest_writel(qts, v->common + 40, AVAIL_PA);
    qtest_writel(qts, v->common + 44, 0);
    qtest_writel(qts, v->common + 48, USED_PA);
    qtest_writel(qts, v->common + 52, 0);
    qtest_writew(qts, v->common + 28, 1);
    set_status(v, 15);
    v->avail_idx = v->used_seen = 0;
    v->next_desc = 0;
}

static void write_desc(VBlk *v, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                       uint16_t flags, uint16_t next)
{
    uint8_t d[16];
    uint64_t a = htole64(addr);
    uint32_t l = htole32(len);
    uint16_t f = htole16(flags), n = htole16(next);

    memcpy(d, &a, 8);
    memcpy(d + 8, &l, 4);
    memcpy(d + 12, &f, 2);
    memcpy(d + 14, &n, 2);
    qtest_memwrite(v->qts, table + 16 * i, d, 16);
}

typedef struct Buf {
    uint64_t pa;
    uint32_t len;
    bool write;
} Buf;

/* Post a chain (or, with @indirect, one descriptor pointing at a table); kick. */
static void post(VBlk *v, const Buf *b, unsigned n, bool indirect)
{
    unsigned head = v->next_desc % QSIZE;

    if (indirect) {
        for (unsigned i = 0; i < n; i++) {
            write_desc(v, INDIRECT_PA, i, b[i].pa, b[i].len,
                       (b[i].write ? 2 : 0) | (i + 1 < n ? 1 : 0), i + 1);
        }
        write_desc(v, DESC_PA, head, INDIRECT_PA, 16 * n, 4, 0);
        v->next_desc++;
    } else {
        for (unsigned i = 0; i < n; i++) {
            unsigned d = (head + i) % QSIZE;
            write_desc(v, DESC_PA, d, b[i].pa, b[i].len,
                       (b[i].write ? 2 : 0) | (i + 1 < n ? 1 : 0), (d + 1) % QSIZE);
        }
        v->next_desc += n;
    }
    qtest_writew(v->qts, AVAIL_PA + 4 + 2 * (v->avail_idx % QSIZE), head);
    v->avail_idx++;
    qtest_writew(v->qts, AVAIL_PA + 2, v->avail_idx);
    if (v->legacy) {
        qtest_outw(v->qts, BAR0_PORT + 16, v->q);
    } else {
        qtest_writew(v->qts, v->notify + v->notify_off * v->notify_mult, v->q);
    }
}

/* Wait (bounded number of polls) for the device to use one more buffer. */
static bool wait_used(VBlk *v)
{
    for (int i = 0; i < 20000; i++) {
        if (qtest_readw(v->qts, USED_PA + 2) != v->used_seen) {
            v->used_seen++;
            return true;
        }
        g_usleep(100);
    }
    return false;
}

static uint8_t do_request(VBlk *v, uint32_t type, uint64_t sector, uint64_t data_pa, uint32_t len,
                          bool data_in, bool indirect)
{
    uint8_t hdr[16] = { 0 };
    uint32_t t = htole32(type);
    uint64_t s = htole64(sector);
    Buf b[3];
    unsigned n = 0;

    memcpy(hdr, &t, 4);
    memcpy(hdr + 8, &s, 8);
    qtest_memwrite(v->qts, HDR_PA, hdr, 16);
    qtest_writeb(v->qts, STATUS_PA, 0xee);
    b[n++] = (Buf) { HDR_PA, 16, false };
    if (len) {
        b[n++] = (Buf) { data_pa, len, data_in };
    }
    b[n++] = (Buf) { STATUS_PA, 1, true };
    post(v, b, n, indirect);
    g_assert_true(wait_used(v));
    return qtest_readb(v->qts, STATUS_PA);
}

static QTestState *start(const char *cache, const char *extra)
{
    return qtest_initf("-M pc -nodefaults -drive if=none,id=drive0,file=%s,format=raw,cache=%s "
                       "-device virtio-blk-pci,drive=drive0,addr=04.0%s", img, cache, extra);
}

static void make_image(void)
{
    int fd = g_open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, DISK_SIZE), ==, 0);
    close(fd);
}

/*
 * Two oracles read the image back: Debian's qemu-io and minivm-io
 * ($MINIVM_IO), each checking the pattern with "read -P".
 */
static void io_tool_expect_pattern(const char *tool, uint8_t pattern, uint64_t off, uint64_t len)
{
    g_autofree char *cmd = g_strdup_printf("read -P 0x%02x %" G_GUINT64_FORMAT " %"
                                           G_GUINT64_FORMAT, pattern, off, len);
    const char *argv[] = { tool, "-f", "raw", "-c", cmd, img, NULL };
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_null(strstr(out, "Pattern verification failed"));
    g_assert_nonnull(strstr(out, "read "));
}

static void image_expect_pattern(uint8_t pattern, uint64_t off, uint64_t len)
{
    const char *minivm_io = getenv("MINIVM_IO");

    io_tool_expect_pattern("qemu-io", pattern, off, len);
    g_assert_nonnull(minivm_io);
    io_tool_expect_pattern(minivm_io, pattern, off, len);
}

#define BASE_FEATURES (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_FLUSH | \
                       1ULL << VIRTIO_BLK_F_CONFIG_WCE)

/* ---- tests ---- */

static void test_enumeration(void)
{
    QTestState *qts;
    VBlk v = { 0 };
    uint32_t off;

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    /* Transitional device, as QEMU 7.2's pc machine creates it. */
    g_assert_cmphex(pci_cfg_readl(qts, DEVFN, 0x00), ==, 0x10011af4);
    g_assert_cmphex(pci_cfg_readl(qts, DEVFN, 0x08), ==, 0x01000000);
    g_assert_cmphex(pci_cfg_readl(qts, DEVFN, 0x2c), ==, 0x00021af4);
    g_assert_cmpint(pci_cfg_readb(qts, DEVFN, 0x3d), ==, 1);
    /* BAR4: 16 KiB of 64-bit prefetchable memory. */
    pci_cfg_writel(qts, DEVFN, 0x20, 0xffffffff);
    g_assert_cmphex(pci_cfg_readl(qts, DEVFN, 0x20), ==, 0xffffc00c);
    /* Every vendor capability is there, all in BAR4 at QEMU's offsets. */
    g_assert_cmpint(find_virtio_cap(qts, 1, &off), !=, 0);
    g_assert_cmphex(off, ==, 0x0000);
    g_assert_cmpint(find_virtio_cap(qts, 3, &off), !=, 0);
    g_assert_cmphex(off, ==, 0x1000);
    g_assert_cmpint(find_virtio_cap(qts, 4, &off), !=, 0);
    g_assert_cmphex(off, ==, 0x2000);
    g_assert_cmpint(find_virtio_cap(qts, 2, &off), !=, 0);
    g_assert_cmphex(off, ==, 0x3000);
    g_assert_cmpint(pci_find_cap(qts, DEVFN, 0x11), !=, 0);     /* MSI-X */

    vblk_find(&v);
    g_assert_cmpint(v.notify_mult, ==, 4);
    /* The legacy BAR shows QEMU's legacy feature word. */
    g_assert_cmphex(qtest_inl(qts, BAR0_PORT), ==, 0x79006e54);
    /* A modern driver sees VERSION_1 and not the legacy-only bits. */
    uint64_t f = device_features(&v);
    g_assert_true(f & 1ULL << VIRTIO_F_VERSION_1);
    g_assert_false(f & 1ULL << 30);
    qtest_writew(qts, v.common + 22, 0);
    g_assert_cmpint(qtest_readw(qts, v.common + 24), ==, 256);
    g_assert_cmpint(qtest_readw(qts, v.common + 18), ==, 1);
    /* Capacity in 512-byte sectors. */
    g_assert_cmpint(qtest_readl(qts, v.device + 0), ==, DISK_SIZE / 512);
    qtest_quit(qts);
}

static void test_modern_only(void)
{
    QTestState *qts;
    VBlk v = { 0 };

    make_image();
    qts = start("writeback", ",disable-legacy=on");
    v.qts = qts;
    g_assert_cmphex(pci_cfg_readl(qts, DEVFN, 0x00), ==, 0x10421af4);
    g_assert_cmpint(pci_cfg_readb(qts, DEVFN, 0x08), ==, 1);
    vblk_find(&v);
    /* Without VERSION_1 a modern-only device refuses FEATURES_OK. */
    set_status(&v, 3);
    qtest_writel(qts, v.common + 8, 0);
    qtest_writel(qts, v.common + 12, 1u << VIRTIO_BLK_F_FLUSH);
    set_status(&v, 11);
    g_assert_cmpint(get_status(&v) & 8, ==, 0);
    qtest_quit(qts);
}

static void test_read_write_roundtrip(void)
{
    QTestState *qts;
    VBlk v = { 0 };

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_RING_F_INDIRECT_DESC, 0xffff);

    qtest_memset(qts, DATA_PA, 0xab, 4096);
    g_assert_cmpint(do_request(&v, T_OUT, 0, DATA_PA, 4096, false, false), ==, 0);
    qtest_memset(qts, DATA_PA, 0xcd, 65536);
    g_assert_cmpint(do_request(&v, T_OUT, 1000, DATA_PA, 65536, false, true), ==, 0);
    g_assert_cmpint(do_request(&v, T_FLUSH, 0, 0, 0, false, false), ==, 0);

    qtest_memset(qts, DATA_PA, 0, 65536);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 4096, true, true), ==, 0);
    g_assert_cmpint(qtest_readb(qts, DATA_PA), ==, 0xab);
    g_assert_cmpint(qtest_readb(qts, DATA_PA + 4095), ==, 0xab);
    g_assert_cmpint(do_request(&v, T_IN, 1000 + 64, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, DATA_PA + 511), ==, 0xcd);
    /* A read reports data plus status as written bytes. */
    g_assert_cmpint(qtest_readl(qts, USED_PA + 4 + 8 * ((v.used_seen - 1) % QSIZE) + 4), ==, 513);
    qtest_quit(qts);

    image_expect_pattern(0xab, 0, 4096);
    image_expect_pattern(0xcd, 1000 * 512, 65536);
    image_expect_pattern(0x00, 4096, 4096);
}

static void test_discard_write_zeroes(void)
{
    QTestState *qts;
    VBlk v = { 0 };
    uint8_t seg[16] = { 0 };
    uint64_t sector = htole64(16);
    uint32_t num = htole32(8), flags = htole32(1);

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_BLK_F_DISCARD |
              1ULL << VIRTIO_BLK_F_WRITE_ZEROES, 0xffff);
    qtest_memset(qts, DATA_PA, 0x5a, 32 * 512);
    g_assert_cmpint(do_request(&v, T_OUT, 0, DATA_PA, 32 * 512, false, false), ==, 0);
    memcpy(seg, &sector, 8);
    memcpy(seg + 8, &num, 4);
    memcpy(seg + 12, &flags, 4);
    qtest_memwrite(qts, DATA_PA + 0x10000, seg, 16);
    g_assert_cmpint(do_request(&v, T_WZ, 0, DATA_PA + 0x10000, 16, false, false), ==, 0);
    /* A discard with UNMAP is unsupported; a plain one is fine. */
    g_assert_cmpint(do_request(&v, T_DISCARD, 0, DATA_PA + 0x10000, 16, false, false), ==, 2);
    flags = 0;
    memcpy(seg + 12, &flags, 4);
    sector = htole64(DISK_SIZE / 512);
    memcpy(seg, &sector, 8);
    qtest_memwrite(qts, DATA_PA + 0x10000, seg, 16);
    g_assert_cmpint(do_request(&v, T_DISCARD, 0, DATA_PA + 0x10000, 16, false, false), ==, 1);
    qtest_quit(qts);

    image_expect_pattern(0x5a, 0, 16 * 512);
    image_expect_pattern(0x00, 16 * 512, 8 * 512);
    image_expect_pattern(0x5a, 24 * 512, 8 * 512);
}

static void test_writeback_byte(void)
{
    static const struct { const char *cache; uint8_t wce; } modes[] = {
        { "writeback", 1 }, { "none", 1 }, { "unsafe", 1 },
        { "writethrough", 0 }, { "directsync", 0 },
    };

    make_image();
    for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
        VBlk v = { 0 };
        v.qts = start(modes[i].cache, "");
        vblk_find(&v);
        g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, modes[i].wce);
        vblk_init(&v, BASE_FEATURES, 0xffff);
        qtest_writeb(v.qts, v.device + 32, !modes[i].wce);
        g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, !modes[i].wce);
        /* Reset restores the -drive setting. */
        set_status(&v, 0);
        g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, modes[i].wce);
        /* A driver with neither FLUSH nor CONFIG_WCE gets writethrough. */
        vblk_init(&v, 1ULL << VIRTIO_F_VERSION_1, 0xffff);
        g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, 0);
        qtest_quit(v.qts);
    }
    /* write-cache=off overrides cache=writeback. */
    VBlk v = { 0 };
    v.qts = start("writeback", ",write-cache=off");
    vblk_find(&v);
    g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, 0);
    qtest_quit(v.qts);
}

static void test_bad_requests(void)
{
    QTestState *qts;
    VBlk v = { 0 };

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES, 0xffff);
    g_assert_cmpint(do_request(&v, T_IN, DISK_SIZE / 512, DATA_PA, 512, true, false), ==, 1);
    g_assert_cmpint(do_request(&v, T_OUT, DISK_SIZE / 512 - 1, DATA_PA, 1024, false, false), ==, 1);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 100, true, false), ==, 1);
    g_assert_cmpint(do_request(&v, 99, 0, DATA_PA, 512, true, false), ==, 2);
    /* Still healthy. */
    g_assert_cmpint(get_status(&v), ==, 15);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    qtest_quit(qts);
}

static void test_hostile_chains(void)
{
    static const struct { uint64_t addr; uint32_t len; uint16_t flags; uint16_t next; } bad[] = {
        { HDR_PA, 16, 1, 0 },                   /* loops to itself */
        { 0x7fff0000000ull, 16, 0, 0 },         /* outside guest RAM */
        { BAR4_ADDR, 16, 0, 0 },                /* MMIO, not RAM */
        { HDR_PA, 16, 1, 200 },                 /* next beyond the table */
        { INDIRECT_PA, 24, 4, 0 },              /* indirect table of 1.5 descriptors */
        { HDR_PA, 0, 0, 0 },                    /* zero length */
    };

    make_image();
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        VBlk v = { 0 };
        v.qts = start("writeback", "");
        vblk_find(&v);
        vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_RING_F_INDIRECT_DESC, 0xffff);
        write_desc(&v, DESC_PA, 0, bad[i].addr, bad[i].len, bad[i].flags, bad[i].next);
        qtest_writew(v.qts, AVAIL_PA + 4, 0);
        qtest_writew(v.qts, AVAIL_PA + 2, 1);
        qtest_writew(v.qts, v.notify, 0);
        /* The device flags itself broken; the emulator goes on answering. */
        int tries = 20000;
        while (!(get_status(&v) & 0x40) && --tries) {
            g_usleep(100);
        }
        g_assert_cmpint(get_status(&v), ==, 15 | 0x40);
        g_assert_cmpint(qtest_readw(v.qts, USED_PA + 2), ==, 0);
        /* A reset brings it back. */
        vblk_init(&v, BASE_FEATURES, 0xffff);
        g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
        qtest_quit(v.qts);
    }
}

/* Wait (bounded) for the device to set NEEDS_RESET; then check a reset heals it. */
static void expect_needs_reset_then_heal(VBlk *v)
{
    int tries = 20000;

    while (!(get_status(v) & 0x40) && --tries) {
        g_usleep(100);
    }
    g_assert_cmpint(get_status(v), ==, 15 | 0x40);
    g_assert_cmpint(qtest_readw(v->qts, USED_PA + 2), ==, 0);
    vblk_init(v, BASE_FEATURES, 0xffff);
    g_assert_cmpint(do_request(v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
}

/*
 * Chains whose layout breaks the virtio-blk rules (virtio 1.1 §2.6.4.2,
 * §5.2.6): each marks the device NEEDS_RESET as QEMU's virtio_error does,
 * with nothing used and the emulator still answering.  A nested indirect
 * table, which §2.6.5.3.1 forbids the driver, is refused the same way.
 */
static void test_hostile_layouts(void)
{
    enum { R = 0, W = 2 };
    static const struct {
        const char *what;
        unsigned n;
        struct { uint64_t addr; uint32_t len; uint16_t flags; } d[3];
        bool indirect;
    } bad[] = {
        { "status readable", 3, { { HDR_PA, 16, R }, { DATA_PA, 512, R }, { STATUS_PA, 1, R } } },
        { "header writable", 2, { { HDR_PA, 16, W }, { STATUS_PA, 1, W } } },
        { "readable after writable", 3,
          { { HDR_PA, 16, R }, { STATUS_PA, 1, W }, { DATA_PA, 512, R } } },
        { "header too short", 2, { { HDR_PA, 8, R }, { STATUS_PA, 1, W } } },
        { "oversized segment past RAM", 3,
          { { HDR_PA, 16, R }, { DATA_PA, 0x40000000, W }, { STATUS_PA, 1, W } } },
        { "nested indirect", 2, { { HDR_PA, 16, R }, { INDIRECT_PA + 0x100, 32, 4 } }, true },
    };

    make_image();
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        VBlk v = { 0 };
        uint64_t table = bad[i].indirect ? INDIRECT_PA : DESC_PA;

        g_test_message("%s", bad[i].what);
        v.qts = start("writeback", "");
        vblk_find(&v);
        vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_RING_F_INDIRECT_DESC, 0xffff);
        qtest_memset(v.qts, HDR_PA, 0, 16);
        for (unsigned k = 0; k < bad[i].n; k++) {
            write_desc(&v, table, k, bad[i].d[k].addr, bad[i].d[k].len,
                       bad[i].d[k].flags | (k + 1 < bad[i].n ? 1 : 0), k + 1);
        }
        if (bad[i].indirect) {
            write_desc(&v, DESC_PA, 0, INDIRECT_PA, 16 * bad[i].n, 4, 0);
        }
        qtest_writew(v.qts, AVAIL_PA + 4, 0);
        qtest_writew(v.qts, AVAIL_PA + 2, 1);
        qtest_writew(v.qts, v.notify, 0);
        expect_needs_reset_then_heal(&v);
        qtest_quit(v.qts);
    }
}

/* A driver that lies about the avail ring: a head past the queue, an index too far ahead. */
static void test_hostile_avail_ring(void)
{
    static const struct { uint16_t head, idx; } bad[] = { { QSIZE + 3, 1 }, { 0, QSIZE + 5 } };

    make_image();
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        VBlk v = { 0 };

        v.qts = start("writeback", "");
        vblk_find(&v);
        vblk_init(&v, BASE_FEATURES, 0xffff);
        write_desc(&v, DESC_PA, 0, HDR_PA, 16, 1, 1);
        write_desc(&v, DESC_PA, 1, STATUS_PA, 1, 2, 0);
        qtest_writew(v.qts, AVAIL_PA + 4, bad[i].head);
        qtest_writew(v.qts, AVAIL_PA + 2, bad[i].idx);
        qtest_writew(v.qts, v.notify, 0);
        expect_needs_reset_then_heal(&v);
        qtest_quit(v.qts);
    }
}

static void test_msix_and_intx(void)
{
    QTestState *qts;
    VBlk v = { 0 };
    int cap;

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    vblk_find(&v);

    /* INTx: completion sets ISR bit 0; reading it clears it. */
    vblk_init(&v, BASE_FEATURES, 0xffff);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, v.isr), ==, 1);
    g_assert_cmpint(qtest_readb(qts, v.isr), ==, 0);

    /* MSI-X: vector 1 for the queue, its message lands in guest memory. */
    cap = pci_find_cap(qts, DEVFN, 0x11);
    g_assert_cmpint(pci_cfg_readw(qts, DEVFN, cap + 2) & 0x7ff, ==, 1);    /* 2 vectors */
    pci_cfg_writew(qts, DEVFN, cap + 2, 0x8000);
    qtest_writel(qts, BAR1_ADDR + 16 + 0, MSI_PA);
    qtest_writel(qts, BAR1_ADDR + 16 + 4, 0);
    qtest_writel(qts, BAR1_ADDR + 16 + 8, 0x4321);
    qtest_writel(qts, BAR1_ADDR + 16 + 12, 0);
    vblk_init(&v, BASE_FEATURES, 1);
    qtest_writew(qts, v.common + 22, 0);
    g_assert_cmpint(qtest_readw(qts, v.common + 26), ==, 1);
    /* A vector the device does not have reads back as NO_VECTOR. */
    qtest_writew(qts, v.common + 26, 7);
    g_assert_cmphex(qtest_readw(qts, v.common + 26), ==, 0xffff);
    qtest_writew(qts, v.common + 26, 1);
    qtest_writel(qts, MSI_PA, 0);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmphex(qtest_readl(qts, MSI_PA), ==, 0x4321);
    qtest_quit(qts);
}

/*
 * The guest's writeback byte reaches the host, for each cache= mode: three
 * 4 KiB writes, at 1, 2 and 3 MiB: with the -drive setting, after the
 * guest flipped the byte, and after a device reset.  A write with WCE off
 * must be durable on completion (RWF_DSYNC, or an fdatasync after it and
 * before the next write); with WCE on it must not be.  cache=unsafe
 * (cache.no-flush) makes nothing durable, as QEMU, whose FUA is a flush.
 * Seen with strace on minivm.
 */
static void wce_strace_run(const char *cache, bool durable[3])
{
    /* the fourth write only fences the third from the flush minivm makes at exit */
    static const char *const offsets[4] = { ", 1048576", ", 2097152", ", 3145728",
                                            ", 4194304" };
    bool seen[4];
    const char *real = getenv("QTEST_QEMU_BINARY");
    g_autofree char *log = NULL, *wrapper = NULL, *text = NULL, *script = NULL, *pidfile = NULL;
    char **lines;
    int fd, cur = -1;
    uint8_t wce;
    VBlk v = { 0 };

    fd = g_file_open_tmp("virtio-blk-strace-XXXXXX.log", &log, NULL);
    close(fd);
    fd = g_file_open_tmp("virtio-blk-wrap-XXXXXX.sh", &wrapper, NULL);
    /* libqtest stops the emulator with SIGTERM: pass it on to minivm, not strace. */
    script = g_strdup_printf(
        "#!/bin/sh\n"
        "export ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\"\n"   /* LSan cannot run traced */
        "strace -f -qq -s 0 -o %s -e trace=pwrite64,pwritev,pwritev2,fdatasync,fsync "
        "sh -c 'echo $$ > %s.pid; exec \"$0\" \"$@\"' %s \"$@\" &\n"
        "st=$!\n"
        "trap 'kill -TERM $(cat %s.pid)' TERM\n"
        "wait $st\n"
        "wait $st\n", log, log, real, log);
    g_assert_cmpint(write(fd, script, strlen(script)), ==, (ssize_t)strlen(script));
    close(fd);
    g_chmod(wrapper, 0755);

    make_image();
    g_setenv("QTEST_QEMU_BINARY", wrapper, true);
    v.qts = start(cache, "");
    g_setenv("QTEST_QEMU_BINARY", real, true);
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES, 0xffff);
    wce = qtest_readb(v.qts, v.device + 32);
    qtest_memset(v.qts, DATA_PA, 0x11, 4096);
    g_assert_cmpint(do_request(&v, T_OUT, 2048, DATA_PA, 4096, false, false), ==, 0);
    qtest_writeb(v.qts, v.device + 32, !wce);
    g_assert_cmpint(do_request(&v, T_OUT, 4096, DATA_PA, 4096, false, false), ==, 0);
    vblk_init(&v, BASE_FEATURES, 0xffff);
    g_assert_cmpint(qtest_readb(v.qts, v.device + 32), ==, wce);
    g_assert_cmpint(do_request(&v, T_OUT, 6144, DATA_PA, 4096, false, false), ==, 0);
    g_assert_cmpint(do_request(&v, T_OUT, 8192, DATA_PA, 4096, false, false), ==, 0);
    qtest_quit(v.qts);

    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    memset(seen, 0, sizeof(seen));
    for (int i = 0; lines[i]; i++) {
        bool is_write = strstr(lines[i], "pwrite") != NULL;
        for (int k = 0; k < 4 && is_write; k++) {
            if (strstr(lines[i], offsets[k])) {
                /* a RWF_NOWAIT try may come before the worker's write */
                g_assert_cmpint(k, >=, cur);
                cur = k;
                seen[k] |= strstr(lines[i], "RWF_DSYNC") != NULL;
            }
        }
        if (cur >= 0 && (strstr(lines[i], "fdatasync(") || strstr(lines[i], "fsync("))) {
            seen[cur] = true;
        }
    }
    g_strfreev(lines);
    g_assert_cmpint(cur, ==, 3);
    memcpy(durable, seen, 3 * sizeof(bool));
    pidfile = g_strdup_printf("%s.pid", log);
    g_unlink(pidfile);
    g_unlink(log);
    g_unlink(wrapper);
}

static void test_wce_reaches_host(void)
{
    static const struct { const char *cache; bool durable[3]; } modes[] = {
        { "writeback",    { false, true, false } },
        { "none",         { false, true, false } },
        { "writethrough", { true, false, true } },
        { "directsync",   { true, false, true } },
        { "unsafe",       { false, false, false } },
    };
    g_autofree char *strace = g_find_program_in_path("strace");

    if (!strace || system("strace -qq -o /dev/null true") != 0) {
        g_test_skip("strace is missing or cannot trace here");
        return;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
        bool durable[3];

        wce_strace_run(modes[i].cache, durable);
        for (int k = 0; k < 3; k++) {
            if (durable[k] != modes[i].durable[k]) {
                g_test_message("cache=%s write %d: durable=%d", modes[i].cache, k, durable[k]);
            }
            g_assert_cmpint(durable[k], ==, modes[i].durable[k]);
        }
    }
}

static void test_event_idx(void)
{
    QTestState *qts;
    VBlk v = { 0 };
    const uint64_t used_event = AVAIL_PA + 4 + 2 * QSIZE;
    const uint64_t avail_event = USED_PA + 4 + 8 * QSIZE;

    make_image();
    qts = start("writeback", "");
    v.qts = qts;
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_RING_F_EVENT_IDX, 0xffff);
    /* The first completion always interrupts; later ones only past used_event. */
    qtest_writew(qts, used_event, 5);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, v.isr), ==, 1);
    g_assert_cmpint(qtest_readw(qts, avail_event), ==, 1);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, v.isr), ==, 0);
    g_assert_cmpint(qtest_readw(qts, avail_event), ==, 2);
    qtest_writew(qts, used_event, 2);
    g_assert_cmpint(do_request(&v, T_IN, 0, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, v.isr), ==, 1);
    qtest_quit(qts);
}

static void test_multiqueue(void)
{
    QTestState *qts;
    VBlk v = { 0 };

    make_image();
    qts = start("writeback", ",num-queues=2");
    v.qts = qts;
    vblk_find(&v);
    g_assert_true(device_features(&v) & 1ULL << VIRTIO_BLK_F_MQ);
    g_assert_cmpint(qtest_readw(qts, v.device + 34), ==, 2);
    g_assert_cmpint(qtest_readw(qts, v.common + 18), ==, 2);
    /* Default vectors: one per queue plus config. */
    g_assert_cmpint(pci_cfg_readw(qts, DEVFN, pci_find_cap(qts, DEVFN, 0x11) + 2) & 0x7ff, ==, 2);
    /* Only the second queue is set up and used. */
    v.q = 1;
    vblk_init(&v, BASE_FEATURES | 1ULL << VIRTIO_BLK_F_MQ, 0xffff);
    g_assert_cmpint(v.notify_off, ==, 1);
    qtest_memset(qts, DATA_PA, 0x77, 512);
    g_assert_cmpint(do_request(&v, T_OUT, 3, DATA_PA, 512, false, false), ==, 0);
    qtest_memset(qts, DATA_PA, 0, 512);
    g_assert_cmpint(do_request(&v, T_IN, 3, DATA_PA, 512, true, false), ==, 0);
    g_assert_cmpint(qtest_readb(qts, DATA_PA + 100), ==, 0x77);
    /* A kick for a queue that does not exist is ignored. */
    qtest_writew(qts, v.notify + 7 * v.notify_mult, 7);
    g_assert_cmpint(get_status(&v), ==, 15);
    qtest_quit(qts);
}

static void test_get_id(void)
{
    QTestState *qts;
    VBlk v = { 0 };
    char id[21] = { 0 };

    make_image();
    qts = start("writeback", ",serial=MINIVM-0001");
    v.qts = qts;
    vblk_find(&v);
    vblk_init(&v, BASE_FEATURES, 0xffff);
    qtest_memset(qts, DATA_PA, 0xff, 32);
    g_assert_cmpint(do_request(&v, T_GET_ID, 0, DATA_PA, 20, true, false), ==, 0);
    qtest_memread(qts, DATA_PA, id, 20);
    g_assert_cmpstr(id, ==, "MINIVM-0001");
    qtest_quit(qts);
}

/* A legacy (virtio 0.9.5) driver on the transitional device's I/O BAR. */
static void test_legacy_driver(void)
{
    QTestState *qts;
    VBlk v = { 0 };

    make_image();
    qts = start("writethrough", "");
    v.qts = qts;
    v.legacy = true;
    map_bars(qts);
    qtest_outb(qts, BAR0_PORT + 18, 0);
    qtest_outb(qts, BAR0_PORT + 18, 3);
    qtest_outl(qts, BAR0_PORT + 4, 1u << VIRTIO_BLK_F_FLUSH);
    g_assert_cmphex(qtest_inl(qts, BAR0_PORT + 4), ==, 1u << VIRTIO_BLK_F_FLUSH);
    qtest_outw(qts, BAR0_PORT + 14, 0);
    g_assert_cmpint(qtest_inw(qts, BAR0_PORT + 12), ==, 256);
    qtest_memset(qts, DESC_PA, 0, 0x3000);
    /* Legacy layout: avail right after 256 descriptors, used on the next 4 KiB. */
    qtest_outl(qts, BAR0_PORT + 8, DESC_PA >> 12);
    g_assert_cmphex(qtest_inl(qts, BAR0_PORT + 8), ==, DESC_PA >> 12);
    qtest_outb(qts, BAR0_PORT + 18, 7);
    /* Config follows the 20-byte header while MSI-X is off. */
    g_assert_cmpint(qtest_inl(qts, BAR0_PORT + 20), ==, DISK_SIZE / 512);
    /* A legacy driver that only negotiated FLUSH gets writeback. */
    g_assert_cmpint(qtest_inb(qts, BAR0_PORT + 20 + 32), ==, 1);

    qtest_memset(qts, DATA_PA, 0x3c, 1024);
    g_assert_cmpint(do_request(&v, T_OUT, 64, DATA_PA, 1024, false, false), ==, 0);
    g_assert_cmpint(do_request(&v, T_FLUSH, 0, 0, 0, false, false), ==, 0);
    g_assert_cmpint(qtest_inb(qts, BAR0_PORT + 19), ==, 1);
    g_assert_cmpint(qtest_inb(qts, BAR0_PORT + 19), ==, 0);
    /* Writing PFN 0 resets the device. */
    qtest_outl(qts, BAR0_PORT + 8, 0);
    g_assert_cmpint(qtest_inb(qts, BAR0_PORT + 18), ==, 0);
    qtest_quit(qts);
    image_expect_pattern(0x3c, 64 * 512, 1024);
}

/* Configuration mistakes are refused with QEMU's messages, exit status 1. */
static void test_bad_command_lines(void)
{
    static const struct { const char *args; const char *msg; } cases[] = {
        { "-device virtio-blk-pci", "drive property not set" },
        { "-device virtio-blk-pci,drive=nope",
          "Property 'virtio-blk-device.drive' can't find value 'nope'" },
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0 "
          "-device virtio-blk-pci,drive=d0", "Drive 'd0' is already in use by another device" },
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0,queue-size=100",
          "invalid queue-size property (100), must be a power of 2 (max 1024)" },
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0,"
          "disable-legacy=on,disable-modern=on",
          "device cannot work as neither modern nor legacy mode is enabled" },
        { "-drive if=virtio,file=%s,format=raw,werror=bogus", "'bogus' invalid write error action" },
        /* QEMU 7.2's own words, its empty device name included. */
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0,"
          "logical_block_size=1000",
          "Property .logical_block_size doesn't take value '1000', it's not a power of 2" },
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0,id=vb,"
          "physical_block_size=256",
          "Property .physical_block_size doesn't take value 256 (minimum: 512, maximum: 2097152)" },
        { "-drive if=none,id=d0,file=%s,format=raw -device virtio-blk-pci,drive=d0,"
          "logical_block_size=4096,physical_block_size=512",
          "logical_block_size > physical_block_size not supported" },
    };

    make_image();
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = g_strdup_printf(cases[i].args, img, img);
        g_autofree char *cmd = g_strdup_printf("%s -M pc -nodefaults -display none -accel qtest %s",
                                               getenv("QTEST_QEMU_BINARY"), args);
        g_autofree char *err = NULL;
        char **argv;
        int status;

        g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, NULL));
        g_strfreev(argv);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err, cases[i].msg));
        g_assert_true(g_str_has_prefix(err, "minivm: -"));
    }
}

static void test_if_virtio_drive(void)
{
    QTestState *qts;

    make_image();
    qts = qtest_initf("-M pc -nodefaults -drive if=virtio,file=%s,format=raw", img);
    /* The first free slot after the PIIX3 functions. */
    bool found = false;
    for (int slot = 2; slot < 32 && !found; slot++) {
        found = pci_cfg_readl(qts, slot << 3, 0) == 0x10011af4;
    }
    g_assert_true(found);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("virtio-blk-test-XXXXXX.raw", &img, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_test_add_func("/virtio-blk/pci/enumeration", test_enumeration);
    g_test_add_func("/virtio-blk/pci/modern-only", test_modern_only);
    g_test_add_func("/virtio-blk/io/read-write-roundtrip", test_read_write_roundtrip);
    g_test_add_func("/virtio-blk/io/discard-write-zeroes", test_discard_write_zeroes);
    g_test_add_func("/virtio-blk/io/bad-requests", test_bad_requests);
    g_test_add_func("/virtio-blk/wce/writeback-byte", test_writeback_byte);
    g_test_add_func("/virtio-blk/hostile/chains", test_hostile_chains);
    g_test_add_func("/virtio-blk/hostile/layouts", test_hostile_layouts);
    g_test_add_func("/virtio-blk/hostile/avail-ring", test_hostile_avail_ring);
    g_test_add_func("/virtio-blk/irq/msix-and-intx", test_msix_and_intx);
    g_test_add_func("/virtio-blk/wce/reaches-host", test_wce_reaches_host);
    g_test_add_func("/virtio-blk/ring/event-idx", test_event_idx);
    g_test_add_func("/virtio-blk/ring/multiqueue", test_multiqueue);
    g_test_add_func("/virtio-blk/io/get-id", test_get_id);
    g_test_add_func("/virtio-blk/drive/if-virtio", test_if_virtio_drive);
    g_test_add_func("/virtio-blk/pci/legacy-driver", test_legacy_driver);
    g_test_add_func("/virtio-blk/cmdline/errors", test_bad_command_lines);
    ret = g_test_run();
    g_unlink(img);
    g_free(img);
    return ret;
}
