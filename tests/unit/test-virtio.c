/*
 * hw/virtio/virtio.c over a fake guest memory: negotiation, status, split
 * rings, event index, and what a hostile driver can put in the rings.
 *
 * The fake guest has RAM in two separately allocated halves, [0, 512K)
 * and [512K, 1M), so a buffer across the seam maps to two host pieces;
 * everything from 1M up is "not RAM".
 */
#include <endian.h>
#include <glib.h>
#include <string.h>

#include "hw/virtio/virtio.h"
#include "qemu/error.h"
#include "qemu/iov.h"

#define HALF        (512 * 1024)
#define RAM_SIZE    (2 * HALF)
#define QSIZE       16
#define DESC_PA     0x1000
#define AVAIL_PA    0x2000
#define USED_PA     0x3000

typedef struct FakeGuest {
    uint8_t *half[2];
    int maps;               /* outstanding map calls, to check unmap pairing */
} FakeGuest;

static FakeGuest guest;

static uint8_t *host_ptr(uint64_t addr, uint64_t *len)
{
    if (addr >= RAM_SIZE) {
        return NULL;
    }
    uint64_t in_half = HALF - addr % HALF;
    if (*len > in_half) {
        *len = in_half;
    }
    return guest.half[addr / HALF] + addr % HALF;
}

static int fake_rw(uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    if (addr >= RAM_SIZE || len > RAM_SIZE - addr) {
        return 1;
    }
    while (len) {
        uint64_t l = len;
        uint8_t *p = host_ptr(addr, &l);
        if (is_write) {
            memcpy(p, buf, l);
        } else {
            memcpy(buf, p, l);
        }
        buf = (uint8_t *)buf + l;
        addr += l;
        len -= l;
    }
    return 0;
}

static int fake_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    return fake_rw(addr, buf, len, false);
}

static int fake_write(void *opaque, uint64_t addr, const void *buf, uint64_t len)
{
    return fake_rw(addr, (void *)buf, len, true);
}

static void *fake_map(void *opaque, uint64_t addr, uint64_t *len, bool is_write)
{
    void *p = host_ptr(addr, len);
    if (p) {
        guest.maps++;
    }
    return p;
}

static void fake_unmap(void *opaque, void *buf, uint64_t len, bool is_write, uint64_t access_len)
{
    guest.maps--;
}

static const VirtIODMAOps fake_dma = {
    .read = fake_read, .write = fake_write, .map = fake_map, .unmap = fake_unmap,
};

/* ---- a trivial device with an 8-byte config and one queue ---- */

static int notified[2];     /* queue / config interrupts seen by the "transport" */
static uint8_t last_set_status;

static void fake_notify(void *opaque, uint16_t vector)
{
    notified[vector == 0 ? 1 : 0]++;
}

static const VirtIOTransportOps fake_transport = { .notify = fake_notify };

static uint64_t test_get_features(VirtIODevice *vdev, uint64_t f)
{
    return f | 1ULL << 5;
}

static void test_get_config(VirtIODevice *vdev, uint8_t *config)
{
    config[0] = 0x11;
    config[7] = 0x77;
}

static void test_set_status(VirtIODevice *vdev, uint8_t val)
{
    last_set_status = val;
}

static const VirtioDeviceClass test_vdc = {
    .get_features = test_get_features,
    .get_config = test_get_config,
    .set_status = test_set_status,
};

static VirtIODevice vdev;
static VirtQueue *vq;

static void wr16(uint64_t pa, uint16_t v)
{
    v = htole16(v);
    g_assert_cmpint(fake_write(NULL, pa, &v, 2), ==, 0);
}

static uint16_t rd16(uint64_t pa)
{
    uint16_t v;
    g_assert_cmpint(fake_read(NULL, pa, &v, 2), ==, 0);
    return le16toh(v);
}

static uint32_t rd32(uint64_t pa)
{
    uint32_t v;
    g_assert_cmpint(fake_read(NULL, pa, &v, 4), ==, 0);
    return le32toh(v);
}

static void set_desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next)
{
    uint8_t raw[16];
    uint64_t a = htole64(addr);
    uint32_t l = htole32(len);
    uint16_t f = htole16(flags), n = htole16(next);

    memcpy(raw, &a, 8);
    memcpy(raw + 8, &l, 4);
    memcpy(raw + 12, &f, 2);
    memcpy(raw + 14, &n, 2);
    g_assert_cmpint(fake_write(NULL, table + 16 * i, raw, 16), ==, 0);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    set_desc_at(DESC_PA, i, addr, len, flags, next);
}

/* Driver side: publish @head as the next available chain. */
static void make_available(uint16_t head)
{
    uint16_t idx = rd16(AVAIL_PA + 2);
    wr16(AVAIL_PA + 4 + 2 * (idx % QSIZE), head);
    wr16(AVAIL_PA + 2, idx + 1);
}

/* A driver that got as far as DRIVER_OK with @features. */
static void setup(uint64_t features)
{
    memset(guest.half[0], 0, HALF);
    memset(guest.half[1], 0, HALF);
    guest.maps = 0;
    notified[0] = notified[1] = 0;
    virtio_init(&vdev, "virtio-test", 42, &test_vdc, 8);
    virtio_set_dma_ops(&vdev, &fake_dma, NULL);
    virtio_set_transport(&vdev, &fake_transport, NULL);
    vq = virtio_add_queue(&vdev, QSIZE, NULL);
    virtio_init_host_features(&vdev, 1ULL << VIRTIO_F_VERSION_1 |
                              1ULL << VIRTIO_RING_F_INDIRECT_DESC |
                              1ULL << VIRTIO_RING_F_EVENT_IDX);
    vdev.require_version_1 = true;
    g_assert_cmpint(virtio_set_status(&vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER), ==, 0);
    g_assert_cmpint(virtio_set_features(&vdev, features), ==, 0);
    g_assert_cmpint(virtio_set_status(&vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), ==, 0);
    virtio_queue_set_rings(&vdev, 0, DESC_PA, AVAIL_PA, USED_PA);
    virtio_queue_enable(&vdev, 0, true);
    virtio_set_status(&vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    vdev.config_vector = 0;
    virtio_queue_set_vector(&vdev, 0, 1);
}

static void teardown(void)
{
    virtio_cleanup(&vdev);
}

#define V1 (1ULL << VIRTIO_F_VERSION_1)

static void assert_broken(void)
{
    g_assert_true(vdev.broken);
    g_assert_true(vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpint(vdev.isr & VIRTIO_ISR_CONFIG, ==, VIRTIO_ISR_CONFIG);
    g_assert_cmpint(notified[1], ==, 1);
    g_assert_cmpint(guest.maps, ==, 0);
    /* A broken device hands out nothing until it is reset. */
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
}

/* ---- negotiation and status ---- */

static void test_features_negotiation(void)
{
    virtio_init(&vdev, "virtio-test", 42, &test_vdc, 8);
    virtio_init_host_features(&vdev, V1);
    vdev.require_version_1 = true;
    g_assert_cmphex(vdev.host_features, ==, V1 | 1ULL << 5);

    /* Unknown bits are dropped and reported. */
    g_assert_cmpint(virtio_set_features(&vdev, V1 | 1ULL << 7), ==, -1);
    g_assert_cmphex(vdev.guest_features, ==, V1);

    /* A legacy driver on a modern-only device cannot get FEATURES_OK. */
    g_assert_cmpint(virtio_set_features(&vdev, 1ULL << 5), ==, 0);
    g_assert_cmpint(virtio_set_status(&vdev, VIRTIO_CONFIG_S_FEATURES_OK), <, 0);
    g_assert_cmpint(vdev.status & VIRTIO_CONFIG_S_FEATURES_OK, ==, 0);

    g_assert_cmpint(virtio_set_features(&vdev, V1 | 1ULL << 5), ==, 0);
    g_assert_cmpint(virtio_set_status(&vdev, VIRTIO_CONFIG_S_FEATURES_OK), ==, 0);
    g_assert_cmpint(last_set_status, ==, VIRTIO_CONFIG_S_FEATURES_OK);
    /* §2.2: features cannot change after FEATURES_OK. */
    g_assert_cmpint(virtio_set_features(&vdev, V1), ==, -1);
    g_assert_cmphex(vdev.guest_features, ==, V1 | 1ULL << 5);

    virtio_set_status(&vdev, VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(vdev.started);
    virtio_reset(&vdev);
    g_assert_cmpint(vdev.status, ==, 0);
    g_assert_cmphex(vdev.guest_features, ==, 0);
    g_assert_false(vdev.started);
    virtio_cleanup(&vdev);
}

static void test_config_access(void)
{
    setup(V1);
    g_assert_cmphex(virtio_config_modern_read(&vdev, 0, 1), ==, 0x11);
    g_assert_cmphex(virtio_config_modern_read(&vdev, 4, 4), ==, 0x77000000);
    /* Past the end (or straddling it) reads all ones and writes nothing. */
    g_assert_cmphex(virtio_config_modern_read(&vdev, 6, 4), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_modern_read(&vdev, 0x10000, 1), ==, 0xffffffff);
    virtio_config_modern_write(&vdev, 7, 0x12345678, 4);
    virtio_config_modern_write(&vdev, UINT32_MAX, 1, 4);
    teardown();
}

static void test_queue_size_rules(void)
{
    setup(V1);
    virtio_queue_set_num(&vdev, 0, 8);
    g_assert_cmpint(virtio_queue_get_num(&vdev, 0), ==, 8);
    virtio_queue_set_num(&vdev, 0, 12);         /* not a power of two */
    virtio_queue_set_num(&vdev, 0, 32);         /* above the maximum */
    virtio_queue_set_num(&vdev, 0, 0);
    g_assert_cmpint(virtio_queue_get_num(&vdev, 0), ==, 8);
    virtio_queue_set_num(&vdev, 1, 8);          /* the device has no queue 1 */
    g_assert_cmpint(virtio_queue_get_num(&vdev, 1), ==, 0);
    virtio_reset(&vdev);
    g_assert_cmpint(virtio_queue_get_num(&vdev, 0), ==, QSIZE);
    teardown();
}

/* ---- well-formed requests ---- */

static void test_pop_push_chain(void)
{
    VirtQueueElement *e;
    uint8_t hdr[16];

    setup(V1);
    memset(hdr, 0xab, sizeof(hdr));
    fake_write(NULL, 0x10000, hdr, sizeof(hdr));
    set_desc(3, 0x10000, 16, VRING_DESC_F_NEXT, 5);
    set_desc(5, 0x20000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 7);
    set_desc(7, 0x30000, 1, VRING_DESC_F_WRITE, 0);
    g_assert_true(virtio_queue_empty(vq));
    make_available(3);
    g_assert_false(virtio_queue_empty(vq));

    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpint(e->index, ==, 3);
    g_assert_cmpint(e->out_num, ==, 1);
    g_assert_cmpint(e->in_num, ==, 2);
    g_assert_cmpint(iov_size(e->out_sg, e->out_num), ==, 16);
    g_assert_cmpint(iov_size(e->in_sg, e->in_num), ==, 513);
    g_assert_cmphex(e->in_addr[1], ==, 0x30000);
    g_assert_cmpmem(e->out_sg[0].iov_base, 16, hdr, 16);
    g_assert_true(virtio_queue_empty(vq));
    g_assert_null(virtqueue_pop(vq, sizeof(*e)));

    /* Writing through in_sg lands in guest memory. */
    iov_from_buf(e->in_sg, e->in_num, 512, "\x5a", 1);
    virtqueue_push(vq, e, 513);
    g_assert_cmpint(guest.maps, ==, 0);
    g_assert_cmpint(rd16(USED_PA + 2), ==, 1);
    g_assert_cmpint(rd32(USED_PA + 4), ==, 3);
    g_assert_cmpint(rd32(USED_PA + 8), ==, 513);
    g_assert_cmpint(guest.half[0][0x30000], ==, 0x5a);

    virtio_notify(&vdev, vq);
    g_assert_cmpint(notified[0], ==, 1);
    g_assert_cmpint(vdev.isr & VIRTIO_ISR_QUEUE, ==, VIRTIO_ISR_QUEUE);
    g_assert_false(vdev.broken);
    g_free(e);
    teardown();
}

static void test_buffer_across_ram_pieces(void)
{
    VirtQueueElement *e;

    setup(V1);
    set_desc(0, HALF - 100, 300, VRING_DESC_F_WRITE, 0);
    make_available(0);
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpint(e->in_num, ==, 2);
    g_assert_cmpint(e->in_sg[0].iov_len, ==, 100);
    g_assert_cmpint(e->in_sg[1].iov_len, ==, 200);
    g_assert_true(e->in_sg[1].iov_base == guest.half[1]);
    virtqueue_push(vq, e, 0);
    g_free(e);
    teardown();
}

static void test_indirect_table(void)
{
    VirtQueueElement *e;
    const uint64_t table = 0x40000;

    setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
    set_desc_at(table, 0, 0x10000, 16, VRING_DESC_F_NEXT, 2);
    set_desc_at(table, 2, 0x11000, 4096, VRING_DESC_F_NEXT, 1);
    set_desc_at(table, 1, 0x12000, 1, VRING_DESC_F_WRITE, 0);
    set_desc(9, table, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    make_available(9);
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpint(e->index, ==, 9);
    g_assert_cmpint(e->out_num, ==, 2);
    g_assert_cmpint(e->in_num, ==, 1);
    g_assert_cmphex(e->out_addr[1], ==, 0x11000);
    virtqueue_push(vq, e, 1);
    g_assert_cmpint(rd32(USED_PA + 4), ==, 9);
    g_free(e);
    teardown();
}

typedef struct BigElem {
    VirtQueueElement elem;
    uint64_t tag;
} BigElem;

static void test_element_embedding(void)
{
    BigElem *b;

    setup(V1);
    set_desc(0, 0x10000, 8, VRING_DESC_F_NEXT, 1);
    set_desc(1, 0x10100, 8, VRING_DESC_F_WRITE, 0);
    make_available(0);
    b = virtqueue_pop(vq, sizeof(*b));
    g_assert_nonnull(b);
    b->tag = 0x1234;
    g_assert_true((void *)b->elem.in_sg >= (void *)(b + 1));
    g_assert_true((void *)b->elem.out_addr >= (void *)(b + 1));
    virtqueue_push(vq, &b->elem, 0);
    g_free(b);
    teardown();
}

static void test_unpop_returns_element(void)
{
    VirtQueueElement *e;

    setup(V1);
    set_desc(4, 0x10000, 8, 0, 0);
    make_available(4);
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    virtqueue_unpop(vq, e, 0);
    g_free(e);
    e = virtqueue_pop(vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpint(e->index, ==, 4);
    g_assert_cmpint(vq->inuse, ==, 1);
    virtqueue_push(vq, e, 0);
    g_assert_cmpint(vq->inuse, ==, 0);
    g_free(e);
    teardown();
}

/* ---- notification suppression ---- */

static void test_no_interrupt_flag(void)
{
    VirtQueueElement *e;

    setup(V1);
    set_desc(0, 0x10000, 8, 0, 0);
    make_available(0);
    wr16(AVAIL_PA, VRING_AVAIL_F_NO_INTERRUPT);
    e = virtqueue_pop(vq, sizeof(*e));
    virtqueue_push(vq, e, 0);
    virtio_notify(&vdev, vq);
    g_assert_cmpint(notified[0], ==, 0);
    wr16(AVAIL_PA, 0);
    virtio_notify(&vdev, vq);
    g_assert_cmpint(notified[0], ==, 1);
    g_free(e);

    virtio_queue_set_notification(vq, 0);
    g_assert_cmpint(rd16(USED_PA), ==, VRING_USED_F_NO_NOTIFY);
    virtio_queue_set_notification(vq, 1);
    g_assert_cmpint(rd16(USED_PA), ==, 0);
    teardown();
}

static void test_event_idx(void)
{
    VirtQueueElement *e;
    const uint64_t used_event = AVAIL_PA + 4 + 2 * QSIZE;
    const uint64_t avail_event = USED_PA + 4 + 8 * QSIZE;

    setup(V1 | 1ULL << VIRTIO_RING_F_EVENT_IDX);
    for (int i = 0; i < 4; i++) {
        set_desc(i, 0x10000 + i * 0x100, 8, 0, 0);
        make_available(i);
    }
    /* The driver wants an interrupt when used->idx passes 2 (i.e. reaches 3). */
    wr16(used_event, 2);
    for (int i = 0; i < 4; i++) {
        e = virtqueue_pop(vq, sizeof(*e));
        g_assert_nonnull(e);
        /* Popping tells the driver how far we have read. */
        g_assert_cmpint(rd16(avail_event), ==, i + 1);
        virtqueue_push(vq, e, 0);
        virtio_notify(&vdev, vq);
        g_free(e);
        /* First notify always fires (nothing signalled yet), then only at idx 3. */
        g_assert_cmpint(notified[0], ==, i < 2 ? 1 : 2);
    }
    /* VRING_USED_F_NO_NOTIFY is not used with event idx; avail_event is. */
    wr16(AVAIL_PA + 2, 7);
    virtio_queue_set_notification(vq, 1);
    g_assert_cmpint(rd16(avail_event), ==, 7);
    g_assert_cmpint(rd16(USED_PA), ==, 0);
    teardown();
}

/* ---- hostile drivers: each must break the device, never the host ---- */

static void test_loop_in_chain(void)
{
    setup(V1);
    set_desc(0, 0x10000, 8, VRING_DESC_F_NEXT, 1);
    set_desc(1, 0x10000, 8, VRING_DESC_F_NEXT, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    /* Reset brings it back. */
    virtio_reset(&vdev);
    g_assert_false(vdev.broken);
    g_assert_cmpint(vdev.status, ==, 0);
    teardown();
}

static void test_self_loop(void)
{
    setup(V1);
    set_desc(5, 0x10000, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5);
    make_available(5);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_buffer_outside_ram(void)
{
    setup(V1);
    set_desc(0, RAM_SIZE - 8, 16, 0, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();

    setup(V1);
    set_desc(0, UINT64_MAX - 3, 8, VRING_DESC_F_WRITE, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_rings_outside_ram(void)
{
    setup(V1);
    virtio_queue_set_rings(&vdev, 0, 0x7fff0000000ULL, AVAIL_PA, USED_PA);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();

    setup(V1);
    virtio_queue_set_rings(&vdev, 0, DESC_PA, RAM_SIZE - 2, USED_PA);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    g_assert_true(vdev.broken);
    teardown();
}

static void test_head_out_of_range(void)
{
    setup(V1);
    make_available(QSIZE);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_next_out_of_range(void)
{
    setup(V1);
    set_desc(0, 0x10000, 8, VRING_DESC_F_NEXT, QSIZE + 3);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_avail_idx_jump(void)
{
    setup(V1);
    wr16(AVAIL_PA + 2, QSIZE + 1);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    g_assert_true(vdev.broken);
    teardown();
}

static void test_zero_length_buffer(void)
{
    setup(V1);
    set_desc(0, 0x10000, 0, 0, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_read_after_write_descriptor(void)
{
    setup(V1);
    set_desc(0, 0x10000, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    set_desc(1, 0x11000, 8, 0, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_bad_indirect_tables(void)
{
    const uint64_t table = 0x40000;
    static const struct { uint64_t addr; uint32_t len; } bad[] = {
        { table, 0 },                   /* empty */
        { table, 24 },                  /* not whole descriptors */
        { RAM_SIZE - 16, 32 },          /* runs out of RAM */
        { 0xfffffffffffffff0ULL, 16 },  /* wraps the address space */
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
        set_desc_at(table, 0, 0x10000, 8, 0, 0);
        set_desc_at(table, 1, 0x10000, 8, 0, 0);
        set_desc(0, bad[i].addr, bad[i].len, VRING_DESC_F_INDIRECT, 0);
        make_available(0);
        g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
        assert_broken();
        teardown();
    }

    /* Nested indirect, first entry and later in the chain. */
    for (unsigned pos = 0; pos < 2; pos++) {
        setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
        set_desc_at(table, 0, pos ? 0x10000 : table, 16,
                    pos ? VRING_DESC_F_NEXT : VRING_DESC_F_INDIRECT, 1);
        set_desc_at(table, 1, table, 32, VRING_DESC_F_INDIRECT, 0);
        set_desc(0, table, 32, VRING_DESC_F_INDIRECT, 0);
        make_available(0);
        g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
        assert_broken();
        teardown();
    }

    /* A loop inside the table. */
    setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
    set_desc_at(table, 0, 0x10000, 8, VRING_DESC_F_NEXT, 1);
    set_desc_at(table, 1, 0x10000, 8, VRING_DESC_F_NEXT, 0);
    set_desc(0, table, 32, VRING_DESC_F_INDIRECT, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_too_many_segments(void)
{
    const uint64_t table = 0x40000;
    const unsigned n = VIRTQUEUE_MAX_SIZE + 8;

    setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
    for (unsigned i = 0; i < n; i++) {
        set_desc_at(table, i, 0x80000 + i, 1, i + 1 < n ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    set_desc(0, table, n * 16, VRING_DESC_F_INDIRECT, 0);
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    assert_broken();
    teardown();
}

static void test_queue_overrun(void)
{
    VirtQueueElement *e[QSIZE];

    setup(V1);
    set_desc(0, 0x10000, 8, 0, 0);
    for (int i = 0; i < QSIZE; i++) {
        make_available(0);
        e[i] = virtqueue_pop(vq, sizeof(VirtQueueElement));
        g_assert_nonnull(e[i]);
    }
    /* All QSIZE entries are with the device; the guest offers yet another. */
    make_available(0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    g_assert_true(vdev.broken);
    for (int i = 0; i < QSIZE; i++) {
        virtqueue_detach_element(vq, e[i], 0);
        g_free(e[i]);
    }
    g_assert_cmpint(guest.maps, ==, 0);
    teardown();
}

/* Random rings: whatever the guest writes, the host only touches guest RAM. */
static void test_random_rings(void)
{
    GRand *r = g_rand_new_with_seed(20261125);
    unsigned popped = 0, broke = 0;

    for (int round = 0; round < 2000; round++) {
        VirtQueueElement *e;

        setup(V1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << VIRTIO_RING_F_EVENT_IDX);
        for (unsigned i = 0; i < QSIZE; i++) {
            uint64_t addr = 0x40000 + (uint64_t)g_rand_int_range(r, 0, 64) * 16;
            uint32_t len = g_rand_int_range(r, 0, 80);
            if (g_rand_int_range(r, 0, 8) == 0) {
                addr = (uint64_t)g_rand_int(r) << 16 | g_rand_int(r);
            }
            if (g_rand_int_range(r, 0, 4) == 0) {
                len = g_rand_int(r);
            }
            set_desc(i, addr, len,
                     g_rand_int_range(r, 0, 8), g_rand_int_range(r, 0, QSIZE + 2));
        }
        for (unsigned i = 0; i < 64; i++) {
            set_desc_at(0x40000, i, g_rand_int_range(r, 0, RAM_SIZE + 64),
                        g_rand_int_range(r, 0, 5000), g_rand_int_range(r, 0, 8),
                        g_rand_int_range(r, 0, 8));
        }
        for (unsigned i = 0; i < 4; i++) {
            make_available(g_rand_int_range(r, 0, QSIZE + 1));
        }
        while ((e = virtqueue_pop(vq, sizeof(*e))) != NULL) {
            for (unsigned i = 0; i < e->in_num; i++) {
                uint8_t *p = e->in_sg[i].iov_base;
                bool in0 = p >= guest.half[0] && p + e->in_sg[i].iov_len <= guest.half[0] + HALF;
                bool in1 = p >= guest.half[1] && p + e->in_sg[i].iov_len <= guest.half[1] + HALF;
                g_assert_true(in0 || in1);
                memset(p, 0, e->in_sg[i].iov_len);
            }
            virtqueue_push(vq, e, iov_size(e->in_sg, e->in_num));
            virtio_notify(&vdev, vq);
            g_free(e);
            popped++;
        }
        broke += vdev.broken;
        g_assert_cmpint(guest.maps, ==, 0);
        teardown();
    }
    g_rand_free(r);
    /* The generator must exercise both outcomes to mean anything. */
    g_assert_cmpuint(popped, >, 100);
    g_assert_cmpuint(broke, >, 100);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    guest.half[0] = g_malloc0(HALF);
    guest.half[1] = g_malloc0(HALF);

    g_test_add_func("/virtio/features/negotiation", test_features_negotiation);
    g_test_add_func("/virtio/config/access", test_config_access);
    g_test_add_func("/virtio/queue/size-rules", test_queue_size_rules);
    g_test_add_func("/virtio/ring/pop-push-chain", test_pop_push_chain);
    g_test_add_func("/virtio/ring/buffer-across-ram-pieces", test_buffer_across_ram_pieces);
    g_test_add_func("/virtio/ring/indirect-table", test_indirect_table);
    g_test_add_func("/virtio/ring/element-embedding", test_element_embedding);
    g_test_add_func("/virtio/ring/unpop", test_unpop_returns_element);
    g_test_add_func("/virtio/notify/no-interrupt-flag", test_no_interrupt_flag);
    g_test_add_func("/virtio/notify/event-idx", test_event_idx);
    g_test_add_func("/virtio/hostile/loop-in-chain", test_loop_in_chain);
    g_test_add_func("/virtio/hostile/self-loop", test_self_loop);
    g_test_add_func("/virtio/hostile/buffer-outside-ram", test_buffer_outside_ram);
    g_test_add_func("/virtio/hostile/rings-outside-ram", test_rings_outside_ram);
    g_test_add_func("/virtio/hostile/head-out-of-range", test_head_out_of_range);
    g_test_add_func("/virtio/hostile/next-out-of-range", test_next_out_of_range);
    g_test_add_func("/virtio/hostile/avail-idx-jump", test_avail_idx_jump);
    g_test_add_func("/virtio/hostile/zero-length-buffer", test_zero_length_buffer);
    g_test_add_func("/virtio/hostile/read-after-write", test_read_after_write_descriptor);
    g_test_add_func("/virtio/hostile/bad-indirect-tables", test_bad_indirect_tables);
    g_test_add_func("/virtio/hostile/too-many-segments", test_too_many_segments);
    g_test_add_func("/virtio/hostile/queue-overrun", test_queue_overrun);
    g_test_add_func("/virtio/hostile/random-rings", test_random_rings);
    int ret = g_test_run();
    g_free(guest.half[0]);
    g_free(guest.half[1]);
    return ret;
}
