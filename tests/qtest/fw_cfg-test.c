/*
 * fw_cfg on the pc machine: signature, ID, the keys loaders and SeaBIOS
 * read, the file directory, and the DMA interface.
 */
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define FW_CFG_CTL  0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_DMA  0x514

static void fw_cfg_read(QTestState *qts, uint16_t key, void *buf, size_t len)
{
    uint8_t *p = buf;

    qtest_outw(qts, FW_CFG_CTL, key);
    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(qts, FW_CFG_DATA);
    }
}

static uint64_t fw_cfg_read_le(QTestState *qts, uint16_t key, size_t len)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;

    fw_cfg_read(qts, key, b, len);
    for (int i = len - 1; i >= 0; i--) {
        v = (v << 8) | b[i];
    }
    return v;
}

static void test_signature_and_id(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults");
    char sig[5] = { 0 };

    fw_cfg_read(qts, 0x00, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    /* Bit 0: traditional interface, bit 1: DMA. */
    g_assert_cmphex(fw_cfg_read_le(qts, 0x01, 4), ==, 3);
    /* Reading past the end of an item gives zeroes. */
    qtest_outw(qts, FW_CFG_CTL, 0x00);
    for (int i = 0; i < 4; i++) {
        qtest_inb(qts, FW_CFG_DATA);
    }
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    /* The DMA register reads back "QEMU CFG" (big-endian). */
    g_assert_cmphex(qtest_inl(qts, FW_CFG_DMA), ==, 0x554d4551);
    g_assert_cmphex(qtest_inl(qts, FW_CFG_DMA + 4), ==, 0x47464320);
    qtest_quit(qts);
}

static void test_ram_size_and_cpus(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 256 -smp 2");

    g_assert_cmphex(fw_cfg_read_le(qts, 0x03, 8), ==, 256ULL << 20);
    g_assert_cmpint(fw_cfg_read_le(qts, 0x05, 2), ==, 2);
    g_assert_cmpint(fw_cfg_read_le(qts, 0x0f, 2), ==, 2);
    g_assert_cmpint(fw_cfg_read_le(qts, 0x8002, 4), ==, 1);      /* IRQ0 override */
    qtest_quit(qts);
}

typedef struct FileEntry {
    uint32_t size;
    uint16_t select;
    char name[57];
} FileEntry;

static int read_dir(QTestState *qts, FileEntry *out, int max)
{
    uint8_t b[64];
    uint32_t count;

    fw_cfg_read(qts, 0x19, b, 4);
    count = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
    g_assert_cmpuint(count, <=, max);
    for (uint32_t i = 0; i < count; i++) {
        for (int k = 0; k < 64; k++) {
            b[k] = qtest_inb(qts, FW_CFG_DATA);
        }
        out[i].size = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
        out[i].select = b[4] << 8 | b[5];
        memcpy(out[i].name, b + 8, 56);
        out[i].name[56] = 0;
    }
    return count;
}

static void test_file_dir(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 128");
    FileEntry f[32];
    int n = read_dir(qts, f, 32);
    int e820 = -1;

    g_assert_cmpint(n, >=, 3);
    for (int i = 0; i < n; i++) {
        /* Keys follow name order from FW_CFG_FILE_FIRST, as in QEMU. */
        g_assert_cmphex(f[i].select, ==, 0x20 + i);
        if (i) {
            g_assert_cmpint(strcmp(f[i - 1].name, f[i].name), <, 0);
        }
        if (!strcmp(f[i].name, "etc/e820")) {
            e820 = i;
        }
    }
    g_assert_cmpint(e820, >=, 0);
    /* One RAM entry: 0..128M, type 1. */
    g_assert_cmpuint(f[e820].size, ==, 20);
    g_assert_cmphex(fw_cfg_read_le(qts, f[e820].select, 8), ==, 0);
    {
        uint8_t e[20];

        fw_cfg_read(qts, f[e820].select, e, 20);
        g_assert_cmphex(e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24, ==, 128 << 20);
        g_assert_cmpint(e[16], ==, 1);
    }
    qtest_quit(qts);
}

static void test_e820_above_4g(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 4G");
    FileEntry f[32];
    int n = read_dir(qts, f, 32);

    for (int i = 0; i < n; i++) {
        if (!strcmp(f[i].name, "etc/e820")) {
            uint8_t e[40];
            uint64_t base1 = 0, len0 = 0, len1 = 0;

            g_assert_cmpuint(f[i].size, ==, 40);
            fw_cfg_read(qts, f[i].select, e, 40);
            for (int k = 7; k >= 0; k--) {
                len0 = len0 << 8 | e[8 + k];
                base1 = base1 << 8 | e[20 + k];
                len1 = len1 << 8 | e[28 + k];
            }
            /* QEMU 7.2 pc splits at 3 GiB once RAM reaches 3.5 GiB. */
            g_assert_cmphex(len0, ==, 0xc0000000ULL);
            g_assert_cmphex(base1, ==, 0x100000000ULL);
            g_assert_cmphex(len1, ==, 0x40000000ULL);
        }
    }
    /* RAM above 4 GiB is reachable, the hole is not RAM. */
    qtest_writel(qts, 0x100000000ULL + 0x1000, 0xcafef00d);
    g_assert_cmphex(qtest_readl(qts, 0x100000000ULL + 0x1000), ==, 0xcafef00d);
    qtest_writel(qts, 0xd0000000ULL, 0x12345678);
    g_assert_cmphex(qtest_readl(qts, 0xd0000000ULL), ==, 0);
    qtest_quit(qts);
}

/* A DMA descriptor {be32 control, be32 length, be64 address} at @desc. */
static void dma_run(QTestState *qts, uint64_t desc, uint32_t control, uint32_t len,
                    uint64_t addr)
{
    uint8_t d[16] = {
        control >> 24, control >> 16, control >> 8, control,
        len >> 24, len >> 16, len >> 8, len,
    };

    for (int i = 0; i < 8; i++) {
        d[8 + i] = addr >> (56 - 8 * i);
    }
    qtest_memwrite(qts, desc, d, 16);
    /* Big-endian address: high dword first, the low dword starts the transfer. */
    qtest_outl(qts, FW_CFG_DMA, __builtin_bswap32(desc >> 32));
    qtest_outl(qts, FW_CFG_DMA + 4, __builtin_bswap32(desc & 0xffffffff));
}

static void test_dma(void)
{
    QTestState *qts = qtest_init("-M pc -nodefaults -m 128");
    const uint64_t desc = 0x10000, buf = 0x20000;
    uint8_t got[8];

    /* SELECT key 0 | READ, 6 bytes: "QEMU" then two zeroes past the end. */
    qtest_memset(qts, buf, 0xaa, 8);
    dma_run(qts, desc, (0x0000 << 16) | 0x08 | 0x02, 6, buf);
    qtest_memread(qts, buf, got, 8);
    g_assert_cmpmem(got, 8, "QEMU\0\0\xaa\xaa", 8);
    g_assert_cmphex(qtest_readl(qts, desc), ==, 0);     /* control cleared: done, no error */

    /* SKIP 8 bytes of RAM_SIZE then nothing; then READ the ID. */
    dma_run(qts, desc, (0x0001 << 16) | 0x08 | 0x02, 4, buf);
    g_assert_cmphex(qtest_readl(qts, buf), ==, 3);

    /* A destination outside RAM: the error bit comes back, no crash. */
    dma_run(qts, desc, (0x0000 << 16) | 0x08 | 0x02, 4, 0xfe000000ULL);
    g_assert_cmphex(qtest_readl(qts, desc), ==, 0x01000000);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw_cfg/signature-and-id", test_signature_and_id);
    g_test_add_func("/fw_cfg/ram-size-and-cpus", test_ram_size_and_cpus);
    g_test_add_func("/fw_cfg/file-dir", test_file_dir);
    g_test_add_func("/fw_cfg/e820-above-4g", test_e820_above_4g);
    g_test_add_func("/fw_cfg/dma", test_dma);
    return g_test_run();
}
