/*
 * -kernel loader for multiboot v1 and plain ELF kernels (see multiboot.h).
 *
 * The layout and the information structure follow what QEMU 7.2 hands a
 * multiboot kernel on the pc machine; its checks and messages for bad
 * headers are kept so that scripts see the same failures.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "hw/i386/multiboot.h"
#include "qemu/error-report.h"

#define PAGE_SIZE           4096u
#define PAGE_ALIGN(x)       (((x) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1))
#define LOW_RAM_END         0x9fc00u    /* where the EBDA starts on QEMU */
#define BIOS_ROM_BASE       0xfffc0000u
#define FOUR_GIB            0x100000000ull
#define BOOT_DEVICE_NONE    0x8000ffffu
#define BOOT_LOADER_NAME    "qemu"      /* what kernels see on QEMU */
#define MAX_MMAP_ENTRIES    8

#define ELF_HEADER_MIN      52
#define EM_386              3
#define EM_X86_64           62
#define PT_LOAD             1

/* One piece of the kernel image: file bytes, then zeroes up to memsz. */
typedef struct LoadSegment {
    uint64_t paddr;
    const uint8_t *data;
    uint64_t filesz;
    uint64_t memsz;
} LoadSegment;

typedef struct KernelImage {
    const char *filename;
    const uint8_t *file;
    size_t size;
    GArray *segs;           /* of LoadSegment */
    uint32_t entry;
    uint64_t low, high;
} KernelImage;

static uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static uint16_t ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static void st32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32(p + 4, (uint32_t)(v >> 32));
}

static void add_segment(KernelImage *k, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz)
{
    LoadSegment s = { paddr, data, filesz, memsz };
    g_array_append_val(k->segs, s);
    if (k->segs->len == 1 || paddr < k->low) {
        k->low = paddr;
    }
    if (k->segs->len == 1 || paddr + memsz > k->high) {
        k->high = paddr + memsz;
    }
}

static bool is_elf(const uint8_t *f, size_t size)
{
    return size >= ELF_HEADER_MIN && !memcmp(f, "\x7f" "ELF", 4);
}

/* ELF32 or ELF64, little-endian, x86: its PT_LOAD segments by p_paddr. */
static bool parse_elf(KernelImage *k, Error **errp)
{
    const uint8_t *f = k->file;
    bool is64 = f[4] == 2;

    if ((f[4] != 1 && f[4] != 2) || f[5] != 1) {
        error_setg(errp, "ELF image is not 32- or 64-bit little-endian");
        return false;
    }
    uint16_t machine = ld16(f + 18);
    if (machine != (is64 ? EM_X86_64 : EM_386)) {
        error_setg(errp, "ELF image is not for x86 (e_machine %u)", machine);
        return false;
    }
    uint64_t entry = is64 ? ld64(f + 24) : ld32(f + 24);
    uint64_t phoff = is64 ? ld64(f + 32) : ld32(f + 28);
    uint16_t phentsize = ld16(f + (is64 ? 54 : 42));
    uint16_t phnum = ld16(f + (is64 ? 56 : 44));
    if (is64 && k->size < 64) {
        error_setg(errp, "ELF header is truncated");
        return false;
    }
    if (phentsize < (is64 ? 56 : 32) || phoff > k->size ||
        (uint64_t)phnum * phentsize > k->size - phoff) {
        error_setg(errp, "ELF program headers lie outside the file");
        return false;
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;
        if (ld32(ph) != PT_LOAD) {
            continue;
        }
        uint64_t off = is64 ? ld64(ph + 8) : ld32(ph + 4);
        uint64_t paddr = is64 ? ld64(ph + 24) : ld32(ph + 12);
        uint64_t filesz = is64 ? ld64(ph + 32) : ld32(ph + 16);
        uint64_t memsz = is64 ? ld64(ph + 40) : ld32(ph + 20);
        if (filesz > memsz) {
            error_setg(errp, "ELF segment %u has p_filesz > p_memsz", i);
            return false;
        }
        if (off > k->size || filesz > k->size - off) {
            error_setg(errp, "ELF segment %u lies outside the file", i);
            return false;
        }
        /* Entry state is 32-bit protected mode without paging. */
        if (paddr >= FOUR_GIB || memsz > FOUR_GIB - paddr) {
            error_setg(errp, "ELF segment %u is not below 4 GiB", i);
            return false;
        }
        if (memsz) {
            add_segment(k, paddr, f + off, filesz, memsz);
        }
    }
    if (!k->segs->len) {
        error_setg(errp, "ELF image has nothing to load");
        return false;
    }
    if (entry >= FOUR_GIB) {
        error_setg(errp, "ELF entry point 0x%" PRIx64 " is not below 4 GiB", entry);
        return false;
    }
    k->entry = (uint32_t)entry;
    return true;
}

/* The header's address fields (MULTIBOOT_HEADER_HAS_ADDR), QEMU's checks. */
static bool parse_aout_kludge(KernelImage *k, uint32_t i, Error **errp)
{
    const uint8_t *h = k->file + i;
    if (k->size < i + 32) {
        error_setg(errp, "multiboot header is truncated");
        return false;
    }
    uint32_t header_addr = ld32(h + 12);
    uint32_t load_addr = ld32(h + 16);
    uint32_t load_end_addr = ld32(h + 20);
    uint32_t bss_end_addr = ld32(h + 24);
    uint32_t text_offset, load_size, kernel_size;

    if (header_addr < load_addr) {
        error_setg(errp, "invalid load_addr address");
        return false;
    }
    if (header_addr - load_addr > i) {
        error_setg(errp, "invalid header_addr address");
        return false;
    }
    text_offset = i - (header_addr - load_addr);
    if (load_end_addr) {
        if (load_end_addr < load_addr) {
            error_setg(errp, "invalid load_end_addr address");
            return false;
        }
        load_size = load_end_addr - load_addr;
    } else {
        load_size = k->size - text_offset;
    }
    if (load_size > UINT32_MAX - load_addr) {
        error_setg(errp, "kernel does not fit in address space");
        return false;
    }
    if (load_size > k->size - text_offset) {
        error_setg(errp, "load_end_addr lies beyond the end of the file");
        return false;
    }
    if (bss_end_addr) {
        if (bss_end_addr < load_addr + load_size) {
            error_setg(errp, "invalid bss_end_addr address");
            return false;
        }
        kernel_size = bss_end_addr - load_addr;
    } else {
        kernel_size = load_size;
    }
    if (kernel_size) {
        add_segment(k, load_addr, k->file + text_offset, load_size, kernel_size);
    }
    k->entry = ld32(h + 28);
    return true;
}

/* Offset of a valid multiboot header, or -1. */
static int64_t find_header(const uint8_t *f, size_t size)
{
    size_t end = MIN(size, (size_t)MULTIBOOT_HEADER_SEARCH);
    for (size_t i = 0; i + 12 <= end; i += 4) {
        if (ld32(f + i) == MULTIBOOT_HEADER_MAGIC &&
            (uint32_t)(ld32(f + i) + ld32(f + i + 4) + ld32(f + i + 8)) == 0) {
            return i;
        }
    }
    return -1;
}

int multiboot_memory_map(const MultibootMemoryLayout *mem, uint64_t (*e)[3], int max)
{
    uint64_t below = mem->below_4g_mem_size;
    uint64_t map[MAX_MMAP_ENTRIES][3];
    int n = 0;

    /* What SeaBIOS reports on QEMU's pc machine, minus its own carve-outs. */
    map[n][0] = 0;
    map[n][1] = MIN(below, (uint64_t)LOW_RAM_END);
    map[n++][2] = E820_RAM;
    map[n][0] = LOW_RAM_END;
    map[n][1] = 0xa0000 - LOW_RAM_END;
    map[n++][2] = E820_RESERVED;
    map[n][0] = 0xf0000;
    map[n][1] = 0x10000;
    map[n++][2] = E820_RESERVED;
    if (below > 0x100000) {
        map[n][0] = 0x100000;
        map[n][1] = below - 0x100000;
        map[n++][2] = E820_RAM;
    }
    map[n][0] = BIOS_ROM_BASE;
    map[n][1] = FOUR_GIB - BIOS_ROM_BASE;
    map[n++][2] = E820_RESERVED;
    if (mem->above_4g_mem_size) {
        map[n][0] = FOUR_GIB;
        map[n][1] = mem->above_4g_mem_size;
        map[n++][2] = E820_RAM;
    }
    n = MIN(n, max);
    memcpy(e, map, n * sizeof(map[0]));
    return n;
}

static bool in_ram(const MultibootMemoryLayout *mem, uint64_t gpa, uint64_t len)
{
    if (gpa < mem->below_4g_mem_size) {
        return len <= mem->below_4g_mem_size - gpa;
    }
    return gpa >= FOUR_GIB && gpa - FOUR_GIB < mem->above_4g_mem_size &&
           len <= mem->above_4g_mem_size - (gpa - FOUR_GIB);
}

typedef struct Loader {
    const char *kernel_filename;
    const MultibootMemoryLayout *mem;
    MultibootWriteFn write;
    void *opaque;
} Loader;

static bool guest_write(Loader *l, uint64_t gpa, const void *buf, uint64_t len,
                        const char *what, Error **errp)
{
    if (!len) {
        return true;
    }
    if (!in_ram(l->mem, gpa, len) || !l->write(l->opaque, gpa, buf, len)) {
        error_setg(errp, "-kernel %s: %s at 0x%" PRIx64 "-0x%" PRIx64 " is not in RAM",
                   l->kernel_filename, what, gpa, gpa + len - 1);
        return false;
    }
    return true;
}

/* -initrd "a,b": ",," stands for a comma, as in QEMU's option values. */
static GPtrArray *split_modules(const char *initrd)
{
    GPtrArray *mods = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = initrd; ; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            g_ptr_array_add(mods, g_string_free(cur, false));
            if (!*p) {
                break;
            }
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    return mods;
}

static bool load_kernel_image(KernelImage *k, MultibootBootState *st, Error **errp)
{
    int64_t hdr = find_header(k->file, k->size);

    st->multiboot = hdr >= 0;
    if (hdr < 0) {
        if (!is_elf(k->file, k->size)) {
            error_setg(errp, "not a multiboot kernel or an ELF image "
                       "(Linux kernels cannot be booted yet)");
            return false;
        }
        return parse_elf(k, errp);
    }
    uint32_t flags = ld32(k->file + hdr + 4);
    if (flags & MULTIBOOT_HEADER_HAS_VBE) {
        warn_report("multiboot knows VBE. we don't");
    }
    if (flags & MULTIBOOT_HEADER_HAS_ADDR) {
        return parse_aout_kludge(k, (uint32_t)hdr, errp);
    }
    if (!is_elf(k->file, k->size)) {
        error_setg(errp, "multiboot image without load addresses is not an ELF file");
        return false;
    }
    if (ld16(k->file + 18) == EM_X86_64) {
        error_setg(errp, "Cannot load x86-64 image, give a 32bit one.");
        return false;
    }
    return parse_elf(k, errp);
}

static void write_gdt(uint8_t *gdt)
{
    /* null; 0x08 code 32-bit; 0x10 data; 0x18 code 16-bit; 0x20 data 16-bit */
    static const uint64_t desc[5] = {
        0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
        0x00009e000000ffffull, 0x000092000000ffffull,
    };
    for (int i = 0; i < 5; i++) {
        st64(gdt + 8 * i, desc[i]);
    }
}

static void set_boot_registers(MultibootBootState *st, uint32_t entry)
{
    st->eip = entry;
    st->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    st->ebx = MULTIBOOT_INFO_ADDR;
    st->eflags = 0x2;
    st->cr0 = 0x11;                     /* PE, and ET which is fixed at 1 */
    st->cs = (MultibootSegment){ 0x08, 0, 0xffffffffu, 0xcf9b };
    st->ds = (MultibootSegment){ 0x10, 0, 0xffffffffu, 0xcf93 };
    st->gdt_base = MULTIBOOT_GDT_ADDR;
    st->gdt_limit = 5 * 8 - 1;
}

static bool load_modules(Loader *l, GPtrArray *mods, uint64_t *next, uint8_t *mod_recs,
                         GString *strings, uint64_t strings_phys, uint32_t *count,
                         Error **errp)
{
    for (unsigned i = 0; i < mods->len; i++) {
        const char *spec = g_ptr_array_index(mods, i);
        g_autofree char *name = g_strndup(spec, strcspn(spec, " "));
        g_autofree char *data = NULL;
        g_autoptr(GError) gerr = NULL;
        gsize len;

        if (!g_file_get_contents(name, &data, &len, &gerr)) {
            error_setg(errp, "-initrd %s: %s", name, gerr->message);
            return false;
        }
        uint8_t *rec = mod_recs + MB_MOD_SIZE * i;
        st32(rec + MB_MOD_START, (uint32_t)*next);
        st32(rec + MB_MOD_END, (uint32_t)(*next + len));
        st32(rec + MB_MOD_CMDLINE, (uint32_t)(strings_phys + strings->len));
        g_string_append_len(strings, spec, strlen(spec) + 1);
        if (*next + len >= FOUR_GIB) {
            error_setg(errp, "-initrd %s: module does not fit below 4 GiB", name);
            return false;
        }
        if (!guest_write(l, *next, data, len, "module", errp)) {
            return false;
        }
        *next = PAGE_ALIGN(*next + len);
    }
    *count = mods->len;
    return true;
}

bool multiboot_load(const char *kernel_filename, const char *cmdline, const char *initrd,
                    const MultibootMemoryLayout *mem, MultibootWriteFn write, void *opaque,
                    MultibootBootState *st, Error **errp)
{
    Loader l = { kernel_filename, mem, write, opaque };
    g_autofree char *file = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GString) strings = g_string_new(NULL);
    g_autofree uint8_t *mod_recs = NULL;
    KernelImage k = { .filename = kernel_filename };
    Error *local = NULL;
    uint8_t info[MBI_SIZE] = { 0 };
    uint8_t mmap[MAX_MMAP_ENTRIES * MB_MMAP_ENTRY_SIZE];
    uint8_t gdt[5 * 8];
    uint64_t map[MAX_MMAP_ENTRIES][3];
    g_autoptr(GPtrArray) mods = NULL;
    uint64_t recs_phys, strings_phys, next;
    size_t strings_size;
    uint32_t count = 0;
    bool ok = false;
    int n;

    memset(st, 0, sizeof(*st));
    if (!g_file_get_contents(kernel_filename, &file, &k.size, &gerr)) {
        error_setg(errp, "-kernel %s: %s", kernel_filename, gerr->message);
        return false;
    }
    k.file = (const uint8_t *)file;
    k.segs = g_array_new(false, false, sizeof(LoadSegment));
    if (!load_kernel_image(&k, st, &local)) {
        error_propagate(errp, local);
        error_prepend(errp, "-kernel %s: ", kernel_filename);
        goto out;
    }

    /* Nothing we write below may land on the kernel. */
    if (k.low < MULTIBOOT_INFO_ADDR + MBI_SIZE && k.high > MULTIBOOT_GDT_ADDR) {
        error_setg(errp, "-kernel %s: kernel at 0x%" PRIx64 " overlaps the multiboot "
                   "information at 0x%x", kernel_filename, k.low, MULTIBOOT_GDT_ADDR);
        goto out;
    }
    for (unsigned i = 0; i < k.segs->len; i++) {
        LoadSegment *s = &g_array_index(k.segs, LoadSegment, i);
        if (!guest_write(&l, s->paddr, s->data, s->filesz, "kernel", errp) ||
            !guest_write(&l, s->paddr + s->filesz, NULL, s->memsz - s->filesz, "kernel",
                         errp)) {
            goto out;
        }
    }

    /*
     * After the kernel, page aligned: module records, then the command
     * lines and the boot loader name; the modules follow page aligned.
     */
    recs_phys = PAGE_ALIGN(k.high);
    mods = initrd && *initrd ? split_modules(initrd) : g_ptr_array_new();
    strings_size = (initrd ? strlen(initrd) + 1 : 0) + strlen(kernel_filename) + 1 +
                   (cmdline ? strlen(cmdline) : 0) + 1 + strlen(BOOT_LOADER_NAME) + 1;
    strings_phys = recs_phys + MB_MOD_SIZE * mods->len;
    next = PAGE_ALIGN(strings_phys + strings_size);
    mod_recs = g_malloc0(MB_MOD_SIZE * (mods->len + 1));
    if (!load_modules(&l, mods, &next, mod_recs, strings, strings_phys, &count, errp)) {
        goto out;
    }
    /* QEMU passes "FILE ARGS" so kernels see argv[0] first. */
    st32(info + MBI_CMDLINE, (uint32_t)(strings_phys + strings->len));
    g_string_append_printf(strings, "%s %s", kernel_filename, cmdline ? cmdline : "");
    g_string_append_c(strings, '\0');
    st32(info + MBI_BOOT_LOADER, (uint32_t)(strings_phys + strings->len));
    g_string_append_len(strings, BOOT_LOADER_NAME, sizeof(BOOT_LOADER_NAME));
    if (strings_phys + strings->len >= FOUR_GIB) {
        error_setg(errp, "-kernel %s: kernel does not fit below 4 GiB", kernel_filename);
        goto out;
    }
    if (!guest_write(&l, recs_phys, mod_recs, MB_MOD_SIZE * count, "module list", errp) ||
        !guest_write(&l, strings_phys, strings->str, strings->len, "command line", errp)) {
        goto out;
    }

    n = multiboot_memory_map(mem, map, MAX_MMAP_ENTRIES);
    uint64_t upper_end = 0x100000;
    for (int i = 0; i < n; i++) {
        uint8_t *e = mmap + i * MB_MMAP_ENTRY_SIZE;
        st32(e, MB_MMAP_ENTRY_SIZE - 4);
        st64(e + 4, map[i][0]);
        st64(e + 12, map[i][1]);
        st32(e + 20, (uint32_t)map[i][2]);
        /* mem_upper: RAM contiguous from 1 MiB, as QEMU's option ROM counts it */
        if (map[i][2] == E820_RAM && map[i][0] <= upper_end &&
            map[i][0] + map[i][1] > upper_end && map[i][0] + map[i][1] <= FOUR_GIB) {
            upper_end = map[i][0] + map[i][1];
        }
    }
    st32(info + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOT_DEVICE |
         MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODULES | MULTIBOOT_INFO_MEM_MAP |
         MULTIBOOT_INFO_LOADER_NAME);
    st32(info + MBI_MEM_LOWER, (uint32_t)(MIN(mem->below_4g_mem_size, LOW_RAM_END) / 1024));
    st32(info + MBI_MEM_UPPER, (uint32_t)((upper_end - 0x100000) / 1024));
    st32(info + MBI_BOOT_DEVICE, BOOT_DEVICE_NONE);
    st32(info + MBI_MODS_COUNT, count);
    st32(info + MBI_MODS_ADDR, (uint32_t)recs_phys);
    st32(info + MBI_MMAP_LENGTH, n * MB_MMAP_ENTRY_SIZE);
    st32(info + MBI_MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
    write_gdt(gdt);
    if (!guest_write(&l, MULTIBOOT_GDT_ADDR, gdt, sizeof(gdt), "GDT", errp) ||
        !guest_write(&l, MULTIBOOT_MMAP_ADDR, mmap, n * MB_MMAP_ENTRY_SIZE, "memory map",
                     errp) ||
        !guest_write(&l, MULTIBOOT_INFO_ADDR, info, sizeof(info), "multiboot information",
                     errp)) {
        goto out;
    }

    set_boot_registers(st, k.entry);
    st->kernel_low = k.low;
    st->kernel_high = k.high;
    st->mods_count = count;
    ok = true;
out:
    g_array_free(k.segs, true);
    return ok;
}
