/*
 * The qtest protocol itself: exact reply formats (as QEMU 7.2's
 * softmmu/qtest.c writes them), memory commands, the virtual clock,
 * and malformed requests that must not kill minivm.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <inttypes.h>
#include <glib.h>

#include "libqtest.h"

static void expect(QTestState *qts, const char *req, const char *reply)
{
    char *r = qtest_raw_cmd(qts, req);

    g_assert_cmpstr(r, ==, reply);
    g_free(r);
}

static void test_reply_formats(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    expect(qts, "outl 0xcf8 0x80000000", "OK");
    expect(qts, "inl 0xcfc", "OK 0x12378086");
    expect(qts, "inb 0xcfc", "OK 0x0086");
    expect(qts, "writel 0x1000 0xdeadbeef", "OK");
    expect(qts, "readl 0x1000", "OK 0x00000000deadbeef");
    expect(qts, "readb 0x1003", "OK 0x00000000000000de");
    expect(qts, "read 0x1000 4", "OK 0xefbeadde");
    expect(qts, "b64read 0x1000 4", "OK 776t3g==");
    expect(qts, "endianness", "OK little");
    expect(qts, "module_load block block-iscsi", "FAIL");
    expect(qts, "frobnicate 1 2", "FAIL Unknown command 'frobnicate'");
    expect(qts, "irq_intercept_in nosuchdevice", "FAIL Unknown device");
    expect(qts, "irq_intercept_in ioapic", "OK");
    expect(qts, "irq_intercept_in ioapic", "OK");
    expect(qts, "irq_intercept_in i8259", "FAIL IRQ intercept already enabled");
    qtest_quit(qts);
}

static void test_memory_commands(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");
    uint8_t buf[300], got[300];

    for (int i = 0; i < 300; i++) {
        buf[i] = i * 13;
    }
    qtest_memwrite(qts, 0x2000, buf, 300);
    qtest_bufread(qts, 0x2000, got, 300);
    g_assert_cmpmem(got, 300, buf, 300);
    qtest_bufwrite(qts, 0x3000, buf, 300);
    qtest_memread(qts, 0x3000, got, 300);
    g_assert_cmpmem(got, 300, buf, 300);
    qtest_memset(qts, 0x3001, 0x7e, 2);
    g_assert_cmphex(qtest_readl(qts, 0x3000), ==, (uint32_t)buf[3] << 24 | 0x7e7e00 | buf[0]);
    /* "write" zero-fills bytes the data word does not cover. */
    expect(qts, "write 0x4000 4 0xaabb", "OK");
    g_assert_cmphex(qtest_readl(qts, 0x4000), ==, 0x0000bbaa);
    expect(qts, "write 0x4000 4 0x", "ERR invalid argument size");
    expect(qts, "memset 0x4000 0 0x55", "OK");
    qtest_writeq(qts, 0x5000, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(qts, 0x5000), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readw(qts, 0x5002), ==, 0x89ab);
    qtest_quit(qts);
}

static void test_clock(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    g_assert_cmpint(qtest_clock_step(qts, 1000), ==, 1000);
    g_assert_cmpint(qtest_clock_set(qts, 5000), ==, 5000);
    /* The clock never goes backwards. */
    g_assert_cmpint(qtest_clock_set(qts, 100), ==, 5000);
    /* Stepping to the next deadline lands on a PIT transition (it runs from reset). */
    g_assert_cmpint(qtest_clock_step_next(qts), >, 5000);
    qtest_quit(qts);
}

static void test_malformed_requests_survive(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    expect(qts, "outb", "ERR invalid argument");
    expect(qts, "outb 0x10000 1", "ERR invalid argument");
    expect(qts, "inb zz", "ERR invalid argument");
    expect(qts, "readl", "ERR invalid argument");
    expect(qts, "read 0x0 0", "ERR invalid argument size");
    expect(qts, "read 0x0 0xffffffffffff", "ERR invalid argument");
    expect(qts, "set_irq_in ioapic unnamed-gpio-in 99 1", "FAIL Unknown IRQ");
    expect(qts, "clock_step abc", "ERR invalid argument");
    /* Unassigned memory reads 0 and ports read all ones. */
    expect(qts, "readl 0xfed00000", "OK 0x0000000000000000");
    expect(qts, "inl 0x1234", "OK 0xffffffff");
    expect(qts, "endianness", "OK little");
    qtest_quit(qts);
}

static void test_set_irq_in(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    qtest_irq_intercept_in(qts, "ioapic");
    qtest_set_irq_in(qts, "ioapic", NULL, 5, 1);
    g_assert_true(qtest_get_irq(qts, 5));
    qtest_set_irq_in(qts, "ioapic", "unnamed-gpio-in", 5, 0);
    g_assert_false(qtest_get_irq(qts, 5));
    /* ISA IRQ0 is reported as 0 although the IOAPIC delivers it on pin 2. */
    qtest_set_irq_in(qts, "ioapic", NULL, 0, 1);
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_false(qtest_get_irq(qts, 2));
    qtest_quit(qts);
}

/*
 * -qtest chardev:ID on a listening socket: minivm waits for the test to
 * connect (the form iotests' python machine uses is unix:path=...,server=on).
 */
static void test_chardev_server(void)
{
    char *path = g_strdup_printf("%s/minivm-qtest-srv-%d.sock", g_get_tmp_dir(), getpid());
    char *chardev = g_strdup_printf("socket,id=qt,path=%s,server=on,wait=off", path);
    const char *argv[] = { getenv("QTEST_QEMU_BINARY"), "-M", "pc", "-accel", "qtest",
                           "-nodefaults", "-display", "none", "-chardev", chardev,
                           "-qtest", "chardev:qt", "-qtest-log", "none", NULL };
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    GPid pid;
    int fd, status;
    char buf[64] = { 0 };
    ssize_t n = 0;

    unlink(path);
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &pid, NULL));
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    /* The socket appears once minivm has set up; nothing else to wait on. */
    while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        g_assert_cmpint(waitpid(pid, &status, WNOHANG), ==, 0);
        g_usleep(1000);
    }
    g_assert_cmpint(write(fd, "endianness\n", 11), ==, 11);
    while (!strchr(buf, '\n')) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);

        g_assert_cmpint(r, >, 0);
        n += r;
    }
    g_assert_cmpstr(buf, ==, "OK little\n");
    close(fd);
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(path);
    g_free(path);
    g_free(chardev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/reply-formats", test_reply_formats);
    g_test_add_func("/qtest/memory-commands", test_memory_commands);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/malformed-requests-survive", test_malformed_requests_survive);
    g_test_add_func("/qtest/set-irq-in", test_set_irq_in);
    g_test_add_func("/qtest/chardev-server", test_chardev_server);
    return g_test_run();
}
