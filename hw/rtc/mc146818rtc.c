/*
 * Motorola MC146818A RTC with 114 bytes of CMOS RAM.  The time of day
 * follows the host clock from the moment the machine starts (as QEMU's
 * default -rtc base=utc,clock=host); a guest that sets the time moves an
 * offset.  Periodic interrupts run on the virtual clock so that qtest can
 * step them.  Update-in-progress is never reported: every read sees a
 * consistent time.
 */
#include <string.h>
#include <time.h>
#include <glib.h>

#include "exec/memory.h"
#include "qemu/main-loop.h"
#include "hw/rtc/mc146818rtc.h"
#include "sysemu/runstate.h"

#define RTC_SECONDS         0
#define RTC_SECONDS_ALARM   1
#define RTC_MINUTES         2
#define RTC_MINUTES_ALARM   3
#define RTC_HOURS           4
#define RTC_HOURS_ALARM     5
#define RTC_DAY_OF_WEEK     6
#define RTC_DAY_OF_MONTH    7
#define RTC_MONTH           8
#define RTC_YEAR            9
#define RTC_REG_A           10
#define RTC_REG_B           11
#define RTC_REG_C           12
#define RTC_REG_D           13

#define REG_A_UIP           0x80
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_DM            0x04    /* binary instead of BCD */
#define REG_B_24H           0x02
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10

typedef struct RTCState {
    uint8_t cmos_data[128];
    uint8_t cmos_index;
    int base_year;
    int64_t offset_s;       /* guest time minus host time, seconds */
    qemu_irq irq;
    QEMUTimer *periodic_timer;
    int64_t next_periodic_time;
    MemoryRegion io;
} RTCState;

static RTCState rtc;

void rtc_set_memory(int addr, uint8_t val)
{
    if (addr >= 0 && addr < 128) {
        rtc.cmos_data[addr] = val;
    }
}

uint8_t rtc_get_memory(int addr)
{
    return addr >= 0 && addr < 128 ? rtc.cmos_data[addr] : 0;
}

static int to_bcd(RTCState *s, int v)
{
    return (s->cmos_data[RTC_REG_B] & REG_B_DM) ? v : ((v / 10) << 4) | (v % 10);
}

static int from_bcd(RTCState *s, int v)
{
    return (s->cmos_data[RTC_REG_B] & REG_B_DM) ? v : ((v >> 4) * 10) + (v & 15);
}

static time_t rtc_now(RTCState *s)
{
    return qemu_clock_get_ns(QEMU_CLOCK_HOST) / 1000000000LL + s->offset_s;
}

/* Put the current time into the clock registers. */
static void rtc_fill_time(RTCState *s)
{
    time_t t = rtc_now(s);
    struct tm tm;
    int year;

    gmtime_r(&t, &tm);
    s->cmos_data[RTC_SECONDS] = to_bcd(s, tm.tm_sec);
    s->cmos_data[RTC_MINUTES] = to_bcd(s, tm.tm_min);
    if (s->cmos_data[RTC_REG_B] & REG_B_24H) {
        s->cmos_data[RTC_HOURS] = to_bcd(s, tm.tm_hour);
    } else {
        int h = tm.tm_hour % 12;

        s->cmos_data[RTC_HOURS] = to_bcd(s, h ? h : 12) | (tm.tm_hour >= 12 ? 0x80 : 0);
    }
    s->cmos_data[RTC_DAY_OF_WEEK] = to_bcd(s, tm.tm_wday + 1);
    s->cmos_data[RTC_DAY_OF_MONTH] = to_bcd(s, tm.tm_mday);
    s->cmos_data[RTC_MONTH] = to_bcd(s, tm.tm_mon + 1);
    year = tm.tm_year + 1900 - s->base_year;
    s->cmos_data[RTC_YEAR] = to_bcd(s, ((year % 100) + 100) % 100);
    s->cmos_data[RTC_CENTURY] = to_bcd(s, (tm.tm_year + 1900) / 100);
}

/* The guest wrote the clock registers: make them the current time. */
static void rtc_take_time(RTCState *s)
{
    struct tm tm = { 0 };
    int hour = s->cmos_data[RTC_HOURS];
    time_t t;

    tm.tm_sec = from_bcd(s, s->cmos_data[RTC_SECONDS]);
    tm.tm_min = from_bcd(s, s->cmos_data[RTC_MINUTES]);
    if (s->cmos_data[RTC_REG_B] & REG_B_24H) {
        tm.tm_hour = from_bcd(s, hour);
    } else {
        tm.tm_hour = from_bcd(s, hour & 0x7f) % 12 + ((hour & 0x80) ? 12 : 0);
    }
    tm.tm_mday = from_bcd(s, s->cmos_data[RTC_DAY_OF_MONTH]);
    tm.tm_mon = from_bcd(s, s->cmos_data[RTC_MONTH]) - 1;
    tm.tm_year = from_bcd(s, s->cmos_data[RTC_CENTURY]) * 100 +
                 from_bcd(s, s->cmos_data[RTC_YEAR]) - 1900;
    t = timegm(&tm);
    s->offset_s = t - qemu_clock_get_ns(QEMU_CLOCK_HOST) / 1000000000LL;
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t c = s->cmos_data[RTC_REG_C] & (REG_C_PF | REG_C_AF | REG_C_UF);
    uint8_t b = s->cmos_data[RTC_REG_B];

    if (c & b & (REG_B_PIE | REG_B_AIE | REG_B_UIE)) {
        s->cmos_data[RTC_REG_C] |= REG_C_IRQF;
        qemu_irq_raise(s->irq);
    }
}

/* Reg A rate select: period in ns, 0 if off (32.768 kHz divider assumed). */
static int64_t periodic_period_ns(RTCState *s)
{
    int rate = s->cmos_data[RTC_REG_A] & 0x0f;

    if (!rate) {
        return 0;
    }
    if (rate <= 2) {
        rate += 7;
    }
    return (1LL << (rate - 1)) * 1000000000LL / 32768;
}

static void periodic_update(RTCState *s)
{
    int64_t period = periodic_period_ns(s);

    if (!period || !(s->cmos_data[RTC_REG_B] & REG_B_PIE)) {
        /* PF still latches without PIE, but nothing needs the timer for it. */
        timer_del(s->periodic_timer);
        return;
    }
    s->next_periodic_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + period;
    timer_mod(s->periodic_timer, s->next_periodic_time);
}

static void periodic_timer_cb(void *opaque)
{
    RTCState *s = opaque;
    int64_t period = periodic_period_ns(s);

    s->cmos_data[RTC_REG_C] |= REG_C_PF;
    rtc_update_irq(s);
    if (period) {
        s->next_periodic_time += period;
        timer_mod(s->periodic_timer, s->next_periodic_time);
    }
}

static void cmos_ioport_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    RTCState *s = opaque;
    int idx = s->cmos_index;

    if (addr == 0) {
        s->cmos_index = val & 0x7f;     /* bit 7 is the NMI mask */
        return;
    }
    switch (idx) {
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        s->cmos_data[idx] = val;
        break;
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_fill_time(s);
        }
        s->cmos_data[idx] = val;
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_take_time(s);
        }
        break;
    case RTC_REG_A:
        s->cmos_data[RTC_REG_A] = (val & ~REG_A_UIP) | (s->cmos_data[RTC_REG_A] & REG_A_UIP);
        periodic_update(s);
        break;
    case RTC_REG_B:
        if ((val & REG_B_SET) && !(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_fill_time(s);           /* freeze what the guest will edit */
        }
        if (!(val & REG_B_SET) && (s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            s->cmos_data[RTC_REG_B] = val;
            rtc_take_time(s);
        }
        s->cmos_data[RTC_REG_B] = val & (val & REG_B_SET ? ~REG_B_UIE : 0xff);
        periodic_update(s);
        rtc_update_irq(s);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break;                          /* read-only */
    default:
        s->cmos_data[idx] = val;
        break;
    }
}

static uint64_t cmos_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCState *s = opaque;
    int idx = s->cmos_index;
    uint8_t ret;

    if (addr == 0) {
        return 0xff;
    }
    switch (idx) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_fill_time(s);
        }
        return s->cmos_data[idx];
    case RTC_REG_C:
        ret = s->cmos_data[RTC_REG_C];
        qemu_irq_lower(s->irq);
        s->cmos_data[RTC_REG_C] = 0;
        return ret;
    default:
        return s->cmos_data[idx];
    }
}

static const MemoryRegionOps cmos_ops = {
    .read = cmos_ioport_read,
    .write = cmos_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void rtc_reset(void *opaque)
{
    RTCState *s = opaque;

    s->cmos_data[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE);
    s->cmos_data[RTC_REG_C] &= ~(REG_C_UF | REG_C_IRQF | REG_C_PF | REG_C_AF);
    periodic_update(s);
    qemu_irq_lower(s->irq);
}

void mc146818_rtc_init(qemu_irq irq, int base_year)
{
    RTCState *s = &rtc;

    memset(s, 0, sizeof(*s));
    s->irq = irq;
    s->base_year = base_year;
    s->cmos_data[RTC_REG_A] = 0x26;     /* 32.768 kHz, 1024 Hz rate */
    s->cmos_data[RTC_REG_B] = REG_B_24H;
    s->cmos_data[RTC_REG_C] = 0;
    s->cmos_data[RTC_REG_D] = 0x80;     /* valid RAM and time */
    s->periodic_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, periodic_timer_cb, s);
    rtc_fill_time(s);
    memory_region_init_io(&s->io, NULL, &cmos_ops, s, "rtc", 2);
    memory_region_add_subregion(get_system_io(), 0x70, &s->io);
    qemu_register_reset(rtc_reset, s);
}
