/*
 * null: output is discarded, input never comes.
 */
#include "chardev/char.h"

static bool null_chr_open(Chardev *chr, QemuOpts *opts, bool *be_opened, Error **errp)
{
    *be_opened = false;
    return true;
}

static const ChardevClass char_null_class = {
    .name = "null",
    .instance_size = sizeof(Chardev),
    .open = null_chr_open,
};

static void __attribute__((constructor)) char_null_register(void)
{
    register_char_driver(&char_null_class);
}
