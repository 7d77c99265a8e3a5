/*
 * i8042 keyboard controller at 0x60/0x64 with a keyboard and mouse that
 * answer the commands firmware and Linux send while probing (no key or
 * motion input yet).  It matters for the controller's side jobs: the
 * A20 gate and the reset line (command 0xFE, or output port bit 0),
 * which Linux uses to reboot.
 */
#include <string.h>
#include <glib.h>

#include "exec/memory.h"
#include "hw/input/i8042.h"
#include "sysemu/runstate.h"

#define KBD_STAT_OBF        0x01
#define KBD_STAT_SELFTEST   0x04
#define KBD_STAT_CMD        0x08
#define KBD_STAT_UNLOCKED   0x10
#define KBD_STAT_MOUSE_OBF  0x20

#define KBD_MODE_KBD_INT    0x01
#define KBD_MODE_MOUSE_INT  0x02
#define KBD_MODE_DISABLE_KBD 0x10
#define KBD_MODE_DISABLE_MOUSE 0x20

#define KBD_OUT_RESET       0x01
#define KBD_OUT_A20         0x02
#define KBD_OUT_ONES        0xcc

#define QUEUE_SIZE          16

typedef struct KBDState {
    uint8_t status;
    uint8_t mode;
    uint8_t outport;
    uint8_t write_cmd;      /* controller command waiting for its data byte */
    uint8_t kbd_cmd;        /* keyboard command waiting for its argument */
    uint8_t mouse_cmd;
    uint8_t queue[QUEUE_SIZE];
    bool queue_aux[QUEUE_SIZE];
    int qhead, qcount;
    uint8_t obdata;
    qemu_irq irq_kbd, irq_mouse;
    MemoryRegion data_io, cmd_io;
} KBDState;

static KBDState kbd;

static void kbd_update_irq(KBDState *s)
{
    bool kbd_level = false, mouse_level = false;

    s->status &= ~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
    if (s->qcount) {
        s->status |= KBD_STAT_OBF;
        if (s->queue_aux[s->qhead]) {
            s->status |= KBD_STAT_MOUSE_OBF;
            mouse_level = s->mode & KBD_MODE_MOUSE_INT;
        } else {
            kbd_level = s->mode & KBD_MODE_KBD_INT;
        }
    }
    qemu_set_irq(s->irq_kbd, kbd_level);
    qemu_set_irq(s->irq_mouse, mouse_level);
}

static void kbd_queue(KBDState *s, uint8_t b, bool aux)
{
    if (s->qcount == QUEUE_SIZE) {
        return;
    }
    s->queue[(s->qhead + s->qcount) % QUEUE_SIZE] = b;
    s->queue_aux[(s->qhead + s->qcount) % QUEUE_SIZE] = aux;
    s->qcount++;
    kbd_update_irq(s);
}

static void outport_write(KBDState *s, uint8_t val)
{
    s->outport = val;
    if (!(val & KBD_OUT_RESET)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

/* A PS/2 keyboard: ACK (0xFA) everything, with the replies that carry data. */
static void keyboard_write(KBDState *s, uint8_t val)
{
    if (s->kbd_cmd) {
        s->kbd_cmd = 0;
        kbd_queue(s, 0xfa, false);
        return;
    }
    switch (val) {
    case 0xee:                      /* echo */
        kbd_queue(s, 0xee, false);
        break;
    case 0xf2:                      /* identify: MF2 keyboard */
        kbd_queue(s, 0xfa, false);
        kbd_queue(s, 0xab, false);
        kbd_queue(s, 0x83, false);
        break;
    case 0xff:                      /* reset and self-test passed */
        kbd_queue(s, 0xfa, false);
        kbd_queue(s, 0xaa, false);
        break;
    case 0xed:                      /* LEDs, typematic, scancode set: one argument */
    case 0xf3:
    case 0xf0:
        s->kbd_cmd = val;
        kbd_queue(s, 0xfa, false);
        break;
    default:
        kbd_queue(s, 0xfa, false);
        break;
    }
}

static void mouse_write(KBDState *s, uint8_t val)
{
    if (s->mouse_cmd) {
        s->mouse_cmd = 0;
        kbd_queue(s, 0xfa, true);
        return;
    }
    switch (val) {
    case 0xff:                      /* reset: ACK, self-test passed, ID 0 */
        kbd_queue(s, 0xfa, true);
        kbd_queue(s, 0xaa, true);
        kbd_queue(s, 0x00, true);
        break;
    case 0xf2:                      /* get ID: standard mouse */
        kbd_queue(s, 0xfa, true);
        kbd_queue(s, 0x00, true);
        break;
    case 0xe9:                      /* status: ACK + 3 bytes */
        kbd_queue(s, 0xfa, true);
        kbd_queue(s, 0x00, true);
        kbd_queue(s, 0x02, true);
        kbd_queue(s, 0x64, true);
        break;
    case 0xe8:                      /* resolution, sample rate: one argument */
    case 0xf3:
        s->mouse_cmd = val;
        kbd_queue(s, 0xfa, true);
        break;
    default:
        kbd_queue(s, 0xfa, true);
        break;
    }
}

static void kbd_write_command(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    KBDState *s = opaque;

    /* 0xF0-0xFF pulse output port bits low; only bit 0 (reset) does anything. */
    if ((val & 0xf0) == 0xf0) {
        val = (val & 1) ? 0xff : 0xfe;
    }
    switch (val) {
    case 0x20:
        kbd_queue(s, s->mode, false);
        break;
    case 0x60:
    case 0xd1:
    case 0xd2:
    case 0xd3:
    case 0xd4:
        s->write_cmd = val;
        break;
    case 0xa7:
        s->mode |= KBD_MODE_DISABLE_MOUSE;
        break;
    case 0xa8:
        s->mode &= ~KBD_MODE_DISABLE_MOUSE;
        break;
    case 0xa9:
    case 0xab:
        kbd_queue(s, 0x00, false);      /* interface tests pass */
        break;
    case 0xaa:
        s->status |= KBD_STAT_SELFTEST;
        kbd_queue(s, 0x55, false);
        break;
    case 0xad:
        s->mode |= KBD_MODE_DISABLE_KBD;
        break;
    case 0xae:
        s->mode &= ~KBD_MODE_DISABLE_KBD;
        break;
    case 0xc0:
        kbd_queue(s, 0x80, false);
        break;
    case 0xd0:
        kbd_queue(s, s->outport, false);
        break;
    case 0xdd:
        s->outport &= ~KBD_OUT_A20;
        break;
    case 0xdf:
        s->outport |= KBD_OUT_A20;
        break;
    case 0xfe:
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    default:
        break;
    }
}

static uint64_t kbd_read_status(void *opaque, hwaddr addr, unsigned size)
{
    KBDState *s = opaque;

    return s->status;
}

static void kbd_write_data(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    KBDState *s = opaque;
    uint8_t cmd = s->write_cmd;

    s->write_cmd = 0;
    switch (cmd) {
    case 0:
        keyboard_write(s, val);
        break;
    case 0x60:
        s->mode = val;
        kbd_update_irq(s);
        break;
    case 0xd1:
        outport_write(s, val);
        break;
    case 0xd2:
        kbd_queue(s, val, false);
        break;
    case 0xd3:
        kbd_queue(s, val, true);
        break;
    case 0xd4:
        mouse_write(s, val);
        break;
    }
}

static uint64_t kbd_read_data(void *opaque, hwaddr addr, unsigned size)
{
    KBDState *s = opaque;

    if (s->qcount) {
        s->obdata = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % QUEUE_SIZE;
        s->qcount--;
        kbd_update_irq(s);
    }
    return s->obdata;
}

static const MemoryRegionOps data_ops = {
    .read = kbd_read_data,
    .write = kbd_write_data,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps cmd_ops = {
    .read = kbd_read_status,
    .write = kbd_write_command,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

bool i8042_a20_enabled(void)
{
    return kbd.outport & KBD_OUT_A20;
}

static void kbd_reset(void *opaque)
{
    KBDState *s = opaque;

    s->mode = KBD_MODE_KBD_INT | KBD_MODE_MOUSE_INT;
    s->status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
    s->outport = KBD_OUT_RESET | KBD_OUT_A20 | KBD_OUT_ONES;
    s->write_cmd = s->kbd_cmd = s->mouse_cmd = 0;
    s->qhead = s->qcount = 0;
    s->obdata = 0;
    kbd_update_irq(s);
}

void i8042_init(qemu_irq kbd_irq, qemu_irq mouse_irq)
{
    KBDState *s = &kbd;

    memset(s, 0, sizeof(*s));
    s->irq_kbd = kbd_irq;
    s->irq_mouse = mouse_irq;
    memory_region_init_io(&s->data_io, NULL, &data_ops, s, "i8042-data", 1);
    memory_region_add_subregion(get_system_io(), 0x60, &s->data_io);
    memory_region_init_io(&s->cmd_io, NULL, &cmd_ops, s, "i8042-cmd", 1);
    memory_region_add_subregion(get_system_io(), 0x64, &s->cmd_io);
    kbd_reset(s);
    qemu_register_reset(kbd_reset, s);
}
