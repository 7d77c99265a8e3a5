/*
 * The pc machine's PCI bus: enumeration (IDs, classes, header types as
 * QEMU 7.2 shows them), BAR sizing and mapping, the capability list,
 * INTx through PIIX3 PIRQ routing to the IOAPIC, MSI-X.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"
#include "pci-cfg.h"

#define TESTDEV_DEVFN   (4 << 3)
#define IRQDEV_DEVFN    (5 << 3)

static void test_enumeration(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    /* i440FX host bridge (values as Debian's QEMU 7.2 reports them). */
    g_assert_cmphex(pci_cfg_readl(qts, 0, 0x00), ==, 0x12378086);
    g_assert_cmphex(pci_cfg_readl(qts, 0, 0x04), ==, 0x00000000);
    g_assert_cmphex(pci_cfg_readl(qts, 0, 0x08), ==, 0x06000002);
    g_assert_cmphex(pci_cfg_readl(qts, 0, 0x0c), ==, 0x00000000);
    g_assert_cmphex(pci_cfg_readl(qts, 0, 0x2c), ==, 0x11001af4);
    /* PIIX3: multi-function ISA bridge; reset leaves command 0, status DEVSEL medium. */
    g_assert_cmphex(pci_cfg_readl(qts, 8, 0x00), ==, 0x70008086);
    g_assert_cmphex(pci_cfg_readl(qts, 8, 0x04), ==, 0x02000000);
    g_assert_cmphex(pci_cfg_readl(qts, 8, 0x08), ==, 0x06010000);
    g_assert_cmphex(pci_cfg_readl(qts, 8, 0x0c), ==, 0x00800000);
    g_assert_cmphex(pci_cfg_readl(qts, 8, 0x60), ==, 0x80808080);
    /* Nothing in slot 4: all ones. */
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0), ==, 0xffffffff);
    /* Byte and word config reads pick the right lanes. */
    g_assert_cmphex(pci_cfg_readw(qts, 0, 0x02), ==, 0x1237);
    g_assert_cmphex(pci_cfg_readb(qts, 8, 0x0b), ==, 0x06);
    qtest_quit(qts);
}

static void test_bar_sizing(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pci-testdev,addr=04.0,membar=1M");

    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x00), ==, 0x00051b36);
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x08), ==, 0x00ff0000);
    for (int bar = 0; bar < 5; bar++) {
        pci_cfg_writel(qts, TESTDEV_DEVFN, 0x10 + bar * 4, 0xffffffff);
    }
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x10), ==, 0xfffff000);  /* 4K mem */
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x14), ==, 0xffffff01);  /* 256 io */
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x18), ==, 0xfff0000c);  /* 1M 64 pf */
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x1c), ==, 0xffffffff);
    g_assert_cmphex(pci_cfg_readl(qts, TESTDEV_DEVFN, 0x20), ==, 0x00000000);  /* none */
    qtest_quit(qts);
}

static void test_bar_mapping_follows_command(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pci-testdev,addr=04.0");

    pci_cfg_writel(qts, TESTDEV_DEVFN, 0x14, 0xc000);
    /* Unassigned ports read all ones; the test device's ports read 0. */
    g_assert_cmphex(qtest_inb(qts, 0xc000), ==, 0xff);
    pci_cfg_writew(qts, TESTDEV_DEVFN, 0x04, 0x1);
    g_assert_cmphex(qtest_inb(qts, 0xc000), ==, 0x00);
    g_assert_cmphex(qtest_inb(qts, 0xc0ff), ==, 0x00);
    g_assert_cmphex(qtest_inb(qts, 0xc100), ==, 0xff);
    /* Moving the BAR moves the ports. */
    pci_cfg_writel(qts, TESTDEV_DEVFN, 0x14, 0xd000);
    g_assert_cmphex(qtest_inb(qts, 0xc000), ==, 0xff);
    g_assert_cmphex(qtest_inb(qts, 0xd000), ==, 0x00);
    pci_cfg_writew(qts, TESTDEV_DEVFN, 0x04, 0x0);
    g_assert_cmphex(qtest_inb(qts, 0xd000), ==, 0xff);
    qtest_quit(qts);
}

#define MSIX_BAR_ADDR   0xe0000000ULL
#define MSG_ADDR        0x100000ULL

static int msix_setup(QTestState *qts, int devfn)
{
    int cap = pci_find_cap(qts, devfn, 0x11);

    g_assert_cmpint(cap, !=, 0);
    /* Table size 2 (N-1), table and PBA in BAR4 at 0 and half the BAR. */
    g_assert_cmphex(pci_cfg_readw(qts, devfn, cap + 2), ==, 0x0001);
    g_assert_cmphex(pci_cfg_readl(qts, devfn, cap + 4), ==, 0x00000004);
    g_assert_cmphex(pci_cfg_readl(qts, devfn, cap + 8), ==, 0x00000804);
    pci_cfg_writel(qts, devfn, 0x20, MSIX_BAR_ADDR);
    pci_cfg_writel(qts, devfn, 0x10, MSIX_BAR_ADDR + 0x10000);
    pci_cfg_writew(qts, devfn, 0x04, 0x6);          /* memory + bus master */
    return cap;
}

static void msix_program(QTestState *qts, int vector, uint64_t addr, uint32_t data, bool masked)
{
    uint64_t e = MSIX_BAR_ADDR + vector * 16;

    qtest_writel(qts, e, addr);
    qtest_writel(qts, e + 4, addr >> 32);
    qtest_writel(qts, e + 8, data);
    qtest_writel(qts, e + 12, masked);
}

static void msix_fire(QTestState *qts, int vector)
{
    qtest_writel(qts, MSIX_BAR_ADDR + 0x10000 + 0x800, vector);
}

static void test_msix(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pci-testdev,addr=04.0,"
                                 "msix-vectors=2");
    int cap = msix_setup(qts, TESTDEV_DEVFN);

    /* Reset state: every vector masked. */
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 12), ==, 1);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 16 + 12), ==, 1);

    msix_program(qts, 0, MSG_ADDR, 0x12345678, false);
    msix_program(qts, 1, MSG_ADDR + 4, 0x9abcdef0, true);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 8), ==, 0x12345678);

    /* MSI-X disabled: nothing is sent. */
    msix_fire(qts, 0);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR), ==, 0);

    pci_cfg_writew(qts, TESTDEV_DEVFN, cap + 2, 0x8000);     /* enable */
    msix_fire(qts, 0);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR), ==, 0x12345678);

    /* A masked vector only sets its pending bit... */
    msix_fire(qts, 1);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR + 4), ==, 0);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 0x800), ==, 0x2);
    /* ...and unmasking delivers it and clears the bit. */
    qtest_writel(qts, MSIX_BAR_ADDR + 16 + 12, 0);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR + 4), ==, 0x9abcdef0);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 0x800), ==, 0);

    /* Function mask holds everything back until cleared. */
    qtest_writel(qts, MSG_ADDR, 0);
    pci_cfg_writew(qts, TESTDEV_DEVFN, cap + 2, 0xc000);
    msix_fire(qts, 0);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR), ==, 0);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 0x800), ==, 0x1);
    pci_cfg_writew(qts, TESTDEV_DEVFN, cap + 2, 0x8000);
    g_assert_cmphex(qtest_readl(qts, MSG_ADDR), ==, 0x12345678);

    /* The table and PBA refuse sub-dword accesses: no byte write lands. */
    qtest_writeb(qts, MSIX_BAR_ADDR + 8, 0xff);
    g_assert_cmphex(qtest_readl(qts, MSIX_BAR_ADDR + 8), ==, 0x12345678);

    /*
     * A message to the local APIC window (destination 1, vector 0x31,
     * fixed delivery) is what qtest observes in place of an APIC.
     */
    msix_program(qts, 0, 0xfee01000ULL, 0x4031, false);
    msix_fire(qts, 0);
    g_assert_cmphex(qtest_readl(qts, 0xfee01000ULL), ==, 0x4031);
    qtest_quit(qts);
}

static void test_intx_routing(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pci-testdev,addr=05.0,intx=on");
    const uint64_t bar0 = 0xe0000000;

    /*
     * Slot 5, INTA# -> PIRQ (5 - 1 + 0) & 3 = PIRQA -> PIIX3 register 0x60
     * (QEMU 7.2 raises IRQ 10 for slot 5 with PIRQA..D = 10..13).
     */
    g_assert_cmpint(pci_cfg_readb(qts, IRQDEV_DEVFN, 0x3d), ==, 1);
    pci_cfg_writeb(qts, 8, 0x61, 12);   /* PIRQB, the wrong one, elsewhere */
    pci_cfg_writeb(qts, 8, 0x60, 11);
    pci_cfg_writel(qts, IRQDEV_DEVFN, 0x10, bar0);
    pci_cfg_writew(qts, IRQDEV_DEVFN, 0x04, 0x2);
    qtest_irq_intercept_in(qts, "ioapic");

    qtest_writel(qts, bar0 + 0x804, 1);
    g_assert_true(qtest_get_irq(qts, 11));
    /* The status register shows the pending interrupt. */
    g_assert_cmphex(pci_cfg_readw(qts, IRQDEV_DEVFN, 0x06) & 0x08, ==, 0x08);
    /* INTx Disable withdraws it, clearing the bit presents it again. */
    pci_cfg_writew(qts, IRQDEV_DEVFN, 0x04, 0x402);
    g_assert_false(qtest_get_irq(qts, 11));
    pci_cfg_writew(qts, IRQDEV_DEVFN, 0x04, 0x2);
    g_assert_true(qtest_get_irq(qts, 11));
    g_assert_false(qtest_get_irq(qts, 12));
    /* Re-routing PIRQA moves the level to the new IRQ. */
    pci_cfg_writeb(qts, 8, 0x60, 10);
    g_assert_false(qtest_get_irq(qts, 11));
    g_assert_true(qtest_get_irq(qts, 10));
    qtest_writel(qts, bar0 + 0x804, 0);
    g_assert_false(qtest_get_irq(qts, 10));
    /* Routing disabled (bit 7): nothing reaches the ISA side. */
    pci_cfg_writeb(qts, 8, 0x60, 0x80);
    qtest_writel(qts, bar0 + 0x804, 1);
    g_assert_false(qtest_get_irq(qts, 10));
    g_assert_false(qtest_get_irq(qts, 11));
    qtest_quit(qts);
}

/*
 * The low bits of 0xcf8 add to the register offset, as QEMU's host bridge
 * decodes them (values checked against Debian's QEMU 7.2).
 */
static void test_config_address_low_bits(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    qtest_outl(qts, 0xcf8, 0x80000001);
    g_assert_cmphex(qtest_inl(qts, 0xcfc), ==, 0x00123780);
    qtest_outl(qts, 0xcf8, 0x80000002);
    g_assert_cmphex(qtest_inw(qts, 0xcfe), ==, 0x1237);
    g_assert_cmphex(qtest_inl(qts, 0xcfc), ==, 0x00001237);
    qtest_quit(qts);
}

/* Expected values checked against Debian's QEMU 7.2 -M pc -nodefaults. */
static void test_pam_and_vga_window(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");

    /* At reset 0xc4000 shows the read-only option ROM area: writes vanish. */
    qtest_writel(qts, 0xc4000, 0x77);
    g_assert_cmphex(qtest_readl(qts, 0xc4000), ==, 0);
    /* PAM 0x5a high nibble 3: RAM read/write for 0xc4000-0xc7fff only. */
    pci_cfg_writeb(qts, 0, 0x5a, 0x30);
    qtest_writel(qts, 0xc4000, 0xabcd1234);
    g_assert_cmphex(qtest_readl(qts, 0xc4000), ==, 0xabcd1234);
    qtest_writel(qts, 0xc0000, 0x1);
    g_assert_cmphex(qtest_readl(qts, 0xc0000), ==, 0);
    /* Read-only: the shadow copy is kept, writes are dropped. */
    pci_cfg_writeb(qts, 0, 0x5a, 0x10);
    qtest_writel(qts, 0xc4000, 0x99999999);
    g_assert_cmphex(qtest_readl(qts, 0xc4000), ==, 0xabcd1234);
    /* Back to PCI: the ROM area again. */
    pci_cfg_writeb(qts, 0, 0x5a, 0x00);
    g_assert_cmphex(qtest_readl(qts, 0xc4000), ==, 0);
    /* With no VGA the legacy window 0xa0000 shows RAM. */
    qtest_writel(qts, 0xa0000, 0x77);
    g_assert_cmphex(qtest_readl(qts, 0xa0000), ==, 0x77);
    qtest_quit(qts);
}

static json_t *find_dev(json_t *devices, int slot)
{
    size_t i;
    json_t *d;

    json_array_foreach(devices, i, d) {
        if (json_integer_value(json_object_get(d, "slot")) == slot) {
            return d;
        }
    }
    return NULL;
}

/* query-pci follows the guest's programming of the BARs; field names as QEMU's. */
static void test_query_pci(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -device pci-testdev,addr=04.0,id=td,"
                                 "membar=1M");
    json_t *r, *devices, *td, *regions, *bar0, *host;

    pci_cfg_writel(qts, TESTDEV_DEVFN, 0x10, 0xe0000000);
    pci_cfg_writew(qts, TESTDEV_DEVFN, 0x04, 0x2);
    r = qtest_qmp(qts, "{\"execute\": \"query-pci\"}");
    devices = json_object_get(json_array_get(json_object_get(r, "return"), 0), "devices");
    g_assert_cmpuint(json_array_size(devices), ==, 3);
    host = find_dev(devices, 0);
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(host, "id"), "device")),
                    ==, 0x1237);
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(host, "class_info"),
                                                      "desc")), ==, "Host bridge");
    td = find_dev(devices, 4);
    g_assert_cmpstr(json_string_value(json_object_get(td, "qdev_id")), ==, "td");
    g_assert_cmpint(json_integer_value(json_object_get(json_object_get(td, "class_info"),
                                                       "class")), ==, 255);
    regions = json_object_get(td, "regions");
    g_assert_cmpuint(json_array_size(regions), ==, 3);
    bar0 = json_array_get(regions, 0);
    g_assert_cmphex(json_integer_value(json_object_get(bar0, "address")), ==, 0xe0000000);
    g_assert_cmpint(json_integer_value(json_object_get(bar0, "size")), ==, 4096);
    g_assert_cmpstr(json_string_value(json_object_get(bar0, "type")), ==, "memory");
    /* BAR1 is not enabled (no I/O decode): QEMU shows -1. */
    g_assert_cmpint(json_integer_value(json_object_get(json_array_get(regions, 1), "address")),
                    ==, -1);
    g_assert_true(json_is_true(json_object_get(json_array_get(regions, 2), "mem_type_64")));
    json_decref(r);

    r = qtest_qmp(qts, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": \"info pci\"}}");
    g_assert_nonnull(strstr(json_string_value(json_object_get(r, "return")),
                            "    Class 0255: PCI device 1b36:0005\r\n"
                            "      PCI subsystem 1af4:1100\r\n"
                            "      BAR0: 32 bit memory at 0xe0000000 [0xe0000fff].\r\n"));
    json_decref(r);
    qtest_quit(qts);
}

/* Run minivm to completion (it must fail before any qtest connection). */
static void run_expect_error(const char *args, const char *expected_stderr)
{
    char *cmd = g_strdup_printf("%s -M pc -accel qtest -nodefaults -display none %s",
                                getenv("QTEST_QEMU_BINARY"), args);
    char *out = NULL, *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(err, ==, expected_stderr);
    g_free(cmd);
    g_free(out);
    g_free(err);
}

/* Messages as Debian's QEMU 7.2 prints them (with minivm as the program name). */
static void test_device_errors(void)
{
    run_expect_error("-device pci-testdev,addr=04.0 -device pci-testdev,addr=04.0",
                     "minivm: -device pci-testdev,addr=04.0: PCI: slot 4 function 0 not "
                     "available for pci-testdev, in use by pci-testdev,id=(null)\n");
    run_expect_error("-device pci-testdev,bogus=1",
                     "minivm: -device pci-testdev,bogus=1: Property 'pci-testdev.bogus' "
                     "not found\n");
    run_expect_error("-device pci-testdev,addr=zz",
                     "minivm: -device pci-testdev,addr=zz: Property 'pci-testdev.addr' "
                     "doesn't take value 'zz'\n");
    run_expect_error("-device nosuch",
                     "minivm: -device nosuch: 'nosuch' is not a valid device model name\n");
    run_expect_error("-device isa-debug-exit,iobase=xyz",
                     "minivm: -device isa-debug-exit,iobase=xyz: Parameter 'iobase' expects "
                     "integer\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci/enumeration", test_enumeration);
    g_test_add_func("/pci/bar-sizing", test_bar_sizing);
    g_test_add_func("/pci/bar-mapping-follows-command", test_bar_mapping_follows_command);
    g_test_add_func("/pci/msix", test_msix);
    g_test_add_func("/pci/intx-routing", test_intx_routing);
    g_test_add_func("/pci/device-errors", test_device_errors);
    g_test_add_func("/pci/pam-and-vga-window", test_pam_and_vga_window);
    g_test_add_func("/pci/config-address-low-bits", test_config_address_low_bits);
    g_test_add_func("/pci/query-pci", test_query_pci);
    return g_test_run();
}
