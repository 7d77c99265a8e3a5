/*
 * blkcheck: a multiboot guest that finds the virtio-blk device, drives it
 * by polling and checks what it reads back.  Prints "PASS name" or
 * "FAIL name: why" per check and a summary, then exits through
 * isa-debug-exit (0 = all passed, so the emulator exits with status 1).
 *
 * It leaves a known layout on the disk for the host to verify afterwards:
 *   sectors 16..23   0xa5 (last of several patterns written there)
 *   sectors 64..71   zeroes (written 0x77, then WRITE_ZEROES if offered)
 *   sector 256       0x3c, sector 257 0xc3 (one request, two data buffers)
 *   last sector      0x5a
 */
#include "virtio.h"

#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13

#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

/* struct virtio_blk_config offsets */
#define VBLK_CFG_CAPACITY           0
#define VBLK_CFG_WRITEBACK          32

#define SECTOR                      512
#define NSECT                       8

struct virtio_blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct virtio_blk_discard_wz {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
};

static VirtioDev vdev;
static uint64_t capacity;
static int passed, failed;

static struct virtio_blk_req_hdr req_hdr __attribute__((aligned(16)));
static struct virtio_blk_discard_wz req_seg __attribute__((aligned(16)));
static volatile uint8_t req_status;
static uint8_t wbuf[NSECT * SECTOR] __attribute__((aligned(4096)));
static uint8_t rbuf[NSECT * SECTOR] __attribute__((aligned(4096)));

static void pass(const char *name)
{
    passed++;
    printf("PASS %s\n", name);
}

static void fail(const char *name, const char *why)
{
    failed++;
    printf("FAIL %s: %s\n", name, why);
}

/*
 * One request: header, then @nbufs data buffers, then the status byte.
 * Returns NULL and sets *status, or the transport failure.
 */
static const char *blk_request(uint32_t type, uint64_t sector, const VirtioBuf *data,
                               int nbufs, uint8_t *status)
{
    VirtioBuf chain[8];
    int n = 0;

    req_hdr.type = type;
    req_hdr.reserved = 0;
    req_hdr.sector = sector;
    req_status = 0xff;
    chain[n++] = (VirtioBuf){ &req_hdr, sizeof(req_hdr), 0 };
    for (int i = 0; i < nbufs; i++) {
        chain[n++] = data[i];
    }
    chain[n++] = (VirtioBuf){ (void *)&req_status, 1, 1 };
    const char *err = virtio_submit(&vdev, chain, n, NULL);
    if (err) {
        return err;
    }
    *status = req_status;
    return NULL;
}

static const char *blk_rw(int write, uint64_t sector, void *buf, uint32_t nsect)
{
    VirtioBuf data = { buf, nsect * SECTOR, !write };
    uint8_t st;
    const char *err = blk_request(write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
                                  sector, &data, 1, &st);
    if (err) {
        return err;
    }
    return st == VIRTIO_BLK_S_OK ? NULL : "request status is not OK";
}

static void fill(uint8_t *buf, size_t len, int pattern, uint64_t sector)
{
    for (size_t i = 0; i < len; i++) {
        /* pattern < 0: bytes that differ per offset and per sector */
        buf[i] = pattern >= 0 ? (uint8_t)pattern
                              : (uint8_t)(i * 7 + (uint32_t)sector * 13 + (i >> 9));
    }
}

static const char *write_verify(uint64_t sector, uint32_t nsect, int pattern)
{
    const char *err;
    size_t len = nsect * SECTOR;

    fill(wbuf, len, pattern, sector);
    if ((err = blk_rw(1, sector, wbuf, nsect))) {
        return err;
    }
    memset(rbuf, 0xee, len);
    if ((err = blk_rw(0, sector, rbuf, nsect))) {
        return err;
    }
    return memcmp(wbuf, rbuf, len) ? "data read back differs from data written" : NULL;
}

static void check_patterns(void)
{
    static const int patterns[] = { 0x00, 0xff, -1, 0xa5 };
    const char *err = NULL;

    for (unsigned i = 0; !err && i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        err = write_verify(16, NSECT, patterns[i]);
    }
    err ? fail("rw-patterns", err) : pass("rw-patterns");

    /* Single sectors at scattered places, including the first. */
    static const uint32_t sectors[] = { 0, 1, 3, 33, 1000 };
    err = NULL;
    for (unsigned i = 0; !err && i < sizeof(sectors) / sizeof(sectors[0]); i++) {
        if (sectors[i] < capacity) {
            err = write_verify(sectors[i], 1, -1);
        }
    }
    err ? fail("rw-scattered", err) : pass("rw-scattered");

    err = write_verify(capacity - 1, 1, 0x5a);
    err ? fail("rw-last-sector", err) : pass("rw-last-sector");
}

static void check_split_buffers(void)
{
    VirtioBuf data[2] = {
        { wbuf, SECTOR, 0 },
        { wbuf + 2048, SECTOR, 0 },
    };
    uint8_t st;
    const char *err;

    memset(wbuf, 0x3c, SECTOR);
    memset(wbuf + 2048, 0xc3, SECTOR);
    err = blk_request(VIRTIO_BLK_T_OUT, 256, data, 2, &st);
    if (!err && st != VIRTIO_BLK_S_OK) {
        err = "write status is not OK";
    }
    if (!err) {
        memset(rbuf, 0, 2 * SECTOR);
        VirtioBuf rd[2] = { { rbuf + SECTOR, SECTOR, 1 }, { rbuf, SECTOR, 1 } };
        err = blk_request(VIRTIO_BLK_T_IN, 256, rd, 2, &st);
        if (!err && st != VIRTIO_BLK_S_OK) {
            err = "read status is not OK";
        }
        if (!err && (memcmp(rbuf + SECTOR, wbuf, SECTOR) ||
                     memcmp(rbuf, wbuf + 2048, SECTOR))) {
            err = "scatter/gather data landed in the wrong place";
        }
    }
    err ? fail("rw-multi-descriptor", err) : pass("rw-multi-descriptor");
}

static void check_out_of_range(void)
{
    VirtioBuf data = { rbuf, SECTOR, 1 };
    uint8_t st;
    const char *err = blk_request(VIRTIO_BLK_T_IN, capacity, &data, 1, &st);
    if (!err && st != VIRTIO_BLK_S_IOERR) {
        err = "read past the end did not report IOERR";
    }
    err ? fail("read-past-end", err) : pass("read-past-end");
}

static void check_flush(void)
{
    if (!virtio_has(&vdev, VIRTIO_BLK_F_FLUSH)) {
        printf("SKIP flush: VIRTIO_BLK_F_FLUSH not offered\n");
        return;
    }
    uint8_t st;
    const char *err = blk_request(VIRTIO_BLK_T_FLUSH, 0, NULL, 0, &st);
    if (!err && st != VIRTIO_BLK_S_OK) {
        err = "flush status is not OK";
    }
    err ? fail("flush", err) : pass("flush");
}

static const char *discard_or_zero(uint32_t type, uint64_t sector, uint32_t nsect)
{
    VirtioBuf seg = { &req_seg, sizeof(req_seg), 0 };
    uint8_t st;

    req_seg.sector = sector;
    req_seg.num_sectors = nsect;
    req_seg.flags = 0;
    const char *err = blk_request(type, 0, &seg, 1, &st);
    if (!err && st != VIRTIO_BLK_S_OK) {
        err = "status is not OK";
    }
    return err;
}

static void check_discard(void)
{
    if (!virtio_has(&vdev, VIRTIO_BLK_F_DISCARD)) {
        printf("SKIP discard: VIRTIO_BLK_F_DISCARD not offered\n");
        return;
    }
    /* What a discarded range reads back as is not defined; only the status is. */
    const char *err = write_verify(128, NSECT, 0x99);
    if (!err) {
        err = discard_or_zero(VIRTIO_BLK_T_DISCARD, 128, NSECT);
    }
    err ? fail("discard", err) : pass("discard");
}

static void check_write_zeroes(void)
{
    const char *err = write_verify(64, NSECT, 0x77);
    if (err) {
        fail("write-zeroes", err);
        return;
    }
    if (!virtio_has(&vdev, VIRTIO_BLK_F_WRITE_ZEROES)) {
        /* Keep the on-disk layout the same either way. */
        err = write_verify(64, NSECT, 0x00);
        printf("SKIP write-zeroes: VIRTIO_BLK_F_WRITE_ZEROES not offered\n");
        if (err) {
            fail("write-zeroes", err);
        }
        return;
    }
    err = discard_or_zero(VIRTIO_BLK_T_WRITE_ZEROES, 64, NSECT);
    if (!err) {
        memset(rbuf, 0xee, NSECT * SECTOR);
        memset(wbuf, 0, NSECT * SECTOR);
        err = blk_rw(0, 64, rbuf, NSECT);
        if (!err && memcmp(rbuf, wbuf, NSECT * SECTOR)) {
            err = "range does not read back as zeroes";
        }
    }
    err ? fail("write-zeroes", err) : pass("write-zeroes");
}

static void check_writeback(void)
{
    if (!virtio_has(&vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        printf("SKIP writeback: VIRTIO_BLK_F_CONFIG_WCE not offered\n");
        return;
    }
    volatile uint8_t *wb = vdev.device + VBLK_CFG_WRITEBACK;
    uint8_t orig = *wb;
    const char *err = NULL;

    printf("writeback: %u\n", orig);
    if (orig > 1) {
        err = "writeback is neither 0 nor 1";
    }
    for (int i = 0; !err && i < 2; i++) {
        uint8_t want = (uint8_t)(i == 0 ? !orig : orig);
        *wb = want;
        if (*wb != want) {
            err = "writeback does not read back what was written";
        }
        /* I/O must keep working in both modes. */
        if (!err) {
            err = write_verify(16, NSECT, 0xa5);
        }
    }
    err ? fail("writeback-toggle", err) : pass("writeback-toggle");
}

static void print_mmap(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP)) {
        return;
    }
    uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
    while (p < end) {
        /* size, then base, length and type; size does not count itself */
        const uint32_t *e = (const uint32_t *)(uintptr_t)p;
        printf("mmap: base %08x%08x length %08x%08x type %u\n", e[2], e[1], e[4], e[3], e[5]);
        p += e[0] + 4;
    }
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
    static const uint16_t ids[] = { 0x1042, 0x1001 };
    const char *err;
    PCIAddr a;

    uart_init();
    printf("blkcheck: starting\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        fail("multiboot", "EAX does not hold the multiboot magic");
    } else if (!(mbi->flags & MULTIBOOT_INFO_MEMORY)) {
        fail("multiboot", "no memory information in the info structure");
    } else {
        printf("memory: lower %u KiB, upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
        print_mmap(mbi);
        pass("multiboot");
    }

    if (!pci_find(0x1af4, ids, 2, &a)) {
        fail("pci-find", "no virtio-blk device (1af4:1042 or 1af4:1001) on bus 0");
        goto out;
    }
    printf("virtio-blk at 00:%02x.%u, id %04x\n", a.dev, a.fn, pci_read16(a, 2));
    pass("pci-find");

    if ((err = virtio_pci_probe(&vdev, a))) {
        fail("virtio-probe", err);
        goto out;
    }
    pass("virtio-probe");

    uint64_t offered = virtio_device_features(&vdev);
    err = virtio_init(&vdev, 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_CONFIG_WCE |
                             1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES);
    if (err) {
        fail("virtio-init", err);
        goto out;
    }
    printf("features: offered %llx, negotiated %llx\n",
           (unsigned long long)offered, (unsigned long long)vdev.features);
    pass("virtio-init");

    capacity = *(volatile uint32_t *)(vdev.device + VBLK_CFG_CAPACITY) |
               (uint64_t)*(volatile uint32_t *)(vdev.device + VBLK_CFG_CAPACITY + 4) << 32;
    printf("capacity: %llu sectors\n", (unsigned long long)capacity);
    if (capacity < 2048) {
        fail("capacity", "the checks need a disk of at least 1 MiB");
        goto out;
    }
    pass("capacity");

    check_patterns();
    check_split_buffers();
    check_out_of_range();
    check_discard();
    check_write_zeroes();
    check_writeback();
    check_flush();

out:
    printf("blkcheck: %d passed, %d failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}
