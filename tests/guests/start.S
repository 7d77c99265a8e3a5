/*
 * Multiboot v1 entry for the test guests: header, our own GDT (the loader's
 * segments are only promised to be flat, not where they live), a stack, and
 * a call into guest_main(magic, info).
 */
#define MB_MAGIC    0x1BADB002
#define MB_FLAGS    0x00000003      /* page-aligned modules, memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  mov $0x10, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %fs
    mov %ecx, %gs
    mov %ecx, %ss
    mov $stack_top, %esp
    push %ebx
    push %eax
    call guest_main
    push %eax
    call guest_exit
2:  hlt
    jmp 2b

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: code, base 0, 4 GiB, 32-bit */
    .quad 0x00cf92000000ffff        /* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .bss
    .align 16
    .space 65536
stack_top:
    .section .note.GNU-stack, "", @progbits
