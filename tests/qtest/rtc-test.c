/*
 * MC146818 RTC/CMOS: the memory-size bytes SeaBIOS reads (values as
 * QEMU 7.2's pc_cmos_init writes them), clock registers, the periodic
 * interrupt on IRQ8 with the virtual clock.
 */
#include <glib.h>

#include "libqtest.h"

static uint8_t cmos_read(QTestState *qts, uint8_t reg)
{
    qtest_outb(qts, 0x70, reg);
    return qtest_inb(qts, 0x71);
}

static void cmos_write(QTestState *qts, uint8_t reg, uint8_t val)
{
    qtest_outb(qts, 0x70, reg);
    qtest_outb(qts, 0x71, val);
}

static void test_memory_size_128m(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 128");

    g_assert_cmphex(cmos_read(qts, 0x15) | cmos_read(qts, 0x16) << 8, ==, 640);
    g_assert_cmphex(cmos_read(qts, 0x17) | cmos_read(qts, 0x18) << 8, ==, 0xffff);
    g_assert_cmphex(cmos_read(qts, 0x30) | cmos_read(qts, 0x31) << 8, ==, 0xffff);
    g_assert_cmphex(cmos_read(qts, 0x34) | cmos_read(qts, 0x35) << 8, ==, 0x0700);
    g_assert_cmphex(cmos_read(qts, 0x5b) | cmos_read(qts, 0x5c) << 8 |
                    cmos_read(qts, 0x5d) << 16, ==, 0);
    g_assert_cmphex(cmos_read(qts, 0x5f), ==, 0);
    g_assert_cmphex(cmos_read(qts, 0x3d), ==, 0x12);
    g_assert_cmphex(cmos_read(qts, 0x38), ==, 0x30);
    g_assert_cmphex(cmos_read(qts, 0x14), ==, 0x06);
    g_assert_cmphex(cmos_read(qts, 0x0a), ==, 0x26);
    g_assert_cmphex(cmos_read(qts, 0x0b), ==, 0x02);
    g_assert_cmphex(cmos_read(qts, 0x0d), ==, 0x80);
    qtest_quit(qts);
}

static void test_memory_size_small_and_large(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 8 -smp 4");

    /* 8 MiB: 7 MiB extended, nothing above 16 MiB. */
    g_assert_cmpint(cmos_read(qts, 0x17) | cmos_read(qts, 0x18) << 8, ==, 7 * 1024);
    g_assert_cmpint(cmos_read(qts, 0x34) | cmos_read(qts, 0x35) << 8, ==, 0);
    g_assert_cmpint(cmos_read(qts, 0x5f), ==, 3);
    qtest_quit(qts);

    qts = qtest_init("-M pc -nodefaults -m 5G");
    /* 3 GiB below 4G: (3G - 16M) / 64K; 2 GiB above in 64 KiB units. */
    g_assert_cmphex(cmos_read(qts, 0x34) | cmos_read(qts, 0x35) << 8, ==, 0xbf00);
    g_assert_cmphex(cmos_read(qts, 0x5b) | cmos_read(qts, 0x5c) << 8 |
                    cmos_read(qts, 0x5d) << 16, ==, 0x8000);
    qtest_quit(qts);
}

static int bcd(int v)
{
    return (v >> 4) * 10 + (v & 15);
}

static void test_clock_set_and_read(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    g_assert_cmpint(bcd(cmos_read(qts, 0x00)), <, 60);
    g_assert_cmpint(bcd(cmos_read(qts, 0x08)), >=, 1);
    g_assert_cmpint(bcd(cmos_read(qts, 0x08)), <=, 12);
    /* Set 2031-12-31 23:59:50 with SET held, then let it run. */
    cmos_write(qts, 0x0b, 0x82);
    cmos_write(qts, 0x00, 0x50);
    cmos_write(qts, 0x02, 0x59);
    cmos_write(qts, 0x04, 0x23);
    cmos_write(qts, 0x07, 0x31);
    cmos_write(qts, 0x08, 0x12);
    cmos_write(qts, 0x09, 0x31);
    cmos_write(qts, 0x32, 0x20);
    cmos_write(qts, 0x0b, 0x02);
    g_assert_cmphex(cmos_read(qts, 0x09), ==, 0x31);
    g_assert_cmphex(cmos_read(qts, 0x08), ==, 0x12);
    g_assert_cmphex(cmos_read(qts, 0x32), ==, 0x20);
    /* Binary mode shows the same date without BCD. */
    cmos_write(qts, 0x0b, 0x06);
    g_assert_cmpint(cmos_read(qts, 0x09), ==, 31);
    qtest_quit(qts);
}

static void test_periodic_irq8(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    qtest_irq_intercept_in(qts, "ioapic");
    cmos_write(qts, 0x0a, 0x26);            /* 1024 Hz */
    cmos_write(qts, 0x0b, 0x42);            /* PIE */
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_clock_step(qts, 1000000);         /* 1 ms: one period has passed */
    g_assert_true(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, 0x0c), ==, 0xc0);    /* IRQF | PF, cleared by reading */
    g_assert_false(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, 0x0c), ==, 0x00);
    cmos_write(qts, 0x0b, 0x02);
    qtest_clock_step(qts, 10000000);
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/memory-size-128m", test_memory_size_128m);
    g_test_add_func("/rtc/memory-size-small-and-large", test_memory_size_small_and_large);
    g_test_add_func("/rtc/clock-set-and-read", test_clock_set_and_read);
    g_test_add_func("/rtc/periodic-irq8", test_periodic_irq8);
    return g_test_run();
}
