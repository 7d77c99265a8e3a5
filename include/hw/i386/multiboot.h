/*
 * -kernel loader for multiboot (v1) images -- ELF or the "a.out kludge" --
 * and plain ELF kernels, as QEMU's pc machine boots them.
 *
 * The loader knows nothing about the machine or the accelerator: it reads
 * the files, writes guest-physical memory through a callback and returns
 * the register state the boot CPU must start in.  What it lays out in guest
 * memory matches what a multiboot kernel sees on QEMU 7.2 (whose option ROM
 * and SeaBIOS do the same job there):
 *
 *   0x9000   the memory map (multiboot mmap entries)
 *   0x9500   the multiboot information structure
 *   kernel   at its load address; after it, page aligned: module records,
 *            command lines, the boot loader name; then each module, page
 *            aligned
 */
#ifndef HW_I386_MULTIBOOT_H
#define HW_I386_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu/error.h"

#define MULTIBOOT_HEADER_MAGIC      0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC  0x2BADB002u
#define MULTIBOOT_HEADER_SEARCH     8192    /* the header lies within this */

/* Header flags */
#define MULTIBOOT_HEADER_PAGE_ALIGN 0x00000001u
#define MULTIBOOT_HEADER_MEMORY     0x00000002u
#define MULTIBOOT_HEADER_HAS_VBE    0x00000004u
#define MULTIBOOT_HEADER_HAS_ADDR   0x00010000u

/* Information structure flags and offsets (multiboot 0.6.96, section 3.3) */
#define MULTIBOOT_INFO_MEMORY       (1u << 0)
#define MULTIBOOT_INFO_BOOT_DEVICE  (1u << 1)
#define MULTIBOOT_INFO_CMDLINE      (1u << 2)
#define MULTIBOOT_INFO_MODULES      (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP      (1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME  (1u << 9)

#define MBI_FLAGS           0
#define MBI_MEM_LOWER       4
#define MBI_MEM_UPPER       8
#define MBI_BOOT_DEVICE     12
#define MBI_CMDLINE         16
#define MBI_MODS_COUNT      20
#define MBI_MODS_ADDR       24
#define MBI_MMAP_LENGTH     44
#define MBI_MMAP_ADDR       48
#define MBI_BOOT_LOADER     64
#define MBI_SIZE            88

#define MB_MOD_START        0
#define MB_MOD_END          4
#define MB_MOD_CMDLINE      8
#define MB_MOD_SIZE         16

#define MB_MMAP_ENTRY_SIZE  24      /* size field + base, length, type */

#define MULTIBOOT_MMAP_ADDR 0x9000
#define MULTIBOOT_INFO_ADDR 0x9500
/* A flat GDT like the one QEMU's option ROM leaves loaded (5 entries). */
#define MULTIBOOT_GDT_ADDR  0x8f00

#define E820_RAM            1
#define E820_RESERVED       2

/*
 * Write @len bytes at guest-physical @gpa; false if that is not RAM.
 * @buf == NULL writes zeroes.
 */
typedef bool (*MultibootWriteFn)(void *opaque, uint64_t gpa, const void *buf, size_t len);

typedef struct MultibootMemoryLayout {
    uint64_t below_4g_mem_size;     /* RAM from 0 */
    uint64_t above_4g_mem_size;     /* RAM from 4 GiB */
} MultibootMemoryLayout;

/* A segment register as the CPU holds it: selector and descriptor cache. */
typedef struct MultibootSegment {
    uint16_t selector;
    uint32_t base;
    uint32_t limit;                 /* in bytes, granularity applied */
    uint16_t flags;                 /* descriptor bits 40..55: type, S, DPL, P, AVL, L, D/B, G */
} MultibootSegment;

typedef struct MultibootBootState {
    uint32_t eip;
    uint32_t eax;                   /* MULTIBOOT_BOOTLOADER_MAGIC */
    uint32_t ebx;                   /* address of the information structure */
    uint32_t eflags;                /* 0x2: interrupts off */
    uint32_t cr0;                   /* PE only: no paging */
    MultibootSegment cs;
    MultibootSegment ds;            /* also es, fs, gs, ss */
    uint32_t gdt_base;
    uint16_t gdt_limit;

    bool multiboot;                 /* false: a plain ELF kernel */
    uint64_t kernel_low;            /* loaded range of the kernel image */
    uint64_t kernel_high;
    uint32_t mods_count;
} MultibootBootState;

/*
 * Load @kernel_filename with @cmdline (-append, may be NULL) and the
 * comma-separated @initrd modules (-initrd, may be NULL; ",," is a comma,
 * and text after a space in a module's name is its command line).
 * Fills @st.  On failure sets @errp to "-kernel FILE: why" (or
 * "-initrd ..." for a module) and returns false.
 */
bool multiboot_load(const char *kernel_filename, const char *cmdline, const char *initrd,
                    const MultibootMemoryLayout *mem, MultibootWriteFn write, void *opaque,
                    MultibootBootState *st, Error **errp);

/*
 * The memory map a multiboot kernel gets on QEMU's pc machine for @mem:
 * fills up to @max entries of (base, length, type) and returns the count.
 */
int multiboot_memory_map(const MultibootMemoryLayout *mem, uint64_t (*entries)[3], int max);

#endif
