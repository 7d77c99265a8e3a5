/*
 * The accelerators this build has, by their -accel names.
 */
#include <string.h>
#include "config-host.h"
#include "sysemu/accel-ops.h"

const AccelOps *accel_find(const char *name)
{
    if (!strcmp(name, "tcg")) {
        return &tcg_accel_ops;
    }
#ifdef CONFIG_KVM
    if (!strcmp(name, "kvm")) {
        return &kvm_accel_ops;
    }
#endif
    return NULL;
}
