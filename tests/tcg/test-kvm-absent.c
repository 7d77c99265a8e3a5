/*
 * Without /dev/kvm the kvm accelerator must fail the way QEMU does, with
 * the message scripts grep for.
 */
#include <glib.h>
#include <unistd.h>
#include "sysemu/accel-ops.h"

static const AccelIOHandlers no_io;

static void test_kvm_missing_reports_qemu_message(void)
{
    const AccelOps *ops = accel_find("kvm");
    Error *err = NULL;
    AccelState *s;

    g_assert_nonnull(ops);
    g_assert_cmpstr(ops->name, ==, "kvm");
    s = ops->init_machine(&no_io, &err);
    g_assert_null(s);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not access KVM kernel module: No such file or directory");
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (access("/dev/kvm", F_OK) == 0) {
        g_print("SKIP: /dev/kvm exists; this test checks the failure without it\n");
        return 77;
    }
    g_test_add_func("/accel/kvm/missing-device-message", test_kvm_missing_reports_qemu_message);
    return g_test_run();
}
