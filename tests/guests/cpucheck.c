/*
 * cpucheck: a multiboot guest that checks the CPU's system side, in the
 * style of kvm-unit-tests -- exceptions with their error codes and CR2,
 * segment limits and loads, privilege changes through an interrupt gate
 * and the TSS, a timer interrupt waking HLT, 32-bit and PAE paging (with
 * NX, accessed/dirty bits, INVLPG), and long mode (IST, SYSCALL/SYSRET,
 * 4-level paging faults, a fault from ring 3 on the TSS's RSP0 stack).
 *
 * It prints one "PASS name" or "FAIL name: why" line per check and exits
 * through isa-debug-exit with 0 when all pass.  With "reset=1" on the
 * command line it instead triple-faults once and, booted again by the
 * reset, reports "PASS triple-fault-reset" (CMOS byte 0x7e remembers).
 *
 * It runs the same on qemu-system-x86_64, which is the oracle for what it
 * expects.
 */
#include "guest.h"
#include "cpucheck.h"

#define NOEXC 0xffffffffu
#define CMOS_MARK 0x7e

/* ---- descriptor tables ---- */

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2, reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static uint64_t idt32[256] __attribute__((aligned(16)));
static struct tss32 tss __attribute__((aligned(16)));
static struct tss64 tss64 __attribute__((aligned(16)));
static uint8_t tss_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));

struct desc_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static uint64_t gate32(uint32_t offset, uint8_t type_attr)
{
    return (offset & 0xffff) | ((uint64_t)KCODE32 << 16) | ((uint64_t)type_attr << 40) |
           ((uint64_t)(offset >> 16) << 48);
}

static void setup_descriptors(void)
{
    struct desc_ptr gp = { sizeof(gdt) - 1, (uint32_t)gdt };
    struct desc_ptr ip = { sizeof(idt32) - 1, (uint32_t)idt32 };

    gdt[KCODE32 / 8] = seg_desc(0, 0xfffff, 0x9a, 0xc);
    gdt[KDATA32 / 8] = seg_desc(0, 0xfffff, 0x92, 0xc);
    gdt[UCODE32 / 8] = seg_desc(0, 0xfffff, 0xfa, 0xc);
    gdt[UDATA32 / 8] = seg_desc(0, 0xfffff, 0xf2, 0xc);
    gdt[TSS32 / 8] = seg_desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0);
    gdt[LIMDATA / 8] = seg_desc(0, 0xfff, 0x92, 0x4);
    gdt[NPDATA / 8] = seg_desc(0, 0xfffff, 0x12, 0xc);
    gdt[XCODE / 8] = seg_desc(0, 0xfffff, 0x98, 0xc);
    gdt[KCODE64 / 8] = seg_desc(0, 0xfffff, 0x9a, 0xa);
    gdt[KDATA64 / 8] = seg_desc(0, 0xfffff, 0x92, 0xc);
    gdt[UCODE32_SYSRET_BASE / 8] = seg_desc(0, 0xfffff, 0xfa, 0xc);
    gdt[UDATA64 / 8] = seg_desc(0, 0xfffff, 0xf2, 0xc);
    gdt[UCODE64 / 8] = seg_desc(0, 0xfffff, 0xfa, 0xa);
    gdt[TSS64 / 8] = seg_desc((uint32_t)&tss64, sizeof(tss64) - 1, 0x89, 0);
    gdt[TSS64 / 8 + 1] = 0;

    tss.ss0 = KDATA32;
    tss.esp0 = (uint32_t)(tss_stack + sizeof(tss_stack));
    tss.iomap_base = sizeof(tss);       /* no I/O bitmap: ring 3 gets no ports */
    tss64.rsp0 = (uint32_t)rsp0_top;
    tss64.ist[0] = (uint32_t)ist1_top;
    tss64.iomap_base = sizeof(tss64);

    for (int v = 0; v < 256; v++) {
        idt32[v] = gate32((uint32_t)(vec32_stubs + 16 * v), v == 0x80 ? 0xee : 0x8e);
    }
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp %1, $1f\n"
                     "1:\tmov %2, %%eax\n\t"
                     "mov %%eax, %%ds\n\tmov %%eax, %%es\n\tmov %%eax, %%ss\n\t"
                     "mov %%eax, %%fs\n\tmov %%eax, %%gs\n\t"
                     "lidt %3\n\t"
                     "ltr %w4"
                     : : "m"(gp), "i"(KCODE32), "i"(KDATA32), "m"(ip), "r"(TSS32)
                     : "eax", "memory");
}

/* ---- exceptions ---- */

struct exc_record {
    uint32_t vector, error, eip, cs, cr2, esp, ss, frame;
};

volatile struct exc_record exc;
volatile uint32_t fixup;        /* CPL 0 faults resume here (then it is cleared) */
volatile uint32_t expect_eip;   /* where the faulting instruction is */
static volatile int ticks;

static uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void exc32_handler(struct frame32 *f)
{
    if (f->vector == 0x20) {        /* IRQ 0 from the 8259 */
        ticks++;
        outb(0x20, 0x20);
        return;
    }
    exc.vector = f->vector;
    exc.error = f->error;
    exc.eip = f->eip;
    exc.cs = f->cs;
    exc.cr2 = read_cr2();
    exc.frame = (uint32_t)&f->eip;
    if (f->cs & 3) {
        exc.esp = f->esp;       /* and exc32_common returns to enter_user's caller */
        exc.ss = f->ss;
        return;
    }
    if (f->vector == 3 || f->vector == 4) {
        return;                 /* traps: EIP is already past the instruction */
    }
    if (fixup) {
        f->eip = fixup;
        fixup = 0;
        return;
    }
    printf("FAIL unexpected exception %u, error 0x%x, at 0x%x\n", f->vector, f->error, f->eip);
    guest_exit(1);
}

/* Each of these runs one instruction that may fault and returns the vector (or NOEXC). */

static uint32_t try_read(uint32_t addr)
{
    uint32_t v;

    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tmovl (%1), %0\n\t"
                     "movl $0, fixup\n1:"
                     : "=&r"(v) : "r"(addr) : "memory");
    return exc.vector;
}

static uint32_t try_write(uint32_t addr, uint32_t val)
{
    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tmovl %1, (%0)\n\t"
                     "movl $0, fixup\n1:"
                     : : "r"(addr), "r"(val) : "memory");
    return exc.vector;
}

/* A dword read through ES = @sel at offset @off. */
static uint32_t try_read_es(uint16_t sel, uint32_t off)
{
    uint32_t v;

    exc.vector = NOEXC;
    __asm__ volatile("mov %w2, %%es\n\t"
                     "movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tmovl %%es:(%1), %0\n\t"
                     "movl $0, fixup\n1:\t"
                     "mov %w3, %%es"
                     : "=&r"(v) : "r"(off), "r"(sel), "r"(KDATA32) : "memory");
    return exc.vector;
}

static uint32_t try_load_es(uint16_t sel)
{
    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tmov %w0, %%es\n\t"
                     "movl $0, fixup\n1:\t"
                     "mov %w1, %%es"
                     : : "r"(sel), "r"(KDATA32) : "memory");
    return exc.vector;
}

static uint32_t try_load_ss(uint16_t sel)
{
    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tmov %w0, %%ss\n\t"
                     "movl $0, fixup\n1:\t"
                     "mov %w1, %%ss"
                     : : "r"(sel), "r"(KDATA32) : "memory");
    return exc.vector;
}

/* Jump to @addr, where the code must be "jmp *%ecx": a fetch fault or a round trip. */
static uint32_t try_exec(uint32_t addr)
{
    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\t"
                     "lea 1f, %%ecx\n\t"
                     "jmp *%0\n\t"
                     "1:\tmovl $0, fixup"
                     : : "r"(addr) : "ecx", "memory");
    return exc.vector;
}

/* ---- reporting ---- */

static int passed, failed;

static void check(const char *name, int ok, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
        passed++;
    } else {
        printf("FAIL %s: %s\n", name, why);
        failed++;
    }
}

/* Expect exception @vec with @error (and EIP at the faulting instruction). */
static int fault_is(uint32_t got, uint32_t vec, uint32_t error)
{
    if (got != vec || exc.error != error || (vec != 3 && vec != 4 && exc.eip != expect_eip)) {
        printf("  vector %u (want %u), error 0x%x (want 0x%x), eip 0x%x (want 0x%x)\n",
               got, vec, exc.error, error, exc.eip, expect_eip);
        return 0;
    }
    return 1;
}

/* ---- the checks ---- */

static void check_traps_and_faults(void)
{
    uint32_t next;
    int ok;

    exc.vector = NOEXC;
    __asm__ volatile("int3\n1:\tmovl $1b, %0" : "=m"(next) : : "memory");
    ok = exc.vector == 3 && exc.eip == next;
    exc.vector = NOEXC;
    __asm__ volatile("mov $0x7f, %%al\n\tadd $1, %%al\n\tinto\n1:\tmovl $1b, %0"
                     : "=m"(next) : : "eax", "memory");
    ok &= exc.vector == 4 && exc.eip == next;
    check("int3-into", ok, "traps must report EIP after the instruction");

    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n\t"
                     "xor %%edx, %%edx\n\tmov $1, %%eax\n\txor %%ecx, %%ecx\n"
                     "2:\tdivl %%ecx\n\tmovl $0, fixup\n1:"
                     : : : "eax", "ecx", "edx", "memory");
    check("divide-error", fault_is(exc.vector, 0, 0), "#DE at the DIV");

    exc.vector = NOEXC;
    __asm__ volatile("movl $1f, fixup\n\tmovl $2f, expect_eip\n"
                     "2:\tud2\n1:" : : : "memory");
    check("invalid-opcode", fault_is(exc.vector, 6, 0), "#UD at UD2");
}

/* Code written as data, run, rewritten and run again: the new bytes must run. */
static uint8_t smc_buf[64] __attribute__((aligned(16)));

static uint32_t smc_call(void)
{
    uint32_t r;

    __asm__ volatile("call *%1" : "=a"(r) : "r"(smc_buf) : "memory");
    return r;
}

static void check_self_modifying_code(void)
{
    static const uint8_t code[] = { 0xb8, 0x11, 0x11, 0x11, 0x11, 0xc3 };  /* mov $imm, %eax; ret */
    int ok;

    memcpy(smc_buf, code, sizeof(code));
    ok = smc_call() == 0x11111111;
    smc_buf[1] = 0x22;
    ok &= smc_call() == 0x11111122;
    for (int i = 0; i < 4; i++) {
        smc_buf[1 + i] = 0x33;
    }
    ok &= smc_call() == 0x33333333;
    check("self-modifying-code", ok, "a store to code that already ran must take effect");
}

static void check_segments(void)
{
    int ok;

    ok = try_read_es(LIMDATA, 0xffc) == NOEXC;
    ok &= fault_is(try_read_es(LIMDATA, 0xffd), 13, 0);
    ok &= fault_is(try_read_es(LIMDATA, 0x1000), 13, 0);
    check("segment-limit", ok, "a dword must end at the limit 0xfff");

    ok = fault_is(try_load_es(NPDATA), 11, NPDATA);
    ok &= fault_is(try_load_es(XCODE), 13, XCODE);
    ok &= fault_is(try_load_es(GDT_ENTRIES * 8), 13, GDT_ENTRIES * 8);
    ok &= fault_is(try_load_ss(0), 13, 0);
    ok &= try_load_es(0) == NOEXC;
    ok &= fault_is(try_read_es(0, 0x1000), 13, 0);
    check("segment-load", ok, "#NP/#GP with the selector as error code");
}

/* Ring-3 routines: each ends in INT 0x80 should its first instruction not fault. */
void user_int80(void);
void user_cli(void);
void user_hlt(void);
void user_in(void);
void user_int81(void);
void user_mov_cr0(void);
void user_read_sup(void);
void user_write_ro(void);
void user_read_user(void);
uint32_t user_fault_eip[6];
__asm__(".text\n"
        "user_int80:\tint $0x80\n"
        "user_cli:\tcli\n\tint $0x80\n"
        "user_hlt:\thlt\n\tint $0x80\n"
        "user_in:\tinb $0x80, %al\n\tint $0x80\n"
        "user_int81:\tint $0x81\n\tint $0x80\n"
        "user_mov_cr0:\tmov %cr0, %eax\n\tint $0x80\n"
        "user_read_sup:\tmov 0x3fc010, %eax\n\tint $0x80\n"
        "user_write_ro:\tmovl $1, 0x3fd010\n\tint $0x80\n"
        "user_read_user:\tmov 0x3fb010, %eax\n\tint $0x80\n");

static uint32_t run_user(void (*fn)(void))
{
    exc.vector = NOEXC;
    enter_user(fn, (uint32_t)(user_stack + sizeof(user_stack)));
    return exc.vector;
}

static void check_ring3(void)
{
    uint32_t top = (uint32_t)(tss_stack + sizeof(tss_stack));
    int ok;

    ok = run_user(user_int80) == 0x80;
    ok &= exc.cs == (UCODE32 | 3) && exc.ss == (UDATA32 | 3);
    ok &= exc.esp == (uint32_t)(user_stack + sizeof(user_stack));
    /* EIP, CS, EFLAGS, ESP, SS on the TSS's ring-0 stack */
    ok &= exc.frame == top - 20;
    check("ring3-int-gate", ok, "INT 0x80 from CPL 3 must switch to SS0:ESP0");

    ok = run_user(user_cli) == 13 && exc.error == 0 && exc.eip == (uint32_t)user_cli;
    ok &= run_user(user_hlt) == 13 && exc.error == 0;
    ok &= run_user(user_in) == 13 && exc.error == 0;
    ok &= run_user(user_mov_cr0) == 13 && exc.error == 0;
    /* a gate with DPL 0: #GP with the IDT vector in the error code */
    ok &= run_user(user_int81) == 13 && exc.error == ((0x81 << 3) | 2);
    check("ring3-privileged", ok, "CLI/HLT/IN/MOV CR0/INT to a DPL-0 gate at CPL 3 are #GP");
}

static void check_timer_interrupt(void)
{
    int start;

    /* 8259 pair: vectors 0x20/0x28, only IRQ 0 unmasked; PIT channel 0 at 1 kHz */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xfe); outb(0xa1, 0xff);
    outb(0x43, 0x34);
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    start = ticks;
    for (int i = 0; i < 3; i++) {
        __asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
    }
    outb(0x21, 0xff);
    check("timer-interrupt", ticks - start >= 3, "HLT must wake on IRQ 0 (vector 0x20)");
}

/* ---- paging ---- */

#define PG_P    0x001u
#define PG_RW   0x002u
#define PG_US   0x004u
#define PG_A    0x020u
#define PG_D    0x040u
#define PG_PS   0x080u

#define TP_NP       0x3fe000u
#define TP_RO       0x3fd000u
#define TP_SUP      0x3fc000u
#define TP_AD       0x3fb000u
#define TP_REMAP    0x3fa000u
#define FRAME_A     0x3f9000u
#define FRAME_B     0x3f8000u

static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32[1024] __attribute__((aligned(4096)));

static void set_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static uint32_t get_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void set_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static void set_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static uint32_t get_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void invlpg(uint32_t a) { __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory"); }

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static void paging_off(void)
{
    set_cr0(get_cr0() & ~CR0_PG);
}

static void check_paging32(void)
{
    volatile uint32_t *fa = (uint32_t *)(FRAME_A + 0x10), *fb = (uint32_t *)(FRAME_B + 0x10);
    int ok;

    *fa = 0x11111111;
    *fb = 0x22222222;
    for (int i = 0; i < 1024; i++) {
        pt32[i] = (i << 12) | PG_P | PG_RW | PG_US;
    }
    pt32[TP_NP >> 12] = 0;
    pt32[TP_RO >> 12] &= ~PG_RW;
    pt32[TP_SUP >> 12] &= ~PG_US;
    pt32[TP_REMAP >> 12] = FRAME_A | PG_P | PG_RW | PG_US;
    pd32[0] = (uint32_t)pt32 | PG_P | PG_RW | PG_US;
    for (int i = 1; i < 32; i++) {
        pd32[i] = (i << 22) | PG_PS | PG_P | PG_RW | PG_US;
    }
    pd32[3] = 0;                        /* 12 MiB .. 16 MiB absent */
    set_cr4(get_cr4() | CR4_PSE);
    set_cr3((uint32_t)pd32);
    set_cr0(get_cr0() | CR0_PG | CR0_WP);

    ok = fault_is(try_read(TP_NP + 0x10), 14, 0) && exc.cr2 == TP_NP + 0x10;
    ok &= fault_is(try_write(TP_NP + 0x20, 1), 14, 2) && exc.cr2 == TP_NP + 0x20;
    ok &= fault_is(try_read(0xc00004), 14, 0) && exc.cr2 == 0xc00004;
    check("paging32-not-present", ok, "#PF error 0/2 and CR2 (4 KiB and 4 MiB entries)");

    ok = fault_is(try_write(TP_RO + 0x10, 1), 14, 3) && exc.cr2 == TP_RO + 0x10;
    set_cr0(get_cr0() & ~CR0_WP);
    ok &= try_write(TP_RO + 0x10, 7) == NOEXC && try_read(TP_RO + 0x10) == NOEXC;
    set_cr0(get_cr0() | CR0_WP);
    ok &= try_read(0x800000) == NOEXC;
    check("paging32-write-protect", ok, "CR0.WP makes read-only pages fault at CPL 0");

    ok = !(pt32[TP_AD >> 12] & (PG_A | PG_D));
    ok &= try_read(TP_AD) == NOEXC;
    ok &= (pt32[TP_AD >> 12] & (PG_A | PG_D)) == PG_A;
    ok &= try_write(TP_AD, 3) == NOEXC;
    ok &= (pt32[TP_AD >> 12] & (PG_A | PG_D)) == (PG_A | PG_D);
    ok &= (pd32[0] & PG_A) != 0;
    check("paging32-accessed-dirty", ok, "A on access, D on write, in the walk's entries");

    ok = *(volatile uint32_t *)(TP_REMAP + 0x10) == 0x11111111;
    pt32[TP_REMAP >> 12] = FRAME_B | PG_P | PG_RW | PG_US;
    invlpg(TP_REMAP);
    ok &= *(volatile uint32_t *)(TP_REMAP + 0x10) == 0x22222222;
    pt32[TP_REMAP >> 12] = FRAME_A | PG_P | PG_RW | PG_US;
    set_cr3((uint32_t)pd32);
    ok &= *(volatile uint32_t *)(TP_REMAP + 0x10) == 0x11111111;
    check("paging32-invlpg", ok, "INVLPG and a CR3 write must drop the old translation");

    ok = run_user(user_read_sup) == 14 && exc.error == 5 && exc.cr2 == TP_SUP + 0x10;
    ok &= run_user(user_write_ro) == 14 && exc.error == 7 && exc.cr2 == TP_RO + 0x10;
    ok &= run_user(user_read_user) == 0x80;
    check("paging32-user", ok, "CPL 3 faults on supervisor and read-only pages");
    paging_off();
}

/* PAE: 4 PDPTEs, one page directory of 2 MiB pages for the first GiB. */
static uint64_t pdpt_pae[4] __attribute__((aligned(32)));
static uint64_t pd_pae[512] __attribute__((aligned(4096)));
#define PG_NX (1ull << 63)
#define NX_PAGE 0x600000u

static void check_pae_nx(void)
{
    uint32_t a, b, c, d;
    int ok;

    cpuid(0x80000001, &a, &b, &c, &d);
    if (!(d & (1u << 20))) {
        check("pae-nx", 0, "CPUID.80000001H:EDX.NX is not set");
        return;
    }
    for (int i = 0; i < 512; i++) {
        pd_pae[i] = ((uint64_t)i << 21) | PG_PS | PG_P | PG_RW | PG_US;
    }
    pd_pae[NX_PAGE >> 21] |= PG_NX;
    pd_pae[0x800000 >> 21] = 0;
    pdpt_pae[0] = (uint32_t)pd_pae | PG_P;
    /* jmp *%ecx, for try_exec */
    *(volatile uint16_t *)NX_PAGE = 0xe1ff;
    *(volatile uint16_t *)(NX_PAGE - 0x1000) = 0xe1ff;

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    set_cr4(get_cr4() | CR4_PAE);
    set_cr3((uint32_t)pdpt_pae);
    set_cr0(get_cr0() | CR0_PG | CR0_WP);

    expect_eip = NX_PAGE;
    ok = fault_is(try_exec(NX_PAGE), 14, 0x11) && exc.cr2 == NX_PAGE;
    /* the 2 MiB page below it executes */
    ok &= try_exec(NX_PAGE - 0x1000) == NOEXC;
    ok &= fault_is(try_read(0x800008), 14, 0) && exc.cr2 == 0x800008;
    check("pae-nx", ok, "fetch from an NX page is #PF with I/D set; PAE not-present");

    paging_off();
    set_cr4(get_cr4() & ~CR4_PAE);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~(uint64_t)EFER_NXE);
}

/* ---- long mode ---- */

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static struct lm_out lm;

static void gate64(int v, uint32_t offset, uint8_t type_attr, int ist)
{
    uint32_t *g = (uint32_t *)(idt64 + 16 * v);

    g[0] = (offset & 0xffff) | ((uint32_t)KCODE64 << 16);
    g[1] = (offset & 0xffff0000) | ((uint32_t)type_attr << 8) | (ist & 7);
    g[2] = 0;       /* offset bits 63..32 */
    g[3] = 0;
}

static void check_long_mode(void)
{
    extern const char lm_user_code[];
    int ok;

    for (int i = 0; i < 512; i++) {
        pd[i] = ((uint64_t)i << 21) | PG_PS | PG_P | PG_RW | PG_US;
    }
    pd[0x400000 >> 21] &= ~(uint64_t)PG_US;   /* 4..6 MiB: supervisor only */
    pdpt[0] = (uint32_t)pd | PG_P | PG_RW | PG_US;
    pml4[0] = (uint32_t)pdpt | PG_P | PG_RW | PG_US;
    for (int v = 0; v < 256; v++) {
        gate64(v, (uint32_t)(vec64_stubs + 16 * v), 0x8e, v == 0x81 ? 1 : 0);
    }
    memset(&lm, 0xff, sizeof(lm));
    lm.done = 0;

    enter_long_mode((uint32_t)pml4, &lm);

    if ((uint32_t)lm.unexpected != NOEXC) {
        printf("  unexpected vector %u, error 0x%x, at 0x%llx\n", (uint32_t)lm.unexpected,
               (uint32_t)lm.unexpected_error, lm.unexpected_rip);
    }
    check("long-mode-entry", lm.done == 1 && ((uint32_t)lm.efer & EFER_LMA),
          "EFER.LMA must be set once paging is on with LME");
    ok = lm.wide == 0x100000000ull && lm.rol == 0x23456789abcdef01ull &&
         lm.imul == 0x123456789abcdef0ull && lm.sar == 0xffffffffffffffffull &&
         lm.zext == 1 && lm.riprel == 0x1122334455667788ull;
    check("long-mode-64bit-ops", ok, "64-bit ALU, r8-r15, zero extension, RIP-relative");
    check("long-mode-ist", lm.ist_depth == 40, "a gate with IST 1 must use TSS.IST1");
    ok = (uint32_t)lm.pf_vector == 14 && (uint32_t)lm.pf_error == 2 &&
         lm.pf_cr2 == 0x40000010ull;
    ok &= (uint32_t)lm.gp_vector == 13 && (uint32_t)lm.gp_error == 0;
    check("long-mode-faults", ok, "#PF in 4-level paging; #GP(0) on a non-canonical address");
    ok = lm.syscall_rcx == (uint32_t)lm_user_code + 3 && (lm.syscall_r11 & 0x402) == 0x402 &&
         !(lm.syscall_rflags & 0x400) && (uint16_t)lm.syscall_cs == KCODE64 &&
         (uint16_t)lm.syscall_ss == KDATA64;
    check("long-mode-syscall", ok, "SYSRET to ring 3, SYSCALL back with STAR/LSTAR/FMASK");
    ok = (uint32_t)lm.upf_vector == 14 && (uint32_t)lm.upf_error == 5 &&
         lm.upf_depth == 40 && (uint32_t)lm.upf_cs == (UCODE64 | 3);
    check("long-mode-user-fault", ok, "CPL-3 fault switches to TSS.RSP0 and pushes SS:RSP");
    if (!ok || (uint32_t)lm.unexpected != NOEXC) {
        printf("  syscall rcx 0x%llx r11 0x%llx rflags 0x%llx cs 0x%x ss 0x%x; user fault "
               "%u/0x%x depth %llu cs 0x%x\n", lm.syscall_rcx, lm.syscall_r11,
               lm.syscall_rflags, (uint16_t)lm.syscall_cs, (uint16_t)lm.syscall_ss,
               (uint32_t)lm.upf_vector, (uint32_t)lm.upf_error, lm.upf_depth,
               (uint32_t)lm.upf_cs);
    }
}

/* ---- reset ---- */

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

static void triple_fault(void)
{
    struct desc_ptr none = { 0, 0 };

    /* Any exception now finds no gate: #GP, #DF, then shutdown. */
    __asm__ volatile("lidt %0\n\tint3" : : "m"(none));
}

static int reset_mode(void)
{
    if (cmos_read(CMOS_MARK) == 0xa5) {
        cmos_write(CMOS_MARK, 0);
        check("triple-fault-reset", 1, "");
        return 0;
    }
    cmos_write(CMOS_MARK, 0xa5);
    printf("cpucheck: triple fault\n");
    triple_fault();
    printf("FAIL triple-fault: the CPU went on after it\n");
    return 1;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
    uint32_t mode = 0;

    uart_init();
    printf("cpucheck: starting\n");
    check("multiboot", magic == MULTIBOOT_BOOTLOADER_MAGIC, "EAX must hold 0x2badb002");
    setup_descriptors();
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC && cmdline_uint(mbi, "reset", &mode) && mode) {
        return reset_mode();
    }
    check_traps_and_faults();
    check_self_modifying_code();
    check_segments();
    check_ring3();
    check_timer_interrupt();
    check_paging32();
    check_pae_nx();
    check_long_mode();      /* last: it comes back in compatibility mode */
    printf("cpucheck: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
