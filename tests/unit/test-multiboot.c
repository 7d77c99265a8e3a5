/*
 * hw/i386/multiboot.c: loading the real bundled guest and crafted images
 * into a RAM buffer, and the information structure a kernel finds there.
 *
 * The expected memory map is the one blkcheck.elf prints on QEMU 7.2's pc
 * machine (SeaBIOS's own carve-outs at the top of low RAM left out).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hw/i386/multiboot.h"

#define RAM_SIZE    (32u << 20)

static uint8_t *ram;
static const MultibootMemoryLayout layout = { RAM_SIZE, 0 };
static char *tmpdir;

static bool ram_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    g_assert_true(opaque == ram);
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa) {
        return false;
    }
    if (buf) {
        memcpy(ram + gpa, buf, len);
    } else {
        memset(ram + gpa, 0, len);
    }
    return true;
}

static uint32_t rd32(uint64_t gpa)
{
    return ram[gpa] | ram[gpa + 1] << 8 | ram[gpa + 2] << 16 | (uint32_t)ram[gpa + 3] << 24;
}

static uint64_t rd64(uint64_t gpa)
{
    return rd32(gpa) | (uint64_t)rd32(gpa + 4) << 32;
}

static const char *guest_str(uint32_t gpa)
{
    g_assert_cmpuint(gpa, <, RAM_SIZE);
    g_assert_nonnull(memchr(ram + gpa, 0, RAM_SIZE - gpa));
    return (const char *)ram + gpa;
}

static char *write_tmp(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

static bool load(const char *path, const char *cmdline, const char *initrd,
                 MultibootBootState *st, Error **errp)
{
    memset(ram, 0xcc, RAM_SIZE);
    return multiboot_load(path, cmdline, initrd, &layout, ram_write, ram, st, errp);
}

/* Load @path and return the error message, which must start "-kernel PATH: ". */
static char *load_error(const char *path, const char *initrd)
{
    MultibootBootState st;
    Error *err = NULL;

    g_assert_false(load(path, NULL, initrd, &st, &err));
    g_assert_nonnull(err);
    char *msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void assert_kernel_error(const char *path, const char *why)
{
    g_autofree char *msg = load_error(path, NULL);
    g_autofree char *want = g_strdup_printf("-kernel %s: %s", path, why);
    g_assert_cmpstr(msg, ==, want);
}

static void test_blkcheck_elf(void)
{
    const char *elf = g_getenv("BLKCHECK_ELF");
    g_autofree char *file = NULL;
    gsize size;
    MultibootBootState st;

    g_assert_nonnull(elf);
    g_assert_true(g_file_get_contents(elf, &file, &size, NULL));
    g_assert_cmpuint(size, >, 52);

    g_assert_true(load(elf, "n=5 verbose", NULL, &st, &error_abort));
    g_assert_true(st.multiboot);
    /* e_entry of the ELF32 file */
    uint32_t entry = (uint8_t)file[24] | (uint8_t)file[25] << 8 |
                     (uint8_t)file[26] << 16 | (uint32_t)(uint8_t)file[27] << 24;
    g_assert_cmphex(st.eip, ==, entry);
    g_assert_cmphex(st.eax, ==, 0x2BADB002);
    g_assert_cmphex(st.ebx, ==, 0x9500);
    g_assert_cmphex(st.cr0 & 0x80000001, ==, 1);
    g_assert_cmphex(st.eflags & 0x200, ==, 0);
    g_assert_cmphex(st.cs.base, ==, 0);
    g_assert_cmphex(st.cs.limit, ==, 0xffffffff);
    g_assert_cmphex(st.ds.base, ==, 0);
    g_assert_cmphex(st.ds.limit, ==, 0xffffffff);
    /* The GDT the state points at has the selectors' flat descriptors. */
    g_assert_cmphex(rd64(st.gdt_base + st.cs.selector), ==, 0x00cf9a000000ffffull);
    g_assert_cmphex(rd64(st.gdt_base + st.ds.selector), ==, 0x00cf92000000ffffull);

    /* tests/guests/link.ld puts the header first, at 1 MiB. */
    g_assert_cmphex(st.kernel_low, ==, 0x100000);
    g_assert_cmphex(rd32(0x100000), ==, 0x1BADB002);
    g_assert_cmpuint(st.kernel_high, >, 0x100000 + 4096);
    /* The stack sits at the end of .bss, which must be zero, not 0xcc. */
    for (uint64_t a = st.kernel_high - 256; a < st.kernel_high; a++) {
        g_assert_cmpuint(ram[a], ==, 0);
    }

    uint32_t flags = rd32(0x9500);
    g_assert_cmphex(flags, ==, 0x24f);  /* memory, boot dev, cmdline, mods, mmap, name */
    g_assert_cmpuint(rd32(0x9500 + 4), ==, 639);
    g_assert_cmpuint(rd32(0x9500 + 8), ==, (RAM_SIZE - 0x100000) / 1024);
    g_assert_cmphex(rd32(0x9500 + 12), ==, 0x8000ffff);
    g_autofree char *want_cmdline = g_strdup_printf("%s n=5 verbose", elf);
    g_assert_cmpstr(guest_str(rd32(0x9500 + 16)), ==, want_cmdline);
    g_assert_cmpuint(rd32(0x9500 + 20), ==, 0);
    g_assert_cmpstr(guest_str(rd32(0x9500 + 64)), ==, "qemu");
    g_assert_cmpuint(rd32(0x9500 + 16), >=, st.kernel_high);

    static const uint64_t want_mmap[][3] = {
        { 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, RAM_SIZE - 0x100000, 1 }, { 0xfffc0000, 0x40000, 2 },
    };
    g_assert_cmphex(rd32(0x9500 + 48), ==, 0x9000);
    g_assert_cmpuint(rd32(0x9500 + 44), ==, G_N_ELEMENTS(want_mmap) * 24);
    for (unsigned i = 0; i < G_N_ELEMENTS(want_mmap); i++) {
        uint64_t e = 0x9000 + 24 * i;
        g_assert_cmpuint(rd32(e), ==, 20);
        g_assert_cmphex(rd64(e + 4), ==, want_mmap[i][0]);
        g_assert_cmphex(rd64(e + 12), ==, want_mmap[i][1]);
        g_assert_cmpuint(rd32(e + 20), ==, want_mmap[i][2]);
    }
}

static void test_modules(void)
{
    const char *elf = g_getenv("BLKCHECK_ELF");
    static const char hello[] = "hello module";
    uint8_t big[5000];
    MultibootBootState st;

    memset(big, 0xab, sizeof(big));
    g_autofree char *m1 = write_tmp("m1", hello, strlen(hello));
    g_autofree char *m2 = write_tmp("m,2", big, sizeof(big));
    /* ",," is a comma in the name; text after a space is the module's cmdline */
    g_autofree char *initrd = g_strdup_printf("%s arg1 arg2,%s/m,,2", m1, tmpdir);
    g_assert_true(load(elf, NULL, initrd, &st, &error_abort));

    g_assert_cmpuint(st.mods_count, ==, 2);
    g_assert_cmpuint(rd32(0x9500 + 20), ==, 2);
    uint32_t recs = rd32(0x9500 + 24);
    g_assert_cmpuint(recs, >=, st.kernel_high);

    uint32_t s1 = rd32(recs), e1 = rd32(recs + 4);
    uint32_t s2 = rd32(recs + 16), e2 = rd32(recs + 20);
    g_assert_cmpuint(s1 % 4096, ==, 0);
    g_assert_cmpuint(s2 % 4096, ==, 0);
    g_assert_cmpuint(e1 - s1, ==, strlen(hello));
    g_assert_cmpuint(e2 - s2, ==, sizeof(big));
    g_assert_cmpuint(s2, >=, e1);
    g_assert_cmpmem(ram + s1, e1 - s1, hello, strlen(hello));
    g_assert_cmpmem(ram + s2, e2 - s2, big, sizeof(big));
    g_autofree char *c1 = g_strdup_printf("%s arg1 arg2", m1);
    g_assert_cmpstr(guest_str(rd32(recs + 8)), ==, c1);
    g_assert_cmpstr(guest_str(rd32(recs + 24)), ==, m2);
    /* The structures sit between the kernel and the first module. */
    g_assert_cmpuint(rd32(0x9500 + 16), <, s1);
    g_assert_cmpuint(rd32(0x9500 + 64), <, s1);

    g_autofree char *missing = g_strdup_printf("%s,%s/absent", m1, tmpdir);
    g_autofree char *msg = load_error(elf, missing);
    g_autofree char *prefix = g_strdup_printf("-initrd %s/absent: ", tmpdir);
    g_assert_true(g_str_has_prefix(msg, prefix));
}

/* A multiboot header with the address fields, at offset 0 of the file. */
static char *aout_kludge(const char *name, uint32_t header_addr, uint32_t load_addr,
                         uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    uint32_t img[64];
    uint32_t flags = MULTIBOOT_HEADER_MEMORY | MULTIBOOT_HEADER_HAS_ADDR;

    for (unsigned i = 0; i < G_N_ELEMENTS(img); i++) {
        img[i] = GUINT32_TO_LE(0x11110000 + i);
    }
    uint32_t h[8] = { MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags),
                      header_addr, load_addr, load_end, bss_end, entry };
    for (int i = 0; i < 8; i++) {
        img[i] = GUINT32_TO_LE(h[i]);
    }
    return write_tmp(name, img, sizeof(img));
}

static void test_aout_kludge(void)
{
    MultibootBootState st;
    g_autofree char *ok = aout_kludge("aout", 0x200000, 0x200000, 0, 0x203000, 0x200040);

    g_assert_true(load(ok, NULL, NULL, &st, &error_abort));
    g_assert_true(st.multiboot);
    g_assert_cmphex(st.eip, ==, 0x200040);
    g_assert_cmphex(st.kernel_low, ==, 0x200000);
    g_assert_cmphex(st.kernel_high, ==, 0x203000);
    g_assert_cmphex(rd32(0x200000), ==, MULTIBOOT_HEADER_MAGIC);
    g_assert_cmphex(rd32(0x200000 + 4 * 63), ==, 0x11110000 + 63);
    g_assert_cmpuint(ram[0x200100], ==, 0);        /* bss */
    g_assert_cmpuint(ram[0x202fff], ==, 0);
    /* As on QEMU, the command line follows the kernel, page aligned. */
    g_assert_cmphex(rd32(0x9500 + 16), ==, 0x203000);
    g_assert_cmphex(rd32(0x9500 + 24), ==, 0x203000);

    g_autofree char *bad_load = aout_kludge("bad1", 0x100000, 0x100010, 0, 0, 0x100000);
    assert_kernel_error(bad_load, "invalid load_addr address");
    g_autofree char *bad_hdr = aout_kludge("bad2", 0x100040, 0x100000, 0, 0, 0x100000);
    assert_kernel_error(bad_hdr, "invalid header_addr address");
    g_autofree char *bad_end = aout_kludge("bad3", 0x100000, 0x100000, 0xfffff, 0, 0x100000);
    assert_kernel_error(bad_end, "invalid load_end_addr address");
    g_autofree char *bad_bss = aout_kludge("bad4", 0x100000, 0x100000, 0x100100, 0x100010,
                                           0x100000);
    assert_kernel_error(bad_bss, "invalid bss_end_addr address");
    g_autofree char *past = aout_kludge("bad5", 0x100000, 0x100000, 0x200000, 0, 0x100000);
    assert_kernel_error(past, "load_end_addr lies beyond the end of the file");

    g_autofree char *high = aout_kludge("high", 0x7f000000, 0x7f000000, 0, 0, 0x7f000000);
    assert_kernel_error(high, "kernel at 0x7f000000-0x7f0000ff is not in RAM");
    g_autofree char *low = aout_kludge("low", 0x8000, 0x8000, 0, 0x10000, 0x8000);
    assert_kernel_error(low, "kernel at 0x8000 overlaps the multiboot information at 0x8f00");
}

/* A minimal ELF with one PT_LOAD of @len bytes at @paddr. */
static char *make_elf(const char *name, bool is64, uint16_t machine, uint64_t paddr,
                      uint64_t filesz, uint64_t memsz, bool with_header)
{
    uint8_t f[512] = { 0x7f, 'E', 'L', 'F', is64 ? 2 : 1, 1, 1 };
    size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    uint8_t *ph = f + ehsize;
    uint64_t off = ehsize + phsize;

#define W16(p, v) do { (p)[0] = (uint8_t)(v); (p)[1] = (uint8_t)((v) >> 8); } while (0)
#define W32(p, v) do { W16(p, (v) & 0xffff); W16((p) + 2, (uint32_t)(v) >> 16); } while (0)
#define W64(p, v) do { W32(p, (uint32_t)(v)); W32((p) + 4, (uint64_t)(v) >> 32); } while (0)
    W16(f + 16, 2);                         /* ET_EXEC */
    W16(f + 18, machine);
    W32(f + 20, 1);
    if (is64) {
        W64(f + 24, paddr);                 /* entry */
        W64(f + 32, ehsize);                /* phoff */
        W16(f + 54, phsize);
        W16(f + 56, 1);
        W32(ph, 1);
        W64(ph + 8, off);
        W64(ph + 16, paddr);
        W64(ph + 24, paddr);
        W64(ph + 32, filesz);
        W64(ph + 40, memsz);
    } else {
        W32(f + 24, paddr);
        W32(f + 28, ehsize);
        W16(f + 42, phsize);
        W16(f + 44, 1);
        W32(ph, 1);
        W32(ph + 4, off);
        W32(ph + 8, paddr);
        W32(ph + 12, paddr);
        W32(ph + 16, filesz);
        W32(ph + 20, memsz);
    }
    if (with_header) {
        uint32_t flags = MULTIBOOT_HEADER_MEMORY;
        W32(f + off, MULTIBOOT_HEADER_MAGIC);
        W32(f + off + 4, flags);
        W32(f + off + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
    }
    for (size_t i = off + 12; i < sizeof(f); i++) {
        f[i] = 0xe0 + (i & 15);
    }
#undef W16
#undef W32
#undef W64
    return write_tmp(name, f, sizeof(f));
}

static void test_plain_elf(void)
{
    MultibootBootState st;
    g_autofree char *e64 = make_elf("e64", true, 62, 0x400000, 64, 0x2000, false);
    g_autofree char *e32 = make_elf("e32", false, 3, 0x300000, 100, 100, false);

    g_assert_true(load(e64, NULL, NULL, &st, &error_abort));
    g_assert_false(st.multiboot);
    g_assert_cmphex(st.eip, ==, 0x400000);
    g_assert_cmphex(st.kernel_high, ==, 0x402000);
    g_assert_cmpuint(ram[0x400000 + 20], ==, 0xe0 + ((64 + 56 + 20) & 15));
    g_assert_cmpuint(ram[0x400000 + 64], ==, 0);
    g_assert_cmphex(st.eax, ==, 0x2BADB002);

    g_assert_true(load(e32, NULL, NULL, &st, &error_abort));
    g_assert_false(st.multiboot);
    g_assert_cmphex(st.eip, ==, 0x300000);
}

static void test_bad_images(void)
{
    g_autofree char *empty = write_tmp("empty", "", 0);
    assert_kernel_error(empty, "not a multiboot kernel or an ELF image "
                        "(Linux kernels cannot be booted yet)");

    /* Magic and flags, but a checksum that does not add up: not multiboot. */
    uint32_t badsum[16] = { GUINT32_TO_LE(MULTIBOOT_HEADER_MAGIC), 0, 1 };
    g_autofree char *bs = write_tmp("badsum", badsum, sizeof(badsum));
    assert_kernel_error(bs, "not a multiboot kernel or an ELF image "
                        "(Linux kernels cannot be booted yet)");

    g_autofree char *absent = g_build_filename(tmpdir, "absent", NULL);
    g_autofree char *msg = load_error(absent, NULL);
    g_autofree char *prefix = g_strdup_printf("-kernel %s: ", absent);
    g_assert_true(g_str_has_prefix(msg, prefix));

    g_autofree char *x86_64 = make_elf("mb64", true, 62, 0x100000, 64, 64, true);
    assert_kernel_error(x86_64, "Cannot load x86-64 image, give a 32bit one.");
    g_autofree char *arm = make_elf("arm", false, 40, 0x100000, 64, 64, true);
    assert_kernel_error(arm, "ELF image is not for x86 (e_machine 40)");
    g_autofree char *fsz = make_elf("fsz", false, 3, 0x100000, 128, 64, true);
    assert_kernel_error(fsz, "ELF segment 0 has p_filesz > p_memsz");
    g_autofree char *beyond = make_elf("beyond", false, 3, 0x100000, 4096, 4096, true);
    assert_kernel_error(beyond, "ELF segment 0 lies outside the file");
    g_autofree char *outside = make_elf("outside", false, 3, 0x7fff0000, 64, 64, true);
    assert_kernel_error(outside, "kernel at 0x7fff0000-0x7fff003f is not in RAM");

    /* Program headers that point past the end of the file. */
    g_autofree char *path = make_elf("phoff", false, 3, 0x100000, 64, 64, true);
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    data[28] = (char)0xf0;
    data[29] = 0x01;
    g_autofree char *trunc = write_tmp("trunc", data, len);
    assert_kernel_error(trunc, "ELF program headers lie outside the file");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ram = g_malloc(RAM_SIZE);
    tmpdir = g_dir_make_tmp("test-multiboot-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/multiboot/blkcheck-elf", test_blkcheck_elf);
    g_test_add_func("/multiboot/modules", test_modules);
    g_test_add_func("/multiboot/aout-kludge", test_aout_kludge);
    g_test_add_func("/multiboot/plain-elf", test_plain_elf);
    g_test_add_func("/multiboot/bad-images", test_bad_images);
    int ret = g_test_run();

    g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(tmpdir);
    g_free(tmpdir);
    g_free(ram);
    return ret;
}
