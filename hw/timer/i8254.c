/*
 * Intel 8254 PIT.  Counters are not ticked: each channel remembers when
 * its count was loaded and derives the current count and OUT level from
 * the virtual clock (8254 data sheet, modes 0-5); channel 0 re-arms a
 * timer at OUT's next transition to drive IRQ0.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "qemu/main-loop.h"
#include "hw/timer/i8254.h"
#include "sysemu/runstate.h"

#define NS_PER_SEC 1000000000LL

enum { RW_STATE_LSB = 1, RW_STATE_MSB, RW_STATE_WORD0, RW_STATE_WORD1 };

typedef struct PITChannel {
    int count;              /* 1..0x10000 */
    uint16_t latched_count;
    uint8_t count_latched;
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_state;
    uint8_t write_state;
    uint8_t write_latch;
    uint8_t rw_mode;
    uint8_t mode;
    uint8_t bcd;
    uint8_t gate;
    int64_t count_load_time;
    int64_t next_transition_time;
    QEMUTimer *irq_timer;
    qemu_irq irq;
} PITChannel;

typedef struct PITState {
    PITChannel channels[3];
    MemoryRegion io;
    MemoryRegion port61;
    uint8_t speaker_data_on;
} PITState;

static PITState pit;

static uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
    return (unsigned __int128)a * b / c;
}

/* PIT input clocks since the count was loaded. */
static uint64_t pit_ticks(PITChannel *s, int64_t now)
{
    return muldiv64(now - s->count_load_time, PIT_FREQ, NS_PER_SEC);
}

static int pit_get_count(PITChannel *s)
{
    uint64_t d = pit_ticks(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));

    switch (s->mode) {
    case 2:
        return s->count - (d % s->count);
    case 3:
        /* Square wave: the count drops by two per clock. */
        return s->count - ((2 * d) % s->count);
    default:
        return (s->count - d) & 0xffff;
    }
}

static int pit_get_out(PITChannel *s, int64_t now)
{
    uint64_t d = pit_ticks(s, now);

    switch (s->mode) {
    default:
    case 0:
        return d >= (uint64_t)s->count;
    case 1:
        return d < (uint64_t)s->count;
    case 2:
        return (d % s->count) == 0 && d != 0;
    case 3:
        return (d % s->count) < (uint64_t)((s->count + 1) >> 1);
    case 4:
    case 5:
        return d == (uint64_t)s->count;
    }
}

/* Virtual time of OUT's next change, or -1 if it never changes again. */
static int64_t pit_next_transition(PITChannel *s, int64_t now)
{
    uint64_t d = pit_ticks(s, now), base, next;

    switch (s->mode) {
    default:
    case 0:
    case 1:
        if (d >= (uint64_t)s->count) {
            return -1;
        }
        next = s->count;
        break;
    case 2:
        base = d - d % s->count;
        next = base + s->count + ((d - base) == 0 && d != 0 ? 0 : 1);
        break;
    case 3:
        base = d - d % s->count;
        next = (d - base) < (uint64_t)((s->count + 1) >> 1)
               ? base + ((s->count + 1) >> 1) : base + s->count;
        break;
    case 4:
    case 5:
        if (d < (uint64_t)s->count) {
            next = s->count;
        } else if (d == (uint64_t)s->count) {
            next = s->count + 1;
        } else {
            return -1;
        }
        break;
    }
    next = s->count_load_time + muldiv64(next, NS_PER_SEC, PIT_FREQ);
    return (int64_t)next <= now ? now + 1 : (int64_t)next;
}

static void pit_irq_timer_update(PITChannel *s, int64_t now)
{
    int64_t expire;

    if (!s->irq_timer) {
        return;
    }
    expire = pit_next_transition(s, now);
    qemu_set_irq(s->irq, pit_get_out(s, now));
    s->next_transition_time = expire;
    if (expire != -1) {
        timer_mod(s->irq_timer, expire);
    } else {
        timer_del(s->irq_timer);
    }
}

static void pit_irq_timer(void *opaque)
{
    PITChannel *s = opaque;

    pit_irq_timer_update(s, s->next_transition_time);
}

static void pit_load_count(PITChannel *s, int val)
{
    if (val == 0) {
        val = 0x10000;
    }
    s->count_load_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    s->count = val;
    pit_irq_timer_update(s, s->count_load_time);
}

static void pit_latch_count(PITChannel *s)
{
    if (!s->count_latched) {
        s->latched_count = pit_get_count(s);
        s->count_latched = s->rw_mode;
    }
}

static void pit_control_write(uint8_t val)
{
    int channel = val >> 6;

    if (channel == 3) {             /* read-back command */
        for (channel = 0; channel < 3; channel++) {
            PITChannel *s = &pit.channels[channel];

            if (!(val & (2 << channel))) {
                continue;
            }
            if (!(val & 0x20)) {
                pit_latch_count(s);
            }
            if (!(val & 0x10) && !s->status_latched) {
                s->status = (pit_get_out(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)) << 7) |
                            (s->rw_mode << 4) | (s->mode << 1) | s->bcd;
                s->status_latched = 1;
            }
        }
        return;
    }
    {
        PITChannel *s = &pit.channels[channel];
        int access = (val >> 4) & 3;

        if (access == 0) {          /* counter latch command */
            pit_latch_count(s);
            return;
        }
        s->rw_mode = access;
        s->read_state = access;
        s->write_state = access;
        s->mode = (val >> 1) & 7;
        if (s->mode > 5) {
            s->mode -= 4;           /* modes 6 and 7 alias 2 and 3 */
        }
        s->bcd = val & 1;
    }
}

static void pit_ioport_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PITChannel *s;

    addr &= 3;
    if (addr == 3) {
        pit_control_write(val);
        return;
    }
    s = &pit.channels[addr];
    switch (s->write_state) {
    default:
    case RW_STATE_LSB:
        pit_load_count(s, val & 0xff);
        break;
    case RW_STATE_MSB:
        pit_load_count(s, (val & 0xff) << 8);
        break;
    case RW_STATE_WORD0:
        s->write_latch = val;
        s->write_state = RW_STATE_WORD1;
        break;
    case RW_STATE_WORD1:
        pit_load_count(s, s->write_latch | ((val & 0xff) << 8));
        s->write_state = RW_STATE_WORD0;
        break;
    }
}

static uint64_t pit_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PITChannel *s;
    int ret;

    addr &= 3;
    if (addr == 3) {
        return 0;                   /* the control word is write-only */
    }
    s = &pit.channels[addr];
    if (s->status_latched) {
        s->status_latched = 0;
        return s->status;
    }
    if (s->count_latched) {
        switch (s->count_latched) {
        default:
        case RW_STATE_LSB:
            s->count_latched = 0;
            return s->latched_count & 0xff;
        case RW_STATE_MSB:
            s->count_latched = 0;
            return s->latched_count >> 8;
        case RW_STATE_WORD0:
            s->count_latched = RW_STATE_MSB;
            return s->latched_count & 0xff;
        }
    }
    switch (s->read_state) {
    default:
    case RW_STATE_LSB:
        ret = pit_get_count(s) & 0xff;
        break;
    case RW_STATE_MSB:
        ret = (pit_get_count(s) >> 8) & 0xff;
        break;
    case RW_STATE_WORD0:
        ret = pit_get_count(s) & 0xff;
        s->read_state = RW_STATE_WORD1;
        break;
    case RW_STATE_WORD1:
        ret = (pit_get_count(s) >> 8) & 0xff;
        s->read_state = RW_STATE_WORD0;
        break;
    }
    return ret;
}

static const MemoryRegionOps pit_ioport_ops = {
    .read = pit_ioport_read,
    .write = pit_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void pit_set_gate(PITChannel *s, int val)
{
    /* Modes 1, 2, 3 and 5 restart counting on a rising gate. */
    if (s->gate < val && s->mode != 0 && s->mode != 4) {
        s->count_load_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        pit_irq_timer_update(s, s->count_load_time);
    }
    s->gate = val;
}

/* Port 0x61: bit 0 gate 2, bit 1 speaker data, bit 4 refresh toggle, bit 5 OUT2. */
static uint64_t port61_read(void *opaque, hwaddr addr, unsigned size)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int refresh = (now / 15085) & 1;    /* DRAM refresh toggles every ~15 us */
    PITChannel *c2 = &pit.channels[2];

    return c2->gate | (pit.speaker_data_on << 1) | (refresh << 4) |
           (pit_get_out(c2, now) << 5);
}

static void port61_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    pit_set_gate(&pit.channels[2], val & 1);
    pit.speaker_data_on = (val >> 1) & 1;
}

static const MemoryRegionOps port61_ops = {
    .read = port61_read,
    .write = port61_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void pit_reset(void *opaque)
{
    for (int i = 0; i < 3; i++) {
        PITChannel *s = &pit.channels[i];

        s->mode = 3;
        s->gate = i != 2;
        s->count_latched = 0;
        s->status_latched = 0;
        /*
         * As QEMU: the count restarts but the IRQ line is left alone until
         * the first transition, so no IRQ 0 edge is pending right after reset.
         */
        s->count_load_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        s->count = 0x10000;
        if (s->irq_timer) {
            s->next_transition_time = pit_next_transition(s, s->count_load_time);
            timer_mod(s->irq_timer, s->next_transition_time);
        }
    }
}

void i8254_init(qemu_irq irq0)
{
    memset(&pit, 0, sizeof(pit));
    pit.channels[0].irq = irq0;
    pit.channels[0].irq_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pit_irq_timer,
                                             &pit.channels[0]);
    memory_region_init_io(&pit.io, NULL, &pit_ioport_ops, NULL, "pit", 4);
    memory_region_add_subregion(get_system_io(), 0x40, &pit.io);
    memory_region_init_io(&pit.port61, NULL, &port61_ops, NULL, "pcspk", 1);
    memory_region_add_subregion(get_system_io(), 0x61, &pit.port61);
    pit_reset(NULL);
    qemu_register_reset(pit_reset, NULL);
}
