/*
 * Intel 8259A programmable interrupt controllers, master and slave, with
 * the PIIX edge/level control registers (ELCR).  Follows the 8259A data
 * sheet: ICW1-ICW4 initialisation sequence, OCW2 EOI/rotation commands,
 * OCW3 register select, poll mode and special mask.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/intc/i8259.h"
#include "sysemu/runstate.h"

typedef struct PICState {
    uint8_t last_irr;       /* edge detection */
    uint8_t irr;
    uint8_t imr;
    uint8_t isr;
    uint8_t priority_add;   /* rotation: IRQ with the highest priority */
    uint8_t irq_base;
    uint8_t read_reg_select;
    uint8_t poll;
    uint8_t special_mask;
    uint8_t init_state;
    uint8_t auto_eoi;
    uint8_t rotate_on_auto_eoi;
    uint8_t special_fully_nested_mode;
    uint8_t init4;
    uint8_t single_mode;
    uint8_t elcr;
    uint8_t elcr_mask;
    bool master;
    qemu_irq int_out;
    MemoryRegion base_io;
    MemoryRegion elcr_io;
} PICState;

static PICState pics[2];
static qemu_irq *isa_irqs;
static bool intr_level;

/* Priority 0..7 of the highest-priority bit in @mask, 8 if none. */
static int get_priority(PICState *s, int mask)
{
    int p = 0;

    if (!mask) {
        return 8;
    }
    while (!(mask & (1 << ((p + s->priority_add) & 7)))) {
        p++;
    }
    return p;
}

/* The IRQ that should be raised now, or -1. */
static int pic_get_irq(PICState *s)
{
    int pending = get_priority(s, s->irr & ~s->imr);
    int in_service_mask = s->isr;

    if (pending == 8) {
        return -1;
    }
    if (s->special_mask) {
        in_service_mask &= ~s->imr;
    }
    /* Special fully nested: the cascade input does not block itself. */
    if (s->special_fully_nested_mode && s->master) {
        in_service_mask &= ~(1 << 2);
    }
    if (pending < get_priority(s, in_service_mask)) {
        return (pending + s->priority_add) & 7;
    }
    return -1;
}

static void pic_update_irq(PICState *s)
{
    qemu_set_irq(s->int_out, pic_get_irq(s) >= 0);
}

static void pic_set_irq(void *opaque, int irq, int level)
{
    PICState *s = opaque;
    int mask = 1 << irq;

    if (s->elcr & mask) {
        if (level) {
            s->irr |= mask;
            s->last_irr |= mask;
        } else {
            s->irr &= ~mask;
            s->last_irr &= ~mask;
        }
    } else {
        if (level) {
            if (!(s->last_irr & mask)) {
                s->irr |= mask;
            }
            s->last_irr |= mask;
        } else {
            s->last_irr &= ~mask;
        }
    }
    pic_update_irq(s);
}

static void pic_intack(PICState *s, int irq)
{
    if (s->auto_eoi) {
        if (s->rotate_on_auto_eoi) {
            s->priority_add = (irq + 1) & 7;
        }
    } else {
        s->isr |= 1 << irq;
    }
    /* A level-triggered request stays until the device drops it. */
    if (!(s->elcr & (1 << irq))) {
        s->irr &= ~(1 << irq);
    }
    pic_update_irq(s);
}

int pic_read_irq(void)
{
    PICState *m = &pics[0], *sl = &pics[1];
    int irq = pic_get_irq(m);

    if (irq < 0) {
        return m->irq_base + 7;                 /* spurious on the master */
    }
    if (irq == 2) {
        int irq2 = pic_get_irq(sl);
        int intno;

        if (irq2 >= 0) {
            pic_intack(sl, irq2);
        } else {
            irq2 = 7;                           /* spurious on the slave */
        }
        intno = sl->irq_base + irq2;
        pic_intack(m, irq);
        return intno;
    }
    pic_intack(m, irq);
    return m->irq_base + irq;
}

bool pic_get_output(void)
{
    return intr_level;
}

static void pic_init_reset(PICState *s)
{
    s->last_irr = 0;
    s->irr &= s->elcr;
    s->imr = 0;
    s->isr = 0;
    s->priority_add = 0;
    s->irq_base = 0;
    s->read_reg_select = 0;
    s->poll = 0;
    s->special_mask = 0;
    s->init_state = 0;
    s->auto_eoi = 0;
    s->rotate_on_auto_eoi = 0;
    s->special_fully_nested_mode = 0;
    s->init4 = 0;
    s->single_mode = 0;
    pic_update_irq(s);
}

static void pic_command_write(PICState *s, uint8_t val)
{
    int irq, p;

    if (val & 0x10) {                           /* ICW1 */
        pic_init_reset(s);
        s->init_state = 1;
        s->init4 = val & 1;
        s->single_mode = val & 2;
        return;
    }
    if (val & 0x08) {                           /* OCW3 */
        if (val & 0x04) {
            s->poll = 1;
        }
        if (val & 0x02) {
            s->read_reg_select = val & 1;
        }
        if (val & 0x40) {
            s->special_mask = (val >> 5) & 1;
        }
        return;
    }
    switch (val >> 5) {                         /* OCW2 */
    case 0:
    case 4:
        s->rotate_on_auto_eoi = (val >> 5) >> 2;
        break;
    case 1:                                     /* non-specific EOI */
    case 5:                                     /* ... and rotate */
        p = get_priority(s, s->isr);
        if (p != 8) {
            irq = (p + s->priority_add) & 7;
            s->isr &= ~(1 << irq);
            if ((val >> 5) == 5) {
                s->priority_add = (irq + 1) & 7;
            }
            pic_update_irq(s);
        }
        break;
    case 3:                                     /* specific EOI */
        s->isr &= ~(1 << (val & 7));
        pic_update_irq(s);
        break;
    case 6:                                     /* set priority */
        s->priority_add = (val + 1) & 7;
        pic_update_irq(s);
        break;
    case 7:                                     /* specific EOI and rotate */
        irq = val & 7;
        s->isr &= ~(1 << irq);
        s->priority_add = (irq + 1) & 7;
        pic_update_irq(s);
        break;
    default:
        break;
    }
}

static void pic_data_write(PICState *s, uint8_t val)
{
    switch (s->init_state) {
    case 0:                                     /* OCW1: mask */
        s->imr = val;
        pic_update_irq(s);
        break;
    case 1:                                     /* ICW2: vector base */
        s->irq_base = val & 0xf8;
        s->init_state = s->single_mode ? (s->init4 ? 3 : 0) : 2;
        break;
    case 2:                                     /* ICW3: cascade wiring */
        s->init_state = s->init4 ? 3 : 0;
        break;
    case 3:                                     /* ICW4 */
        s->special_fully_nested_mode = (val >> 4) & 1;
        s->auto_eoi = (val >> 1) & 1;
        s->init_state = 0;
        break;
    }
}

static void pic_ioport_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    if (addr == 0) {
        pic_command_write(opaque, val);
    } else {
        pic_data_write(opaque, val);
    }
}

static uint64_t pic_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;
    int ret;

    if (s->poll) {
        ret = pic_get_irq(s);
        if (ret >= 0) {
            pic_intack(s, ret);
            ret |= 0x80;
        } else {
            ret = 0;
        }
        s->poll = 0;
        return ret;
    }
    if (addr == 0) {
        return s->read_reg_select ? s->isr : s->irr;
    }
    return s->imr;
}

static const MemoryRegionOps pic_base_ioport_ops = {
    .read = pic_ioport_read,
    .write = pic_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void elcr_ioport_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;

    s->elcr = val & s->elcr_mask;
}

static uint64_t elcr_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;

    return s->elcr;
}

static const MemoryRegionOps pic_elcr_ioport_ops = {
    .read = elcr_ioport_read,
    .write = elcr_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* The slave's INTR drives the master's IR2. */
static void slave_intr(void *opaque, int n, int level)
{
    pic_set_irq(&pics[0], 2, level);
}

static qemu_irq cpu_intr;

static void master_intr(void *opaque, int n, int level)
{
    intr_level = level;
    qemu_set_irq(cpu_intr, level);
}

static void isa_irq_handler(void *opaque, int n, int level)
{
    if (n < 8) {
        pic_set_irq(&pics[0], n, level);
    } else {
        pic_set_irq(&pics[1], n - 8, level);
    }
}

static void i8259_reset(void *opaque)
{
    for (int i = 0; i < 2; i++) {
        pics[i].elcr = 0;
        pic_init_reset(&pics[i]);
    }
}

qemu_irq *i8259_init(qemu_irq parent_irq)
{
    MemoryRegion *io = get_system_io();
    static const struct { hwaddr base, elcr; uint8_t elcr_mask; } cfg[2] = {
        { 0x20, 0x4d0, 0xf8 },      /* IRQ0-2 are always edge (timer, keyboard, cascade) */
        { 0xa0, 0x4d1, 0xde },      /* IRQ8 and IRQ13 likewise */
    };

    cpu_intr = parent_irq;
    for (int i = 0; i < 2; i++) {
        PICState *s = &pics[i];

        memset(s, 0, sizeof(*s));
        s->master = i == 0;
        s->elcr_mask = cfg[i].elcr_mask;
        s->int_out = qemu_allocate_irq(i == 0 ? master_intr : slave_intr, NULL, 0);
        memory_region_init_io(&s->base_io, NULL, &pic_base_ioport_ops, s, "pic", 2);
        memory_region_add_subregion(io, cfg[i].base, &s->base_io);
        memory_region_init_io(&s->elcr_io, NULL, &pic_elcr_ioport_ops, s, "elcr", 1);
        memory_region_add_subregion(io, cfg[i].elcr, &s->elcr_io);
    }
    isa_irqs = qemu_allocate_irqs(isa_irq_handler, NULL, 16);
    qemu_irq_register_gpio_in("/machine/i8259", NULL, isa_irqs, 16);
    qemu_register_reset(i8259_reset, NULL);
    return isa_irqs;
}
