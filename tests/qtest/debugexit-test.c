/*
 * isa-debug-exit: a write of V ends minivm with status (V << 1) | 1,
 * at QEMU's default ports and at kvm-unit-tests' iobase=0xf4,iosize=4.
 */
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"

static void expect_exit(QTestState *qts, int status)
{
    int ws = qtest_wait_qemu(qts);

    g_assert_true(WIFEXITED(ws));
    g_assert_cmpint(WEXITSTATUS(ws), ==, status);
    qtest_quit(qts);
}

static void test_kvm_unit_tests_port(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device isa-debug-exit,iobase=0xf4,"
                                 "iosize=0x4");
    char *r;

    /* The reply is never sent: minivm is gone.  Use a raw write. */
    r = qtest_raw_cmd(qts, "inb 0xf4");
    g_assert_cmpstr(r, ==, "OK 0x0000");
    g_free(r);
    qtest_outb(qts, 0x80, 0);
    qtest_raw_cmd_noreply(qts, "outl 0xf4 0x1");
    expect_exit(qts, 3);        /* kvm-unit-tests' FAIL */
}

static void test_default_port(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device isa-debug-exit");

    qtest_raw_cmd_noreply(qts, "outb 0x502 0x0");
    expect_exit(qts, 1);        /* kvm-unit-tests' PASS */
}

static void test_value_shift(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device isa-debug-exit,iobase=0xf4,"
                                 "iosize=4");

    qtest_raw_cmd_noreply(qts, "outw 0xf6 0x3f");
    expect_exit(qts, 0x7f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debugexit/kvm-unit-tests-port", test_kvm_unit_tests_port);
    g_test_add_func("/debugexit/default-port", test_default_port);
    g_test_add_func("/debugexit/value-shift", test_value_shift);
    return g_test_run();
}
