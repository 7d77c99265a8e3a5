/*
 * The 16550A at 0x3f8: reset values, loopback, THR/IIR/LSR behaviour,
 * the FIFO, and IRQ4 at the IOAPIC.  Expected values were taken from
 * Debian's QEMU 7.2 with the same port sequences.
 */
#include <glib.h>

#include "libqtest.h"

#define COM1 0x3f8
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static QTestState *start(void)
{
    return qtest_init("-M pc -nodefaults -serial null");
}

static void test_reset_values(void)
{
    QTestState *qts = start();

    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x60);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x01);
    g_assert_cmphex(qtest_inb(qts, COM1 + MSR), ==, 0xb0);
    g_assert_cmphex(qtest_inb(qts, COM1 + MCR), ==, 0x08);
    /* Divisor latch: 9600 baud = 12. */
    qtest_outb(qts, COM1 + LCR, 0x80);
    g_assert_cmphex(qtest_inb(qts, COM1 + 0), ==, 0x0c);
    g_assert_cmphex(qtest_inb(qts, COM1 + 1), ==, 0x00);
    qtest_outb(qts, COM1 + LCR, 0x03);
    qtest_outb(qts, COM1 + SCR, 0x5a);
    g_assert_cmphex(qtest_inb(qts, COM1 + SCR), ==, 0x5a);
    /* No second UART with one -serial. */
    g_assert_cmphex(qtest_inb(qts, 0x2f8 + LSR), ==, 0xff);
    qtest_quit(qts);
}

static void test_loopback_thr_iir_lsr(void)
{
    QTestState *qts = start();

    qtest_outb(qts, COM1 + MCR, 0x13);                      /* LOOP | RTS | DTR */
    g_assert_cmphex(qtest_inb(qts, COM1 + MSR), ==, 0x30);  /* CTS | DSR, no deltas */
    qtest_outb(qts, COM1 + THR, 'A');
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x61);  /* THRE | TEMT | DR */
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x01);
    qtest_outb(qts, COM1 + IER, 0x01);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x04);  /* received data */
    g_assert_cmphex(qtest_inb(qts, COM1 + RBR), ==, 'A');
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x60);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x01);
    /* THR empty interrupt: raised on enable, acknowledged by reading IIR. */
    qtest_outb(qts, COM1 + IER, 0x02);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x02);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x01);
    /* MSR mirrors OUT2/OUT1 as DCD/RI in loopback. */
    qtest_outb(qts, COM1 + MCR, 0x1c);
    g_assert_cmphex(qtest_inb(qts, COM1 + MSR), ==, 0xc0);
    qtest_outb(qts, COM1 + MCR, 0x00);
    g_assert_cmphex(qtest_inb(qts, COM1 + MSR), ==, 0xb0);
    qtest_quit(qts);
}

static void test_fifo(void)
{
    QTestState *qts = start();

    qtest_outb(qts, COM1 + MCR, 0x13);
    qtest_outb(qts, COM1 + IER, 0x02);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0x02);
    qtest_outb(qts, COM1 + FCR, 0x07);                      /* enable + clear both */
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0xc2);
    qtest_outb(qts, COM1 + THR, 'B');
    qtest_outb(qts, COM1 + THR, 'C');
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x61);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0xc2);
    qtest_outb(qts, COM1 + IER, 0x03);
    g_assert_cmphex(qtest_inb(qts, COM1 + IIR), ==, 0xc4);
    g_assert_cmphex(qtest_inb(qts, COM1 + RBR), ==, 'B');
    g_assert_cmphex(qtest_inb(qts, COM1 + RBR), ==, 'C');
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x60);
    /* 17 bytes into a 16-byte FIFO: overrun, reported once. */
    for (int i = 0; i < 17; i++) {
        qtest_outb(qts, COM1 + THR, 'a' + i);
    }
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x63);
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR), ==, 0x61);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(qtest_inb(qts, COM1 + RBR), ==, 'a' + i);
    }
    g_assert_cmphex(qtest_inb(qts, COM1 + LSR) & 1, ==, 0);
    qtest_quit(qts);
}

static void test_irq4(void)
{
    QTestState *qts = start();

    qtest_irq_intercept_in(qts, "ioapic");
    qtest_outb(qts, COM1 + MCR, 0x18);                      /* LOOP | OUT2 */
    g_assert_false(qtest_get_irq(qts, 4));
    qtest_outb(qts, COM1 + IER, 0x01);
    qtest_outb(qts, COM1 + THR, 'x');
    g_assert_true(qtest_get_irq(qts, 4));
    qtest_inb(qts, COM1 + RBR);
    g_assert_false(qtest_get_irq(qts, 4));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/loopback-thr-iir-lsr", test_loopback_thr_iir_lsr);
    g_test_add_func("/serial/fifo", test_fifo);
    g_test_add_func("/serial/irq4", test_irq4);
    return g_test_run();
}
