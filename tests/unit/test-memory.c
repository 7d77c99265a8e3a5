/*
 * The memory API: flattening with priorities and aliases, access splitting,
 * unassigned space, DMA refusing non-RAM, scatter-gather copies, IRQ lines.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "sysemu/dma.h"
#include "hw/irq.h"

typedef struct Recorder {
    hwaddr last_addr;
    unsigned last_size;
    uint64_t last_val;
    int reads, writes;
    uint64_t reg;
} Recorder;

static uint64_t rec_read(void *opaque, hwaddr addr, unsigned size)
{
    Recorder *r = opaque;

    r->reads++;
    r->last_addr = addr;
    r->last_size = size;
    return (r->reg >> ((addr & 7) * 8)) & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1);
}

static void rec_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Recorder *r = opaque;

    r->writes++;
    r->last_addr = addr;
    r->last_size = size;
    r->last_val = val;
}

static const MemoryRegionOps rec_ops_4 = {
    .read = rec_read,
    .write = rec_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static const MemoryRegionOps rec_ops_any = {
    .read = rec_read,
    .write = rec_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps rec_ops_only4 = {
    .read = rec_read,
    .write = rec_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

typedef struct Fixture {
    MemoryRegion root, ram, lowalias, mmio, hi;
    AddressSpace as;
    Recorder rec, rec_hi;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memory_region_init(&f->root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&f->ram, NULL, "ram", 1 << 20, &error_abort));
    memory_region_add_subregion(&f->root, 0, &f->ram);
    memory_region_init_io(&f->mmio, NULL, &rec_ops_4, &f->rec, "mmio", 0x1000);
    memory_region_add_subregion(&f->root, 0x100000, &f->mmio);
    address_space_init(&f->as, &f->root, "test");
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    address_space_destroy(&f->as);
    memory_region_finalize(&f->mmio);
    memory_region_finalize(&f->ram);
    memory_region_finalize(&f->root);
}

static void test_ram_roundtrip(Fixture *f, gconstpointer data)
{
    uint8_t out[16], in[16];
    hwaddr xlat, len = 0x1000;
    MemoryRegion *mr;

    for (int i = 0; i < 16; i++) {
        out[i] = i * 7;
    }
    g_assert_cmpint(address_space_write(&f->as, 0x1234, MEMTXATTRS_UNSPECIFIED, out, 16), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_read(&f->as, 0x1234, MEMTXATTRS_UNSPECIFIED, in, 16), ==,
                    MEMTX_OK);
    g_assert_cmpmem(in, 16, out, 16);

    /* The fast path a vCPU uses sees the same bytes at the same host place. */
    mr = address_space_translate(&f->as, 0x1234, &xlat, &len, false, MEMTXATTRS_UNSPECIFIED);
    g_assert_true(mr == &f->ram);
    g_assert_cmpuint(xlat, ==, 0x1234);
    g_assert_cmpuint(len, ==, 0x1000);
    g_assert_cmpmem((uint8_t *)memory_region_get_ram_ptr(mr) + xlat, 16, out, 16);

    /* Clipped to the end of RAM. */
    len = 0x1000;
    mr = address_space_translate(&f->as, 0xfff00, &xlat, &len, false, MEMTXATTRS_UNSPECIFIED);
    g_assert_true(mr == &f->ram);
    g_assert_cmpuint(len, ==, 0x100);
}

static void test_mmio_split_and_widen(Fixture *f, gconstpointer data)
{
    uint64_t v;

    /* impl 4 bytes: an 8-byte access becomes two 4-byte ones. */
    g_assert_cmpint(address_space_write_sized(&f->as, 0x100010, 0x1122334455667788ULL, 8,
                                              MEMTXATTRS_UNSPECIFIED), ==, MEMTX_OK);
    g_assert_cmpint(f->rec.writes, ==, 2);
    g_assert_cmpuint(f->rec.last_addr, ==, 0x14);
    g_assert_cmpuint(f->rec.last_size, ==, 4);
    g_assert_cmphex(f->rec.last_val, ==, 0x11223344);

    /* A byte read is widened to the implemented 4 bytes and masked. */
    f->rec.reg = 0xa1b2c3d4;
    g_assert_cmpint(address_space_read_sized(&f->as, 0x100000, &v, 1, MEMTXATTRS_UNSPECIFIED),
                    ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xd4);
    g_assert_cmpuint(f->rec.last_size, ==, 4);
}

static void test_invalid_size_refused(Fixture *f, gconstpointer data)
{
    MemoryRegion strict;
    Recorder r = { 0 };
    uint64_t v = 123;

    memory_region_init_io(&strict, NULL, &rec_ops_only4, &r, "strict", 0x100);
    memory_region_add_subregion(&f->root, 0x200000, &strict);
    g_assert_cmpint(address_space_read_sized(&f->as, 0x200000, &v, 2, MEMTXATTRS_UNSPECIFIED),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(r.reads, ==, 0);
    g_assert_cmpint(address_space_read_sized(&f->as, 0x200004, &v, 4, MEMTXATTRS_UNSPECIFIED),
                    ==, MEMTX_OK);
    g_assert_cmpint(r.reads, ==, 1);
    memory_region_finalize(&strict);
}

static void test_unassigned(Fixture *f, gconstpointer data)
{
    uint32_t v = 0xdeadbeef;

    g_assert_cmpint(address_space_read(&f->as, 0x300000, MEMTXATTRS_UNSPECIFIED, &v, 4), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0);
}

static void test_overlap_priority(Fixture *f, gconstpointer data)
{
    Recorder r = { 0 };
    MemoryRegion over;
    uint8_t b = 0x5a, got = 0;

    /* A higher-priority window over RAM takes the accesses... */
    memory_region_init_io(&over, NULL, &rec_ops_any, &r, "over", 0x1000);
    memory_region_add_subregion_overlap(&f->root, 0x2000, &over, 1);
    address_space_write(&f->as, 0x2010, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 1);
    g_assert_cmpuint(r.last_addr, ==, 0x10);
    /* ...RAM around it is untouched by the split... */
    address_space_write(&f->as, 0x1fff, MEMTXATTRS_UNSPECIFIED, &b, 1);
    address_space_read(&f->as, 0x1fff, MEMTXATTRS_UNSPECIFIED, &got, 1);
    g_assert_cmphex(got, ==, 0x5a);
    /* ...disabling it shows RAM again, moving it moves the window. */
    memory_region_set_enabled(&over, false);
    address_space_write(&f->as, 0x2010, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 1);
    memory_region_set_enabled(&over, true);
    memory_region_set_address(&over, 0x5000);
    address_space_write(&f->as, 0x2010, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 1);
    address_space_write(&f->as, 0x5020, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 2);
    g_assert_cmpuint(r.last_addr, ==, 0x20);

    /* A lower-priority region never shows through RAM. */
    memory_region_del_subregion(&f->root, &over);
    memory_region_add_subregion_overlap(&f->root, 0x2000, &over, -1);
    address_space_write(&f->as, 0x2010, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 2);
    memory_region_finalize(&over);
}

static void test_alias(Fixture *f, gconstpointer data)
{
    MemoryRegion alias;
    uint32_t v = 0x01020304, got = 0;

    /* The PC's "above 4G" RAM is an alias of the tail of the RAM block. */
    memory_region_init_alias(&alias, NULL, "ram-above", &f->ram, 0x80000, 0x80000);
    memory_region_add_subregion(&f->root, 0x100000000ULL, &alias);
    address_space_write(&f->as, 0x100000010ULL, MEMTXATTRS_UNSPECIFIED, &v, 4);
    address_space_read(&f->as, 0x80010, MEMTXATTRS_UNSPECIFIED, &got, 4);
    g_assert_cmphex(got, ==, v);
    memory_region_finalize(&alias);
}

static void test_readonly_alias(Fixture *f, gconstpointer data)
{
    MemoryRegion rom_view;
    uint32_t v = 0x11223344, got = 0;
    hwaddr xlat, len = 4;

    /* A read-only alias over RAM (PAM "read enable" mode): reads RAM, drops writes. */
    address_space_write(&f->as, 0x8000, MEMTXATTRS_UNSPECIFIED, &v, 4);
    memory_region_init_alias(&rom_view, NULL, "rom-view", &f->ram, 0x8000, 0x1000);
    memory_region_set_readonly(&rom_view, true);
    memory_region_add_subregion_overlap(&f->root, 0x8000, &rom_view, 1);
    v = 0x55667788;
    address_space_write(&f->as, 0x8000, MEMTXATTRS_UNSPECIFIED, &v, 4);
    address_space_read(&f->as, 0x8000, MEMTXATTRS_UNSPECIFIED, &got, 4);
    g_assert_cmphex(got, ==, 0x11223344);
    g_assert_null(address_space_translate(&f->as, 0x8000, &xlat, &len, true,
                                          MEMTXATTRS_UNSPECIFIED));
    memory_region_finalize(&rom_view);
    address_space_write(&f->as, 0x8000, MEMTXATTRS_UNSPECIFIED, &v, 4);
    address_space_read(&f->as, 0x8000, MEMTXATTRS_UNSPECIFIED, &got, 4);
    g_assert_cmphex(got, ==, 0x55667788);
}

static void test_container_nesting(Fixture *f, gconstpointer data)
{
    MemoryRegion box, inner;
    Recorder r = { 0 };
    uint8_t b = 1;

    /* A BAR-like container at 0x400000 with a register block at +0x30. */
    memory_region_init(&box, NULL, "box", 0x1000);
    memory_region_init_io(&inner, NULL, &rec_ops_any, &r, "inner", 0x10);
    memory_region_add_subregion(&box, 0x30, &inner);
    memory_region_add_subregion(&f->root, 0x400000, &box);
    address_space_write(&f->as, 0x400035, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpint(r.writes, ==, 1);
    g_assert_cmpuint(r.last_addr, ==, 5);
    /* The container itself has no contents: its holes are unassigned. */
    g_assert_cmpint(address_space_write(&f->as, 0x400000, MEMTXATTRS_UNSPECIFIED, &b, 1), ==,
                    MEMTX_DECODE_ERROR);
    memory_region_del_subregion(&f->root, &box);
    memory_region_finalize(&inner);
    memory_region_finalize(&box);
}

static void test_dma_refuses_non_ram(Fixture *f, gconstpointer data)
{
    uint8_t buf[32] = { 0 };
    dma_addr_t len;

    g_assert_cmpint(dma_memory_write(&f->as, 0x100, buf, 32, MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
    /* Straddling the end of RAM into MMIO: refused and nothing reaches the device. */
    g_assert_cmpint(dma_memory_write(&f->as, 0xffff0, buf, 32, MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_ERROR);
    g_assert_cmpint(f->rec.writes, ==, 0);
    g_assert_cmpint(dma_memory_read(&f->as, 0x500000, buf, 1, MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_ERROR);
    /* A wrapping range. */
    g_assert_cmpint(dma_memory_read(&f->as, UINT64_MAX - 4, buf, 16,
                                    MEMTXATTRS_UNSPECIFIED), ==, MEMTX_ERROR);
    len = 4096;
    g_assert_null(dma_memory_map(&f->as, 0x100000, &len, DMA_DIRECTION_TO_DEVICE,
                                 MEMTXATTRS_UNSPECIFIED));
    len = 4096;
    g_assert_nonnull(dma_memory_map(&f->as, 0xff800, &len, DMA_DIRECTION_TO_DEVICE,
                                    MEMTXATTRS_UNSPECIFIED));
    g_assert_cmpuint(len, ==, 0x800);
}

static void test_sglist(Fixture *f, gconstpointer data)
{
    QEMUSGList sg;
    uint8_t src[300], dst[300];
    dma_addr_t residual;
    struct iovec *iov;
    int niov;

    for (int i = 0; i < 300; i++) {
        src[i] = i;
    }
    qemu_sglist_init(&sg, NULL, 1, &f->as);
    qemu_sglist_add(&sg, 0x1000, 100);
    qemu_sglist_add(&sg, 0x3000, 200);
    g_assert_cmpuint(sg.size, ==, 300);
    g_assert_cmpint(dma_buf_write(src, 300, &residual, &sg, MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
    g_assert_cmpuint(residual, ==, 0);
    address_space_read(&f->as, 0x3000, MEMTXATTRS_UNSPECIFIED, dst, 200);
    g_assert_cmpmem(dst, 200, src + 100, 200);
    memset(dst, 0, sizeof(dst));
    g_assert_cmpint(dma_buf_read(dst, 300, NULL, &sg, MEMTXATTRS_UNSPECIFIED), ==, MEMTX_OK);
    g_assert_cmpmem(dst, 300, src, 300);
    g_assert_cmpint(dma_sglist_to_iovec(&sg, DMA_DIRECTION_TO_DEVICE, &iov, &niov), ==,
                    MEMTX_OK);
    g_assert_cmpint(niov, ==, 2);
    g_assert_cmpuint(iov[1].iov_len, ==, 200);
    g_free(iov);

    qemu_sglist_add(&sg, 0x100000, 16);        /* MMIO */
    g_assert_cmpint(dma_sglist_to_iovec(&sg, DMA_DIRECTION_TO_DEVICE, &iov, &niov), ==,
                    MEMTX_ERROR);
    g_assert_cmpint(niov, ==, 0);
    qemu_sglist_destroy(&sg);
}

static void test_pio_unassigned_reads_ones(void)
{
    g_assert_cmphex(cpu_inb(0x1234), ==, 0xff);
    g_assert_cmphex(cpu_inl(0x1234), ==, 0xffffffff);
}

static int irq_levels[4];

static void irq_rec(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

static int intercepted[4];

static void irq_intercepted(void *opaque, int n, int level)
{
    intercepted[n] = level + 10;
}

static void test_irq_lines(void)
{
    qemu_irq *in = qemu_allocate_irqs(irq_rec, NULL, 4);
    IRQGpioGroup *g;

    qemu_irq_raise(in[2]);
    g_assert_cmpint(irq_levels[2], ==, 1);
    qemu_irq_pulse(in[1]);
    g_assert_cmpint(irq_levels[1], ==, 0);

    qemu_irq_register_gpio_in("/machine/testintc", NULL, in, 4);
    g_assert_null(qemu_irq_find_gpio("nope", false));
    g = qemu_irq_find_gpio("testintc", false);
    g_assert_nonnull(g);
    g_assert_true(qemu_irq_gpio_line(g, "unnamed-gpio-in", 3) == in[3]);
    qemu_irq_intercept(g, irq_intercepted, NULL);
    qemu_irq_raise(in[3]);
    g_assert_cmpint(intercepted[3], ==, 11);
    g_assert_cmpint(irq_levels[3], ==, 1);      /* passive: still delivered */
    qemu_irq_gpio_reset_registry();
    qemu_free_irqs(in, 4);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add("/memory/" name, Fixture, NULL, fixture_setup, fn, \
                               fixture_teardown)
    T("ram-roundtrip", test_ram_roundtrip);
    T("mmio-split-and-widen", test_mmio_split_and_widen);
    T("invalid-size-refused", test_invalid_size_refused);
    T("unassigned", test_unassigned);
    T("overlap-priority", test_overlap_priority);
    T("alias", test_alias);
    T("container-nesting", test_container_nesting);
    T("readonly-alias", test_readonly_alias);
    T("dma-refuses-non-ram", test_dma_refuses_non_ram);
    T("sglist", test_sglist);
    g_test_add_func("/memory/pio-unassigned-reads-ones", test_pio_unassigned_reads_ones);
    g_test_add_func("/irq/lines-and-intercept", test_irq_lines);
    return g_test_run();
}
