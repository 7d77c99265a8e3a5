/*
 * The "pc" machine: RAM with the below-4G PCI hole, the i440FX host
 * bridge and PIIX3, the legacy ISA devices (PIC pair, IOAPIC, PIT, RTC,
 * UARTs, i8042, port 0x92, port 0x80), fw_cfg with the keys and files SeaBIOS
 * and loaders read, and the CMOS memory-size bytes.
 */
#include <string.h>
#include <glib.h>

#include "hw/i386/pc.h"
#include "hw/input/i8042.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/pci-host/i440fx.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/timer/i8254.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"

#define GSI_NUM_PINS    IOAPIC_NUM_PINS
#define ISA_NUM_IRQS    16
#define E820_RAM        1

static PCMachineState *current_pc;
static qemu_irq_handler cpu_intr_handler;
static void *cpu_intr_opaque;

PCMachineState *pc_machine(void)
{
    return current_pc;
}

void pc_set_cpu_intr_handler(qemu_irq_handler handler, void *opaque)
{
    cpu_intr_handler = handler;
    cpu_intr_opaque = opaque;
}

static void pc_cpu_intr(void *opaque, int n, int level)
{
    if (cpu_intr_handler) {
        cpu_intr_handler(cpu_intr_opaque, 0, level);
    }
}

/* An ISA IRQ goes to both the 8259 and the IOAPIC pin of the same number. */
static void gsi_handler(void *opaque, int n, int level)
{
    PCMachineState *pcms = opaque;

    /* With KVM's in-kernel PIC and IOAPIC the lines end there instead. */
    if (cpus_irqchip_in_kernel()) {
        cpus_set_irq(n, level);
        return;
    }
    if (n < ISA_NUM_IRQS) {
        qemu_set_irq(pcms->i8259[n], level);
    }
    qemu_set_irq(pcms->ioapic[n], level);
}

/* ---- port 0x92 (fast A20 and reset) and port 0x80 ---- */

static uint8_t port92_outport;
static MemoryRegion port92_io, port80_io;

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    return port92_outport;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    uint8_t old = port92_outport;

    port92_outport = val & ~1;
    if ((val & 1) && !(old & 1)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

bool pc_a20_enabled(void)
{
    return port92_outport & 2;
}

static void port92_reset(void *opaque)
{
    port92_outport &= ~1;
}

static uint64_t port80_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xff;
}

static void port80_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps port80_ops = {
    .read = port80_read,
    .write = port80_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- memory ---- */

static bool pc_memory_init(PCMachineState *pcms, Error **errp)
{
    MemoryRegion *sysmem = get_system_memory();
    /* QEMU 7.2 pc: with >= 3.5 GiB, RAM below 4G stops at 3 GiB (gigabyte_align). */
    uint64_t lowmem = pcms->ram_size >= 0xe0000000 ? 0xc0000000 : pcms->ram_size;

    pcms->below_4g_mem_size = lowmem;
    pcms->above_4g_mem_size = pcms->ram_size - lowmem;
    if (!memory_region_init_ram(&pcms->ram, NULL, "pc.ram", pcms->ram_size, errp)) {
        return false;
    }
    memory_region_transaction_begin();
    memory_region_init_alias(&pcms->ram_below_4g, NULL, "ram-below-4g", &pcms->ram, 0,
                             pcms->below_4g_mem_size);
    memory_region_add_subregion(sysmem, 0, &pcms->ram_below_4g);
    if (pcms->above_4g_mem_size) {
        memory_region_init_alias(&pcms->ram_above_4g, NULL, "ram-above-4g", &pcms->ram,
                                 pcms->below_4g_mem_size, pcms->above_4g_mem_size);
        memory_region_add_subregion(sysmem, 0x100000000ULL, &pcms->ram_above_4g);
    }
    memory_region_init(&pcms->pci_memory, NULL, "pci", UINT64_MAX);
    memory_region_add_subregion_overlap(sysmem, 0, &pcms->pci_memory, -1);
    /* The option ROM area, read-only as seen from the bus (loaders fill it). */
    if (!memory_region_init_ram(&pcms->option_rom, NULL, "pc.rom", PC_ROM_SIZE, errp)) {
        memory_region_transaction_commit();
        return false;
    }
    memory_region_set_readonly(&pcms->option_rom, true);
    memory_region_add_subregion_overlap(&pcms->pci_memory, PC_ROM_MIN_VGA, &pcms->option_rom, 1);
    memory_region_transaction_commit();
    return true;
}

/* ---- firmware-visible configuration ---- */

static void pc_cmos_init(PCMachineState *pcms)
{
    uint64_t below = pcms->below_4g_mem_size;
    uint64_t val;

    val = MIN(below / 1024, 640);
    rtc_set_memory(0x15, val);
    rtc_set_memory(0x16, val >> 8);
    val = below > (1 << 20) ? MIN((below - (1 << 20)) / 1024, 65535) : 0;
    rtc_set_memory(0x17, val);
    rtc_set_memory(0x18, val >> 8);
    rtc_set_memory(0x30, val);
    rtc_set_memory(0x31, val >> 8);
    val = below > (16 << 20) ? MIN((below - (16 << 20)) / 65536, 65535) : 0;
    rtc_set_memory(0x34, val);
    rtc_set_memory(0x35, val >> 8);
    val = pcms->above_4g_mem_size / 65536;
    rtc_set_memory(0x5b, val);
    rtc_set_memory(0x5c, val >> 8);
    rtc_set_memory(0x5d, val >> 16);
    rtc_set_memory(0x5f, pcms->smp_cpus - 1);
    /* Boot order "cad" (QEMU's default): disk, floppy, then CD-ROM. */
    rtc_set_memory(0x3d, (1 << 4) | 2);
    rtc_set_memory(0x38, 3 << 4);
    rtc_set_memory(0x14, 0x02 | 0x04);      /* FPU, PS/2 mouse */
}

typedef struct E820Entry {
    uint64_t address;
    uint64_t length;
    uint32_t type;
} __attribute__((packed)) E820Entry;

static void pc_fw_cfg_init(PCMachineState *pcms, bool nographic)
{
    FWCfgState *fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_IO_BASE + 4,
                                        &address_space_memory);
    E820Entry *e820 = g_new0(E820Entry, 2);
    int n = 0;
    uint32_t *wait = g_new(uint32_t, 1);

    pcms->fw_cfg = fw;
    fw_cfg_add_bytes(fw, FW_CFG_UUID, g_malloc0(16), 16);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, nographic);
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, 0);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, pcms->smp_cpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, pcms->smp_cpus);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, pcms->ram_size);
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);
    fw_cfg_add_bytes(fw, FW_CFG_NUMA, g_malloc0(8 * (1 + pcms->smp_cpus + 1)),
                     8 * (1 + pcms->smp_cpus + 1));

    e820[n].address = GUINT64_TO_LE(0);
    e820[n].length = GUINT64_TO_LE(pcms->below_4g_mem_size);
    e820[n++].type = GUINT32_TO_LE(E820_RAM);
    if (pcms->above_4g_mem_size) {
        e820[n].address = GUINT64_TO_LE(0x100000000ULL);
        e820[n].length = GUINT64_TO_LE(pcms->above_4g_mem_size);
        e820[n++].type = GUINT32_TO_LE(E820_RAM);
    }
    fw_cfg_add_file(fw, "etc/e820", e820, n * sizeof(E820Entry));
    *wait = GUINT32_TO_LE(UINT32_MAX);      /* -boot reboot-timeout default: -1 */
    fw_cfg_add_file(fw, "etc/boot-fail-wait", wait, 4);
    fw_cfg_add_file(fw, "bootorder", NULL, 0);
}

PCMachineState *pc_init1(const PCMachineConfig *cfg, Error **errp)
{
    PCMachineState *pcms = g_new0(PCMachineState, 1);
    static const struct { hwaddr base; int irq; } com[PC_MAX_SERIAL] = {
        { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
    };

    pcms->ram_size = cfg->ram_size;
    pcms->smp_cpus = cfg->smp_cpus ? cfg->smp_cpus : 1;
    if (!pc_memory_init(pcms, errp)) {
        g_free(pcms);
        return NULL;
    }
    current_pc = pcms;

    pcms->gsi = qemu_allocate_irqs(gsi_handler, pcms, GSI_NUM_PINS);
    pcms->i8259 = i8259_init(qemu_allocate_irq(pc_cpu_intr, NULL, 0));
    pcms->ioapic = ioapic_init();

    pcms->bus = i440fx_init(get_system_memory(), &pcms->ram, &pcms->pci_memory,
                            get_system_io(), errp);
    if (!pcms->bus || !piix3_create(pcms->bus, pcms->gsi, errp)) {
        return NULL;
    }
    pci_register_monitor_commands();

    i8254_init(pcms->gsi[0]);
    mc146818_rtc_init(pcms->gsi[RTC_ISA_IRQ], 2000);
    pc_cmos_init(pcms);
    for (int i = 0; i < cfg->nb_serial && i < PC_MAX_SERIAL; i++) {
        pcms->serial[i] = serial_isa_init(com[i].base, pcms->gsi[com[i].irq]);
        pcms->nb_serial++;
    }

    i8042_init(pcms->gsi[1], pcms->gsi[12]);
    memory_region_init_io(&port92_io, NULL, &port92_ops, NULL, "port92", 1);
    memory_region_add_subregion(get_system_io(), 0x92, &port92_io);
    port92_outport = 0;
    qemu_register_reset(port92_reset, NULL);
    memory_region_init_io(&port80_io, NULL, &port80_ops, NULL, "ioport80", 1);
    memory_region_add_subregion(get_system_io(), 0x80, &port80_io);

    pc_fw_cfg_init(pcms, cfg->nographic);
    return pcms;
}
