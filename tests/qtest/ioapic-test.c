/*
 * IOAPIC and 8259 through qtest: identification registers, redirection
 * entries, delivery as an interrupt message to 0xfee00000 (recorded
 * under qtest), level-triggered Remote IRR and EOI, edge masking; the
 * PIC's IRR/ISR/IMR through its command ports and the ELCR.
 */
#include <glib.h>

#include "libqtest.h"

#define IOAPIC 0xfec00000ULL

static uint32_t ioapic_read(QTestState *qts, uint8_t reg)
{
    qtest_writel(qts, IOAPIC, reg);
    return qtest_readl(qts, IOAPIC + 0x10);
}

static void ioapic_write(QTestState *qts, uint8_t reg, uint32_t val)
{
    qtest_writel(qts, IOAPIC, reg);
    qtest_writel(qts, IOAPIC + 0x10, val);
}

static void test_ioapic_registers(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    g_assert_cmphex(ioapic_read(qts, 0x01), ==, 0x00170020);   /* 24 pins, version 0x20 */
    ioapic_write(qts, 0x00, 0x0f000000);
    g_assert_cmphex(ioapic_read(qts, 0x00), ==, 0x0f000000);
    /* Entries reset masked. */
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * pin), ==, 0x00010000);
    }
    /* Remote IRR and delivery status are read-only. */
    ioapic_write(qts, 0x10 + 2 * 9, 0x00015031);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 9), ==, 0x00010031);
    qtest_quit(qts);
}

static void test_ioapic_delivery(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");
    const uint64_t msg = 0xfee00000ULL | (3 << 12);     /* destination APIC ID 3 */

    /* Pin 10: level, active high, fixed, vector 0x41, dest 3. */
    ioapic_write(qts, 0x10 + 2 * 10 + 1, 3u << 24);
    ioapic_write(qts, 0x10 + 2 * 10, 0x8041);
    qtest_set_irq_in(qts, "ioapic", NULL, 10, 1);
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x8041);     /* vector | level trigger */
    /* Remote IRR is set until the EOI. */
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10) & 0x4000, ==, 0x4000);
    qtest_writel(qts, msg, 0);
    qtest_writel(qts, IOAPIC + 0x40, 0x41);                 /* EOI, line still high */
    g_assert_cmphex(qtest_readl(qts, msg), ==, 0x8041);     /* delivered again */
    qtest_set_irq_in(qts, "ioapic", NULL, 10, 0);
    qtest_writel(qts, IOAPIC + 0x40, 0x41);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10) & 0x4000, ==, 0);

    /* Edge pin 2 receives ISA IRQ0; while masked, edges are lost. */
    ioapic_write(qts, 0x10 + 2 * 2 + 1, 0);
    ioapic_write(qts, 0x10 + 2 * 2, 0x10030);
    qtest_set_irq_in(qts, "ioapic", NULL, 0, 1);
    qtest_set_irq_in(qts, "ioapic", NULL, 0, 0);
    g_assert_cmphex(qtest_readl(qts, 0xfee00000ULL), ==, 0);
    ioapic_write(qts, 0x10 + 2 * 2, 0x00030);
    g_assert_cmphex(qtest_readl(qts, 0xfee00000ULL), ==, 0);
    qtest_set_irq_in(qts, "ioapic", NULL, 0, 1);
    g_assert_cmphex(qtest_readl(qts, 0xfee00000ULL), ==, 0x30);
    qtest_quit(qts);
}

static void test_pic(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    /* ICW1-4 for the master as BIOSes do it: base 0x08, cascade on IR2. */
    qtest_outb(qts, 0x20, 0x11);
    qtest_outb(qts, 0x21, 0x08);
    qtest_outb(qts, 0x21, 0x04);
    qtest_outb(qts, 0x21, 0x01);
    qtest_outb(qts, 0x21, 0xfb);                    /* mask all but the cascade */
    g_assert_cmphex(qtest_inb(qts, 0x21), ==, 0xfb);
    /* An edge on IRQ1 shows in IRR (OCW3 0x0a selects IRR). */
    qtest_set_irq_in(qts, "i8259", NULL, 1, 1);
    qtest_outb(qts, 0x20, 0x0a);
    g_assert_cmphex(qtest_inb(qts, 0x20), ==, 0x02);
    /* Poll mode acknowledges it: 0x80 | IRQ, then it is in service. */
    qtest_outb(qts, 0x21, 0xf9);
    qtest_outb(qts, 0x20, 0x0c);
    g_assert_cmphex(qtest_inb(qts, 0x20), ==, 0x81);
    qtest_outb(qts, 0x20, 0x0b);                    /* read ISR */
    g_assert_cmphex(qtest_inb(qts, 0x20), ==, 0x02);
    qtest_outb(qts, 0x20, 0x20);                    /* non-specific EOI */
    g_assert_cmphex(qtest_inb(qts, 0x20), ==, 0x00);
    /* ELCR: IRQ0-2 cannot be level on the master, 8 and 13 not on the slave. */
    qtest_outb(qts, 0x4d0, 0xff);
    qtest_outb(qts, 0x4d1, 0xff);
    g_assert_cmphex(qtest_inb(qts, 0x4d0), ==, 0xf8);
    g_assert_cmphex(qtest_inb(qts, 0x4d1), ==, 0xde);
    qtest_quit(qts);
}

static void test_pit_irq0(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    qtest_irq_intercept_in(qts, "ioapic");
    /* Channel 0, mode 2 (rate generator), count 1193 (~1 ms). */
    qtest_outb(qts, 0x43, 0x34);
    qtest_outb(qts, 0x40, 1193 & 0xff);
    qtest_outb(qts, 0x40, 1193 >> 8);
    g_assert_false(qtest_get_irq(qts, 0));
    /*
     * QEMU's mode-2 model: OUT rises once per period (just after the
     * terminal count, at 1193 ticks ~ 1.0007 ms) and drops one tick
     * before the next.
     */
    qtest_clock_step(qts, 999000);
    g_assert_false(qtest_get_irq(qts, 0));
    qtest_clock_step(qts, 2000);
    g_assert_true(qtest_get_irq(qts, 0));
    qtest_clock_set(qts, 2000000);
    g_assert_false(qtest_get_irq(qts, 0));
    qtest_clock_set(qts, 2001000);
    g_assert_true(qtest_get_irq(qts, 0));
    /* Latched count reads back below the initial value. */
    qtest_outb(qts, 0x43, 0x00);
    {
        int lo = qtest_inb(qts, 0x40), hi = qtest_inb(qts, 0x40);

        g_assert_cmpint(lo | hi << 8, <, 1193);
    }
    qtest_quit(qts);
}

/* pc-testdev as kvm-unit-tests use it (values checked against QEMU 7.2). */
static void test_pc_testdev(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pc-testdev");

    qtest_outl(qts, 0xe0, 0x11223344);
    g_assert_cmphex(qtest_inb(qts, 0xe1), ==, 0x33);
    g_assert_cmphex(qtest_inw(qts, 0xe2), ==, 0x1122);
    qtest_outb(qts, 0xe9, 0xaa);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0x1122aa44);
    g_assert_cmphex(qtest_inl(qts, 0xe8), ==, 0x1122aa44);
    qtest_writel(qts, 0xff000010, 0xdeadbeef);
    g_assert_cmphex(qtest_readw(qts, 0xff000012), ==, 0xdead);
    /* Port 0x2000 + N drives GSI N. */
    qtest_irq_intercept_in(qts, "ioapic");
    qtest_outb(qts, 0x2000 + 10, 1);
    g_assert_true(qtest_get_irq(qts, 10));
    qtest_outb(qts, 0x2000 + 10, 0);
    g_assert_false(qtest_get_irq(qts, 10));
    qtest_outb(qts, 0x2000 + 20, 1);
    g_assert_true(qtest_get_irq(qts, 20));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/registers", test_ioapic_registers);
    g_test_add_func("/ioapic/delivery", test_ioapic_delivery);
    g_test_add_func("/i8259/registers-and-poll", test_pic);
    g_test_add_func("/i8254/irq0", test_pit_irq0);
    g_test_add_func("/pc-testdev/ports-and-irq-lines", test_pc_testdev);
    return g_test_run();
}
