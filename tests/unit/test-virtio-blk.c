/*
 * hw/block/virtio-blk.c against a mock BlockBackend and a fake guest
 * memory: request parsing and statuses, merging, write-cache semantics,
 * rerror/werror policies, and hostile requests.  The mock completes I/O
 * only when the test says so, which shows the device never waits for it.
 */
#include <endian.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "hw/virtio/virtio-blk.h"
#include "qemu/error.h"
#include "qemu/iov.h"

/* ---- the mock block backend ---- */

struct BlockBackend {
    uint8_t *data;
    int64_t len;
    bool wce, writable, inserted;
    int fail_errno;                 /* next requests fail with -fail_errno */
    BlockErrorAction action;
    int reads, writes, flushes, discards, zero_writes, error_actions;
    int64_t last_bytes;
    int last_flags;
};

typedef struct MockCompletion {
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
} MockCompletion;

static BlockBackend mock;
static BlockAcctStats mock_stats;

BlockAcctStats *blk_get_stats(BlockBackend *blk) { return &mock_stats; }
static GQueue pending = G_QUEUE_INIT;

static void mock_queue(BlockCompletionFunc *cb, void *opaque, int ret)
{
    MockCompletion *c = g_new(MockCompletion, 1);
    *c = (MockCompletion) { cb, opaque, mock.fail_errno ? -mock.fail_errno : ret };
    g_queue_push_tail(&pending, c);
}

/* Complete everything the device submitted; returns how many. */
static int mock_run(void)
{
    int n = 0;
    MockCompletion *c;

    while ((c = g_queue_pop_head(&pending)) != NULL) {
        c->cb(c->opaque, c->ret);
        g_free(c);
        n++;
    }
    return n;
}

BlockBackend *blk_by_name(const char *name) { return &mock; }
const char *blk_name(const BlockBackend *blk) { return "drive0"; }
int blk_attach_dev(BlockBackend *blk, void *dev) { return 0; }
void blk_detach_dev(BlockBackend *blk, void *dev) { }
bool blk_is_inserted(BlockBackend *blk) { return blk->inserted; }
bool blk_is_writable(BlockBackend *blk) { return blk->writable; }
int64_t blk_getlength(BlockBackend *blk) { return blk->len; }
void blk_get_geometry(BlockBackend *blk, uint64_t *nb) { *nb = blk->len / 512; }
bool blk_enable_write_cache(BlockBackend *blk) { return blk->wce; }
void blk_set_enable_write_cache(BlockBackend *blk, bool wce) { blk->wce = wce; }
void blk_drain(BlockBackend *blk) { mock_run(); }

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                           BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    g_assert_cmpint(offset + (int64_t)qiov->size, <=, blk->len);
    iov_from_buf(qiov->iov, qiov->niov, 0, blk->data + offset, qiov->size);
    blk->reads++;
    blk->last_bytes = qiov->size;
    mock_queue(cb, opaque, 0);
    return NULL;
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    g_assert_cmpint(offset + (int64_t)qiov->size, <=, blk->len);
    if (!blk->fail_errno) {
        iov_to_buf(qiov->iov, qiov->niov, 0, blk->data + offset, qiov->size);
    }
    blk->writes++;
    blk->last_bytes = qiov->size;
    blk->last_flags = flags;
    mock_queue(cb, opaque, 0);
    return NULL;
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    blk->flushes++;
    mock_queue(cb, opaque, 0);
    return NULL;
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                             BlockCompletionFunc *cb, void *opaque)
{
    g_assert_cmpint(offset + bytes, <=, blk->len);
    blk->discards++;
    blk->last_bytes = bytes;
    mock_queue(cb, opaque, 0);
    return NULL;
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                                  BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque)
{
    g_assert_cmpint(offset + bytes, <=, blk->len);
    memset(blk->data + offset, 0, bytes);
    blk->zero_writes++;
    blk->last_bytes = bytes;
    blk->last_flags = flags;
    mock_queue(cb, opaque, 0);
    return NULL;
}

BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read, int error)
{
    return blk->action;
}

void blk_error_action(BlockBackend *blk, BlockErrorAction action, bool is_read, int error)
{
    blk->error_actions++;
}

/* ---- a fake guest: 1 MiB of RAM at 0 ---- */

#define RAM_SIZE    (1024 * 1024)
#define QSIZE       64
#define DESC_PA     0x1000
#define AVAIL_PA    0x2000
#define USED_PA     0x3000
#define DISK_SIZE   (1024 * 1024)

static uint8_t *ram;

static int fake_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    if (addr >= RAM_SIZE || len > RAM_SIZE - addr) {
        return 1;
    }
    memcpy(buf, ram + addr, len);
    return 0;
}

static int fake_write(void *opaque, uint64_t addr, const void *buf, uint64_t len)
{
    if (addr >= RAM_SIZE || len > RAM_SIZE - addr) {
        return 1;
    }
    memcpy(ram + addr, buf, len);
    return 0;
}

static void *fake_map(void *opaque, uint64_t addr, uint64_t *len, bool is_write)
{
    if (addr >= RAM_SIZE) {
        return NULL;
    }
    if (*len > RAM_SIZE - addr) {
        *len = RAM_SIZE - addr;
    }
    return ram + addr;
}

static void fake_unmap(void *opaque, void *buf, uint64_t len, bool is_write, uint64_t al)
{
}

static const VirtIODMAOps fake_dma = {
    .read = fake_read, .write = fake_write, .map = fake_map, .unmap = fake_unmap,
};

static int interrupts;

static void fake_notify(void *opaque, uint16_t vector)
{
    interrupts++;
}

static const VirtIOTransportOps fake_transport = { .notify = fake_notify };

/* What virtio-pci offers for a transitional device. */
#define TRANSPORT_FEATURES \
    (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY | 1ULL << VIRTIO_F_ANY_LAYOUT | \
     1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX | \
     1ULL << VIRTIO_F_BAD_FEATURE | 1ULL << VIRTIO_F_VERSION_1)

static VirtIOBlock blk;
static VirtIODevice *vdev;

static void default_conf(VirtIOBlkConf *c)
{
    memset(c, 0, sizeof(*c));
    c->num_queues = VIRTIO_BLK_AUTO_NUM_QUEUES;
    c->queue_size = 256;
    c->wce = ON_OFF_AUTO_AUTO;
    c->logical_block_size = 512;
    c->config_wce = c->discard = c->write_zeroes = true;
    c->max_discard_sectors = c->max_write_zeroes_sectors = BDRV_REQUEST_MAX_SECTORS;
    c->seg_max_adjust = c->request_merging = c->x_enable_wce_if_config_wce = true;
}

static void reset_mock(bool wce)
{
    g_assert_true(g_queue_is_empty(&pending));
    memset(&mock, 0, sizeof(mock));
    mock.data = g_malloc0(DISK_SIZE);
    mock.len = DISK_SIZE;
    mock.wce = wce;
    mock.writable = mock.inserted = true;
    mock.action = BLOCK_ERROR_ACTION_REPORT;
    block_acct_init(&mock_stats);
}

/* Realize with @conf; the driver negotiates @features and reaches DRIVER_OK. */
static void start_with(const VirtIOBlkConf *conf, uint64_t features)
{
    memset(ram, 0, RAM_SIZE);
    interrupts = 0;
    memset(&blk, 0, sizeof(blk));
    blk.conf = *conf;
    blk.blk = &mock;
    g_assert_true(virtio_blk_device_realize(&blk, &error_abort));
    vdev = &blk.parent_obj;
    virtio_set_dma_ops(vdev, &fake_dma, NULL);
    virtio_set_transport(vdev, &fake_transport, NULL);
    virtio_init_host_features(vdev, TRANSPORT_FEATURES);
    if (features == UINT64_MAX) {
        return;
    }
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_features(vdev, features & vdev->host_features);
    g_assert_cmpint(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), ==, 0);
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_rings(vdev, 0, DESC_PA, AVAIL_PA, USED_PA);
    virtio_queue_enable(vdev, 0, true);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static uint64_t vdev_all_features(void)
{
    return UINT64_MAX & ~(1ULL << VIRTIO_RING_F_EVENT_IDX);
}

static void start(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    reset_mock(true);
    start_with(&c, vdev_all_features());
}

static void stop(void)
{
    mock_run();
    virtio_blk_device_unrealize(&blk);
    g_free(mock.data);
}

/* ---- the guest driver ---- */

static unsigned next_desc;

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t a = htole64(addr);
    uint32_t l = htole32(len);
    uint16_t f = htole16(flags), n = htole16(next);
    uint8_t *d = ram + DESC_PA + 16 * i;

    memcpy(d, &a, 8);
    memcpy(d + 8, &l, 4);
    memcpy(d + 12, &f, 2);
    memcpy(d + 14, &n, 2);
}

static uint16_t rd16(uint64_t pa)
{
    uint16_t v;
    memcpy(&v, ram + pa, 2);
    return le16toh(v);
}

static void wr16(uint64_t pa, uint16_t v)
{
    v = htole16(v);
    memcpy(ram + pa, &v, 2);
}

static void make_available(uint16_t head)
{
    uint16_t idx = rd16(AVAIL_PA + 2);
    wr16(AVAIL_PA + 4 + 2 * (idx % QSIZE), head);
    wr16(AVAIL_PA + 2, idx + 1);
}

typedef struct Buf {
    uint64_t pa;
    uint32_t len;
    bool write;         /* device writes it */
} Buf;

/* Post a chain of buffers; returns its head. */
static unsigned post(const Buf *bufs, unsigned n)
{
    unsigned head = next_desc % QSIZE;

    for (unsigned i = 0; i < n; i++) {
        unsigned d = (head + i) % QSIZE;
        set_desc(d, bufs[i].pa, bufs[i].len,
                 (bufs[i].write ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
                 (d + 1) % QSIZE);
    }
    next_desc += n;
    make_available(head);
    return head;
}

#define HDR_PA(i)    (0x10000 + (i) * 0x100)
#define STATUS_PA(i) (0x18000 + (i))
#define DATA_PA(i)   (0x20000 + (i) * 0x4000)

static void write_hdr(unsigned i, uint32_t type, uint64_t sector)
{
    uint8_t *h = ram + HDR_PA(i);
    type = htole32(type);
    sector = htole64(sector);
    memset(h, 0, 16);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
    ram[STATUS_PA(i)] = 0xee;
}

/* A request: header, optional data (device-readable for OUT-like types), status. */
static void request(unsigned i, uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
    Buf b[3];
    unsigned n = 0;

    write_hdr(i, type, sector);
    b[n++] = (Buf) { HDR_PA(i), 16, false };
    if (len) {
        b[n++] = (Buf) { DATA_PA(i), len, data_in };
    }
    b[n++] = (Buf) { STATUS_PA(i), 1, true };
    post(b, n);
}

static void kick(void)
{
    virtio_queue_notify(vdev, 0);
}

static uint16_t used_idx(void)
{
    return rd16(USED_PA + 2);
}

static uint32_t used_len(unsigned n)
{
    uint32_t v;
    memcpy(&v, ram + USED_PA + 4 + 8 * (n % QSIZE) + 4, 4);
    return le32toh(v);
}

/* ---- features and config ---- */

static void test_features_match_qemu(void)
{
    start();
    /* QEMU 7.2's transitional virtio-blk-pci shows this legacy feature word. */
    g_assert_cmphex((uint32_t)vdev->host_features, ==, 0x79006e54);
    g_assert_true(virtio_host_has_feature(vdev, VIRTIO_F_VERSION_1));
    g_assert_cmpuint(vdev->config_len, ==, 57);
    stop();
}

static void test_config_space(void)
{
    start();
    g_assert_cmphex(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_CAPACITY, 4), ==,
                    DISK_SIZE / 512);
    g_assert_cmphex(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_CAPACITY + 4, 4), ==, 0);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_SEG_MAX, 4), ==, 254);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_BLK_SIZE, 4), ==, 512);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_CYLINDERS, 2), ==, 2);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_HEADS, 1), ==, 16);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_SECTORS, 1), ==, 63);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_WCE, 1), ==, 1);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_NUM_QUEUES, 2), ==, 1);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 4), ==, 1);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_DISCARD_ALIGNMENT, 4), ==, 1);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_MAX_WZ_SECTORS, 4), ==,
                     BDRV_REQUEST_MAX_SECTORS);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_WZ_MAY_UNMAP, 1), ==, 1);
    /* Nothing past write_zeroes_may_unmap. */
    g_assert_cmphex(virtio_config_modern_read(vdev, 57, 1), ==, 0xffffffff);
    stop();
}

/* ---- data path ---- */

static void test_write_then_read(void)
{
    start();
    memset(ram + DATA_PA(0), 0x5a, 4096);
    request(0, VIRTIO_BLK_T_OUT, 8, 4096, false);
    kick();
    /* Submitted, not complete: the kick returned without waiting. */
    g_assert_cmpint(mock.writes, ==, 1);
    g_assert_cmpint(used_idx(), ==, 0);
    g_assert_cmpint(ram[STATUS_PA(0)], ==, 0xee);
    g_assert_cmpint(mock_run(), ==, 1);
    g_assert_cmpint(used_idx(), ==, 1);
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(used_len(0), ==, 1);
    g_assert_cmpint(mock.data[8 * 512], ==, 0x5a);
    g_assert_cmpint(mock.data[8 * 512 + 4095], ==, 0x5a);
    g_assert_cmpint(mock.data[8 * 512 + 4096], ==, 0);
    g_assert_cmpint(interrupts, ==, 1);

    request(1, VIRTIO_BLK_T_IN, 8, 1024, true);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(ram[DATA_PA(1) + 1023], ==, 0x5a);
    /* A read reports the data it wrote plus the status byte. */
    g_assert_cmpint(used_len(1), ==, 1025);
    stop();
}

static void test_adjacent_requests_merge(void)
{
    start();
    for (unsigned i = 0; i < 3; i++) {
        memset(ram + DATA_PA(i), 'a' + i, 1024);
    }
    /* Posted out of order: sorted, then merged into one write of 3 KiB. */
    request(0, VIRTIO_BLK_T_OUT, 4, 1024, false);
    request(1, VIRTIO_BLK_T_OUT, 0, 1024, false);
    request(2, VIRTIO_BLK_T_OUT, 2, 1024, false);
    kick();
    g_assert_cmpint(mock.writes, ==, 1);
    g_assert_cmpint(mock.last_bytes, ==, 3072);
    g_assert_cmpint(mock_run(), ==, 1);
    g_assert_cmpint(used_idx(), ==, 3);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_cmpint(ram[STATUS_PA(i)], ==, VIRTIO_BLK_S_OK);
    }
    g_assert_cmpint(mock.data[0], ==, 'b');
    g_assert_cmpint(mock.data[1024], ==, 'c');
    g_assert_cmpint(mock.data[2048], ==, 'a');
    /* Accounted as three writes, two of them merged. */
    g_assert_cmpuint(mock_stats.nr_ops[BLOCK_ACCT_WRITE], ==, 3);
    g_assert_cmpuint(mock_stats.nr_bytes[BLOCK_ACCT_WRITE], ==, 3072);
    g_assert_cmpuint(mock_stats.merged[BLOCK_ACCT_WRITE], ==, 2);
    g_assert_cmpuint(mock_stats.wr_highest_offset, ==, 3072);

    /* A gap or a change of direction splits the run. */
    request(3, VIRTIO_BLK_T_OUT, 100, 512, false);
    request(4, VIRTIO_BLK_T_OUT, 102, 512, false);
    request(5, VIRTIO_BLK_T_IN, 103, 512, true);
    kick();
    g_assert_cmpint(mock.writes, ==, 3);
    g_assert_cmpint(mock.reads, ==, 1);
    g_assert_cmpint(mock_run(), ==, 3);
    stop();
}

static void test_flush_submits_pending_writes_first(void)
{
    start();
    request(0, VIRTIO_BLK_T_OUT, 0, 512, false);
    request(1, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    kick();
    g_assert_cmpint(mock.writes, ==, 1);
    g_assert_cmpint(mock.flushes, ==, 1);
    MockCompletion *first = g_queue_peek_head(&pending);
    g_assert_true(first->opaque != NULL);
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(used_idx(), ==, 2);
    stop();
}

static void test_get_id(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    c.serial = (char *)"minivm-disk";
    reset_mock(true);
    start_with(&c, vdev_all_features());
    memset(ram + DATA_PA(0), 0xff, 32);
    request(0, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true);
    kick();
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpstr((char *)ram + DATA_PA(0), ==, "minivm-disk");
    stop();

    /* 20 bytes or more: no terminating NUL, nothing beyond 20. */
    c.serial = (char *)"0123456789abcdefghijKLMN";
    reset_mock(true);
    start_with(&c, vdev_all_features());
    memset(ram + DATA_PA(0), 0xff, 32);
    request(0, VIRTIO_BLK_T_GET_ID, 0, 32, true);
    kick();
    g_assert_cmpmem(ram + DATA_PA(0), 20, "0123456789abcdefghij", 20);
    g_assert_cmpint(ram[DATA_PA(0) + 20], ==, 0xff);
    stop();
}

static void write_dwz(unsigned i, uint64_t sector, uint32_t num, uint32_t flags)
{
    uint8_t *p = ram + DATA_PA(i);
    sector = htole64(sector);
    num = htole32(num);
    flags = htole32(flags);
    memcpy(p, &sector, 8);
    memcpy(p + 8, &num, 4);
    memcpy(p + 12, &flags, 4);
}

static void test_discard_and_write_zeroes(void)
{
    start();
    memset(mock.data, 0x77, DISK_SIZE);

    request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
    write_dwz(0, 10, 4, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
    request(1, VIRTIO_BLK_T_DISCARD, 0, 16, false);
    write_dwz(1, 100, 8, 0);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(mock.zero_writes, ==, 1);
    g_assert_cmpint(mock.last_flags & BDRV_REQ_MAY_UNMAP, ==, BDRV_REQ_MAY_UNMAP);
    g_assert_cmpint(mock.discards, ==, 1);
    g_assert_cmpint(mock.data[10 * 512 - 1], ==, 0x77);
    g_assert_cmpint(mock.data[10 * 512], ==, 0);
    g_assert_cmpint(mock.data[14 * 512 - 1], ==, 0);
    g_assert_cmpint(mock.data[14 * 512], ==, 0x77);

    /* UNMAP on a discard and unknown flags are unsupported; out of range is an I/O error. */
    request(2, VIRTIO_BLK_T_DISCARD, 0, 16, false);
    write_dwz(2, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
    request(3, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
    write_dwz(3, 0, 1, 0x10);
    request(4, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
    write_dwz(4, DISK_SIZE / 512 - 1, 2, 0);
    /* Two segments in one request: the config said one. */
    request(5, VIRTIO_BLK_T_DISCARD, 0, 32, false);
    write_dwz(5, 0, 1, 0);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(2)], ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpint(ram[STATUS_PA(3)], ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpint(ram[STATUS_PA(4)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(5)], ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpint(mock.discards + mock.zero_writes, ==, 2);
    g_assert_false(vdev->broken);
    stop();
}

static void test_bad_requests_get_status(void)
{
    start();
    request(0, VIRTIO_BLK_T_IN, DISK_SIZE / 512, 512, true);        /* past the end */
    request(1, VIRTIO_BLK_T_OUT, DISK_SIZE / 512 - 1, 1024, false); /* straddles it */
    request(2, VIRTIO_BLK_T_IN, 0, 100, true);                      /* not whole sectors */
    request(3, 0x1234, 0, 512, true);                               /* unknown type */
    request(4, VIRTIO_BLK_T_SCSI_CMD, 0, 512, true);
    request(5, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true);             /* sector overflow */
    request(6, VIRTIO_BLK_T_IN, 0, 0, true);                        /* no data at all */
    kick();
    g_assert_cmpint(mock.reads + mock.writes, ==, 0);
    g_assert_cmpint(used_idx(), ==, 7);
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(2)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(3)], ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpint(ram[STATUS_PA(4)], ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpint(ram[STATUS_PA(5)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(6)], ==, VIRTIO_BLK_S_OK);
    g_assert_false(vdev->broken);
    g_assert_cmpuint(mock_stats.invalid_ops[BLOCK_ACCT_READ], ==, 3);
    g_assert_cmpuint(mock_stats.invalid_ops[BLOCK_ACCT_WRITE], ==, 1);
    stop();
}

static void test_read_only_backend(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    reset_mock(true);
    mock.writable = false;
    start_with(&c, vdev_all_features());
    g_assert_true(virtio_host_has_feature(vdev, VIRTIO_BLK_F_RO));
    request(0, VIRTIO_BLK_T_OUT, 0, 512, false);
    request(1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
    write_dwz(1, 0, 1, 0);
    request(2, VIRTIO_BLK_T_IN, 0, 512, true);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(2)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(mock.writes + mock.zero_writes, ==, 0);
    stop();
}

static void test_logical_block_size_4k(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    c.logical_block_size = 4096;
    reset_mock(true);
    start_with(&c, vdev_all_features());
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_BLK_SIZE, 4), ==, 4096);
    request(0, VIRTIO_BLK_T_IN, 8, 4096, true);
    request(1, VIRTIO_BLK_T_IN, 9, 4096, true);    /* sector not 4K aligned */
    request(2, VIRTIO_BLK_T_IN, 8, 512, true);     /* size not a block */
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(ram[STATUS_PA(2)], ==, VIRTIO_BLK_S_IOERR);
    stop();
}

/* ---- hostile request layouts break the device ---- */

static void test_malformed_requests_break_device(void)
{
    /* Only a header: no status byte to write. */
    start();
    write_hdr(0, VIRTIO_BLK_T_IN, 0);
    post(&(Buf) { HDR_PA(0), 16, false }, 1);
    kick();
    g_assert_true(vdev->broken);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpint(used_idx(), ==, 0);
    stop();

    /* A header shorter than 16 bytes. */
    start();
    write_hdr(0, VIRTIO_BLK_T_IN, 0);
    post((Buf[]) { { HDR_PA(0), 8, false }, { STATUS_PA(0), 1, true } }, 2);
    kick();
    g_assert_true(vdev->broken);
    stop();

    /* Only device-writable buffers. */
    start();
    post((Buf[]) { { DATA_PA(0), 512, true }, { STATUS_PA(0), 1, true } }, 2);
    kick();
    g_assert_true(vdev->broken);
    stop();

    /* After a reset the device works again. */
    start();
    post((Buf[]) { { DATA_PA(0), 512, true } }, 1);
    kick();
    g_assert_true(vdev->broken);
    virtio_reset(vdev);
    g_assert_false(vdev->broken);
    stop();
}

/* ---- write cache ---- */

static void test_wce_toggle_reaches_backend(void)
{
    start();
    g_assert_true(mock.wce);
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 0, 1);
    g_assert_false(mock.wce);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_WCE, 1), ==, 0);
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 1, 1);
    g_assert_true(mock.wce);
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 0, 1);
    /* Reset restores the configured value. */
    virtio_reset(vdev);
    g_assert_true(mock.wce);
    stop();
}

static void test_wce_reset_restores_writethrough(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    reset_mock(false);
    start_with(&c, vdev_all_features());
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_WCE, 1), ==, 0);
    /* FLUSH is offered anyway because CONFIG_WCE is. */
    g_assert_true(virtio_host_has_feature(vdev, VIRTIO_BLK_F_FLUSH));
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 1, 1);
    g_assert_true(mock.wce);
    virtio_reset(vdev);
    g_assert_false(mock.wce);
    stop();
}

static void test_wce_auto_writethrough(void)
{
    VirtIOBlkConf c;
    uint64_t base = 1ULL << VIRTIO_F_VERSION_1;

    default_conf(&c);
    /* Neither FLUSH nor CONFIG_WCE: a driver that cannot flush gets writethrough. */
    reset_mock(true);
    start_with(&c, base);
    g_assert_false(mock.wce);
    stop();

    /* FLUSH only: writeback. */
    reset_mock(false);
    start_with(&c, base | 1ULL << VIRTIO_BLK_F_FLUSH);
    g_assert_true(mock.wce);
    stop();

    /* CONFIG_WCE: the driver's own choice before DRIVER_OK stands. */
    reset_mock(true);
    start_with(&c, UINT64_MAX);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_features(vdev, base | 1ULL << VIRTIO_BLK_F_CONFIG_WCE);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 0, 1);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_false(mock.wce);
    stop();
}

static void test_write_cache_property(void)
{
    VirtIOBlkConf c;

    default_conf(&c);
    c.wce = ON_OFF_AUTO_OFF;
    reset_mock(true);
    start_with(&c, vdev_all_features());
    g_assert_false(mock.wce);
    g_assert_cmpuint(virtio_config_modern_read(vdev, VIRTIO_BLK_CFG_WCE, 1), ==, 0);
    virtio_config_modern_write(vdev, VIRTIO_BLK_CFG_WCE, 1, 1);
    virtio_reset(vdev);
    g_assert_false(mock.wce);
    stop();

    c.wce = ON_OFF_AUTO_ON;
    c.config_wce = false;
    c.x_enable_wce_if_config_wce = true;
    reset_mock(false);
    start_with(&c, vdev_all_features());
    g_assert_true(mock.wce);
    g_assert_false(virtio_host_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE));
    stop();
}

/* ---- rerror / werror ---- */

static void test_error_policy_report_and_ignore(void)
{
    start();
    mock.fail_errno = EIO;
    request(0, VIRTIO_BLK_T_OUT, 0, 512, false);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpint(mock.error_actions, ==, 1);
    g_assert_cmpuint(mock_stats.failed_ops[BLOCK_ACCT_WRITE], ==, 1);

    mock.action = BLOCK_ERROR_ACTION_IGNORE;
    request(1, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    kick();
    mock_run();
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(used_idx(), ==, 2);
    stop();
}

static void test_error_policy_stop_and_retry(void)
{
    start();
    mock.fail_errno = ENOSPC;
    mock.action = BLOCK_ERROR_ACTION_STOP;
    memset(ram + DATA_PA(0), 0x42, 512);
    memset(ram + DATA_PA(1), 0x43, 512);
    request(0, VIRTIO_BLK_T_OUT, 0, 512, false);
    request(1, VIRTIO_BLK_T_OUT, 1, 512, false);
    kick();
    mock_run();
    /* Held back, not completed: the guest sees nothing yet. */
    g_assert_cmpint(used_idx(), ==, 0);
    g_assert_cmpint(mock.error_actions, ==, 2);
    g_assert_cmpint(mock.data[0], ==, 0);

    /* "cont" after the host freed space: the writes are retried. */
    mock.fail_errno = 0;
    virtio_blk_restart_all_held();
    mock_run();
    g_assert_cmpint(used_idx(), ==, 2);
    g_assert_cmpint(ram[STATUS_PA(0)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(ram[STATUS_PA(1)], ==, VIRTIO_BLK_S_OK);
    g_assert_cmpint(mock.data[0], ==, 0x42);
    g_assert_cmpint(mock.data[512], ==, 0x43);
    stop();
}

static void test_reset_drains_and_drops_held(void)
{
    start();
    request(0, VIRTIO_BLK_T_OUT, 0, 512, false);
    kick();
    g_assert_cmpint(blk.in_flight, ==, 1);
    virtio_reset(vdev);
    g_assert_cmpint(blk.in_flight, ==, 0);
    g_assert_true(g_queue_is_empty(&pending));
    stop();

    start();
    mock.fail_errno = EIO;
    mock.action = BLOCK_ERROR_ACTION_STOP;
    request(0, VIRTIO_BLK_T_IN, 0, 512, true);
    kick();
    mock_run();
    g_assert_nonnull(blk.rq);
    virtio_reset(vdev);
    g_assert_null(blk.rq);
    stop();
}

/* ---- realize ---- */

static void expect_realize_error(VirtIOBlkConf *c, const char *msg)
{
    Error *err = NULL;

    memset(&blk, 0, sizeof(blk));
    blk.conf = *c;
    blk.blk = &mock;
    g_assert_false(virtio_blk_device_realize(&blk, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_realize_errors(void)
{
    VirtIOBlkConf c;

    reset_mock(true);
    default_conf(&c);
    c.queue_size = 2;
    expect_realize_error(&c, "invalid queue-size property (2), must be > 2");
    default_conf(&c);
    c.queue_size = 100;
    expect_realize_error(&c, "invalid queue-size property (100), must be a power of 2 (max 1024)");
    default_conf(&c);
    c.num_queues = 0;
    expect_realize_error(&c, "num-queues property must be larger than 0");
    default_conf(&c);
    c.logical_block_size = 4096;
    c.physical_block_size = 512;
    expect_realize_error(&c, "logical_block_size > physical_block_size not supported");
    default_conf(&c);
    c.max_discard_sectors = 0;
    expect_realize_error(&c, "invalid max-discard-sectors property (0), must be between 1 "
                         "and 4194303");
    default_conf(&c);
    mock.inserted = false;
    expect_realize_error(&c, "Device needs media, but drive is empty");
    g_free(mock.data);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ram = g_malloc0(RAM_SIZE);

    g_test_add_func("/virtio-blk/features-match-qemu", test_features_match_qemu);
    g_test_add_func("/virtio-blk/config-space", test_config_space);
    g_test_add_func("/virtio-blk/io/write-then-read", test_write_then_read);
    g_test_add_func("/virtio-blk/io/adjacent-requests-merge", test_adjacent_requests_merge);
    g_test_add_func("/virtio-blk/io/flush-after-pending-writes",
                    test_flush_submits_pending_writes_first);
    g_test_add_func("/virtio-blk/io/get-id", test_get_id);
    g_test_add_func("/virtio-blk/io/discard-and-write-zeroes", test_discard_and_write_zeroes);
    g_test_add_func("/virtio-blk/io/bad-requests-get-status", test_bad_requests_get_status);
    g_test_add_func("/virtio-blk/io/read-only-backend", test_read_only_backend);
    g_test_add_func("/virtio-blk/io/logical-block-size-4k", test_logical_block_size_4k);
    g_test_add_func("/virtio-blk/hostile/malformed-requests",
                    test_malformed_requests_break_device);
    g_test_add_func("/virtio-blk/wce/toggle-reaches-backend", test_wce_toggle_reaches_backend);
    g_test_add_func("/virtio-blk/wce/reset-restores-writethrough",
                    test_wce_reset_restores_writethrough);
    g_test_add_func("/virtio-blk/wce/auto-writethrough", test_wce_auto_writethrough);
    g_test_add_func("/virtio-blk/wce/write-cache-property", test_write_cache_property);
    g_test_add_func("/virtio-blk/error/report-and-ignore", test_error_policy_report_and_ignore);
    g_test_add_func("/virtio-blk/error/stop-and-retry", test_error_policy_stop_and_retry);
    g_test_add_func("/virtio-blk/reset/drains-and-drops-held", test_reset_drains_and_drops_held);
    g_test_add_func("/virtio-blk/realize-errors", test_realize_errors);
    int ret = g_test_run();
    g_free(ram);
    return ret;
}
