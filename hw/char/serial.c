/*
 * National Semiconductor 16550A UART (PC16550D data sheet): divisor
 * latch, 16-byte receive FIFO with trigger levels and character timeout,
 * interrupt identification by priority, line and modem status, loopback.
 * Transmission is instantaneous: THR is always ready again at once.
 */
#include <string.h>
#include <glib.h>

#include "qemu/main-loop.h"
#include "hw/char/serial.h"
#include "sysemu/runstate.h"

#define UART_RBR 0      /* receive buffer (read, DLAB=0) */
#define UART_THR 0      /* transmit holding (write, DLAB=0) */
#define UART_IER 1
#define UART_IIR 2      /* read */
#define UART_FCR 2      /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_MSI    0x08
#define UART_IER_RLSI   0x04
#define UART_IER_THRI   0x02
#define UART_IER_RDI    0x01

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FE     0xc0    /* FIFOs enabled */

#define UART_FCR_FE     0x01
#define UART_FCR_RFR    0x02
#define UART_FCR_XFR    0x04

#define UART_LCR_DLAB   0x80

#define UART_MCR_LOOP   0x10
#define UART_MCR_OUT2   0x08
#define UART_MCR_OUT1   0x04
#define UART_MCR_RTS    0x02
#define UART_MCR_DTR    0x01

#define UART_LSR_TEMT   0x40
#define UART_LSR_THRE   0x20
#define UART_LSR_BI     0x10
#define UART_LSR_FE     0x08
#define UART_LSR_PE     0x04
#define UART_LSR_OE     0x02
#define UART_LSR_DR     0x01
#define UART_LSR_INT_ANY (UART_LSR_BI | UART_LSR_FE | UART_LSR_PE | UART_LSR_OE)

#define UART_MSR_DCD    0x80
#define UART_MSR_RI     0x40
#define UART_MSR_DSR    0x20
#define UART_MSR_CTS    0x10
#define UART_MSR_DDCD   0x08
#define UART_MSR_TERI   0x04
#define UART_MSR_DDSR   0x02
#define UART_MSR_DCTS   0x01
#define UART_MSR_ANY_DELTA 0x0f

#define FIFO_SIZE 16

struct SerialState {
    uint16_t divider;
    uint8_t rbr;
    uint8_t ier;
    uint8_t iir;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;
    uint8_t recv_fifo_itl;      /* trigger level */
    uint8_t fifo[FIFO_SIZE];
    int fifo_head, fifo_count;
    bool thr_ipending;
    bool timeout_ipending;
    QEMUTimer *fifo_timeout_timer;
    qemu_irq irq;
    MemoryRegion io;
    SerialWriteFn *be_write;
    void *be_opaque;
};

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

static void fifo_push(SerialState *s, uint8_t c)
{
    s->fifo[(s->fifo_head + s->fifo_count) % FIFO_SIZE] = c;
    s->fifo_count++;
}

static uint8_t fifo_pop(SerialState *s)
{
    uint8_t c = s->fifo[s->fifo_head];

    s->fifo_head = (s->fifo_head + 1) % FIFO_SIZE;
    s->fifo_count--;
    return c;
}

static void fifo_reset(SerialState *s)
{
    s->fifo_head = s->fifo_count = 0;
}

static void serial_update_irq(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_INT_ANY)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR) &&
               (!fifo_enabled(s) || s->fifo_count >= s->recv_fifo_itl)) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (s->iir & 0xf0);
    qemu_set_irq(s->irq, id != UART_IIR_NO_INT);
}

/* Time of one character at the programmed rate, for the FIFO timeout. */
static int64_t char_time_ns(SerialState *s)
{
    int bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 4) ? 2 : 1) + ((s->lcr & 8) ? 1 : 0);
    int64_t div = s->divider ? s->divider : 1;

    return 1000000000LL / (115200 / div) * bits;
}

static void fifo_timeout(void *opaque)
{
    SerialState *s = opaque;

    if (s->fifo_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

static void receive_byte(SerialState *s, uint8_t c)
{
    if (fifo_enabled(s)) {
        if (s->fifo_count == FIFO_SIZE) {
            s->lsr |= UART_LSR_OE;      /* the byte is lost */
        } else {
            fifo_push(s, c);
        }
        s->lsr |= UART_LSR_DR;
        timer_mod(s->fifo_timeout_timer,
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
    } else {
        if (s->lsr & UART_LSR_DR) {
            s->lsr |= UART_LSR_OE;
        }
        s->rbr = c;
        s->lsr |= UART_LSR_DR;
    }
    serial_update_irq(s);
}

int serial_can_receive(SerialState *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        return 0;       /* the line is looped back, nothing comes in */
    }
    if (fifo_enabled(s)) {
        return FIFO_SIZE - s->fifo_count;
    }
    return !(s->lsr & UART_LSR_DR);
}

void serial_receive(SerialState *s, const uint8_t *buf, int len)
{
    for (int i = 0; i < len; i++) {
        receive_byte(s, buf[i]);
    }
}

void serial_set_backend(SerialState *s, SerialWriteFn *write, void *opaque)
{
    s->be_write = write;
    s->be_opaque = opaque;
}

static void serial_transmit(SerialState *s, uint8_t c)
{
    if (s->mcr & UART_MCR_LOOP) {
        receive_byte(s, c);
    } else if (s->be_write) {
        s->be_write(s->be_opaque, &c, 1);
    }
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq(s);
}

static void serial_ioport_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    SerialState *s = opaque;
    uint8_t old;

    switch (addr & 7) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
            break;
        }
        s->thr_ipending = false;
        s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
        serial_update_irq(s);
        serial_transmit(s, val);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (val << 8);
            break;
        }
        old = s->ier;
        s->ier = val & 0x0f;
        /* Enabling THRI with THR empty raises it at once, as on real chips. */
        if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI) && (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = true;
        }
        serial_update_irq(s);
        break;
    case UART_FCR:
        old = s->fcr;
        if ((val ^ old) & UART_FCR_FE) {
            val |= UART_FCR_RFR | UART_FCR_XFR;     /* toggling FE clears both */
        }
        if (val & UART_FCR_RFR) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
            timer_del(s->fifo_timeout_timer);
            s->timeout_ipending = false;
            fifo_reset(s);
        }
        if (val & UART_FCR_XFR) {
            /* An emptied transmit FIFO asks for data again. */
            s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
            s->thr_ipending = true;
        }
        s->fcr = val & 0xc9;
        if (fifo_enabled(s)) {
            static const uint8_t itl[4] = { 1, 4, 8, 14 };

            s->iir |= UART_IIR_FE;
            s->recv_fifo_itl = itl[val >> 6];
        } else {
            s->iir &= ~UART_IIR_FE;
        }
        serial_update_irq(s);
        break;
    case UART_LCR:
        s->lcr = val;
        break;
    case UART_MCR:
        s->mcr = val & 0x1f;
        serial_update_irq(s);
        break;
    case UART_LSR:
        break;
    case UART_MSR:
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

static uint64_t serial_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t ret;

    switch (addr & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        if (fifo_enabled(s)) {
            ret = s->fifo_count ? fifo_pop(s) : 0;
            if (!s->fifo_count) {
                s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
                timer_del(s->fifo_timeout_timer);
            } else {
                timer_mod(s->fifo_timeout_timer,
                          qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
            }
            s->timeout_ipending = false;
        } else {
            ret = s->rbr;
            s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        }
        serial_update_irq(s);
        return ret;
    case UART_IER:
        return (s->lcr & UART_LCR_DLAB) ? s->divider >> 8 : s->ier;
    case UART_IIR:
        ret = s->iir;
        if ((ret & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false;        /* reading IIR acknowledges THRE */
            serial_update_irq(s);
        }
        return ret;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        ret = s->lsr;
        if (s->lsr & (UART_LSR_BI | UART_LSR_OE)) {
            s->lsr &= ~(UART_LSR_BI | UART_LSR_OE);
            serial_update_irq(s);
        }
        return ret;
    case UART_MSR:
        if (s->mcr & UART_MCR_LOOP) {
            /* Loopback wires OUT2->DCD, OUT1->RI, RTS->CTS, DTR->DSR (no deltas). */
            return ((s->mcr & 0x0c) << 4) | ((s->mcr & UART_MCR_RTS) << 3) |
                   ((s->mcr & UART_MCR_DTR) << 5);
        }
        ret = s->msr;
        if (s->msr & UART_MSR_ANY_DELTA) {
            s->msr &= ~UART_MSR_ANY_DELTA;
            serial_update_irq(s);
        }
        return ret;
    default:
        return s->scr;
    }
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_ioport_read,
    .write = serial_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void serial_reset(void *opaque)
{
    SerialState *s = opaque;

    s->rbr = 0;
    s->ier = 0;
    s->iir = UART_IIR_NO_INT;
    s->lcr = 0;
    s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->divider = 0x0c;              /* 9600 baud */
    s->mcr = UART_MCR_OUT2;
    s->scr = 0;
    s->fcr = 0;
    s->recv_fifo_itl = 1;
    s->thr_ipending = false;
    s->timeout_ipending = false;
    fifo_reset(s);
    timer_del(s->fifo_timeout_timer);
    qemu_irq_lower(s->irq);
}

SerialState *serial_isa_init(hwaddr base, qemu_irq irq)
{
    SerialState *s = g_new0(SerialState, 1);

    s->irq = irq;
    s->fifo_timeout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, fifo_timeout, s);
    memory_region_init_io(&s->io, NULL, &serial_io_ops, s, "serial", 8);
    memory_region_add_subregion(get_system_io(), base, &s->io);
    serial_reset(s);
    qemu_register_reset(serial_reset, s);
    return s;
}
