/*
 * i8042 and the guest reset paths.  Register sequences compared with
 * Debian's QEMU 7.2; resets are observed through state they restore
 * (PIIX3's PIRQ routing) or, with -no-reboot, through minivm exiting 0.
 */
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"
#include "pci-cfg.h"

static void test_controller_and_devices(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    g_assert_cmphex(qtest_inb(qts, 0x64), ==, 0x18);
    qtest_outb(qts, 0x64, 0xaa);                    /* self test */
    g_assert_cmphex(qtest_inb(qts, 0x64), ==, 0x1d);
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0x55);
    g_assert_cmphex(qtest_inb(qts, 0x64), ==, 0x1c);
    qtest_outb(qts, 0x64, 0x20);                    /* read the command byte */
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0x03);
    qtest_outb(qts, 0x60, 0xf2);                    /* keyboard: identify */
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0xfa);
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0xab);
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0x83);
    qtest_outb(qts, 0x64, 0xd4);                    /* to the mouse: get ID */
    qtest_outb(qts, 0x60, 0xf2);
    g_assert_cmphex(qtest_inb(qts, 0x64), ==, 0x3d);        /* aux data waiting */
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0xfa);
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0x00);
    qtest_outb(qts, 0x64, 0xd0);                    /* output port: A20 and reset high */
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0xcf);
    qtest_quit(qts);
}

static void test_keyboard_irq1(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    qtest_irq_intercept_in(qts, "ioapic");
    qtest_outb(qts, 0x60, 0xee);                    /* echo */
    g_assert_true(qtest_get_irq(qts, 1));
    g_assert_cmphex(qtest_inb(qts, 0x60), ==, 0xee);
    g_assert_false(qtest_get_irq(qts, 1));
    qtest_quit(qts);
}

/* Each guest reset path restores PIIX3's routing registers to 0x80. */
static void check_reset(const char *what, void (*trigger)(QTestState *))
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    pci_cfg_writeb(qts, 8, 0x60, 5);
    g_assert_cmphex(pci_cfg_readb(qts, 8, 0x60), ==, 5);
    trigger(qts);
    g_assert_cmphex(pci_cfg_readb(qts, 8, 0x60), ==, 0x80);
    qtest_quit(qts);
    g_test_message("%s resets the machine", what);
}

static void reset_kbd(QTestState *qts)
{
    qtest_outb(qts, 0x64, 0xfe);
}

static void reset_kbd_outport(QTestState *qts)
{
    qtest_outb(qts, 0x64, 0xd1);
    qtest_outb(qts, 0x60, 0xce);
}

static void reset_cf9(QTestState *qts)
{
    qtest_outb(qts, 0xcf9, 0x06);
}

static void reset_port92(QTestState *qts)
{
    qtest_outb(qts, 0x92, 0x01);
}

static void test_reset_paths(void)
{
    check_reset("i8042 0xfe", reset_kbd);
    check_reset("i8042 output port bit 0", reset_kbd_outport);
    check_reset("PIIX3 0xcf9", reset_cf9);
    check_reset("port 0x92 bit 0", reset_port92);
}

static void test_no_reboot_exits(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -no-reboot");
    int ws;

    qtest_raw_cmd_noreply(qts, "outb 0x64 0xfe");
    ws = qtest_wait_qemu(qts);
    g_assert_true(WIFEXITED(ws));
    g_assert_cmpint(WEXITSTATUS(ws), ==, 0);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8042/controller-and-devices", test_controller_and_devices);
    g_test_add_func("/i8042/keyboard-irq1", test_keyboard_irq1);
    g_test_add_func("/reset/guest-paths", test_reset_paths);
    g_test_add_func("/reset/no-reboot-exits", test_no_reboot_exits);
    return g_test_run();
}
