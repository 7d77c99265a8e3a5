HXCOMM The single source of minivm's command-line options.
HXCOMM DEF(option, HAS_ARG/0, opt_enum, opt_help, arch_mask) declares an option:
HXCOMM scripts/hxtool.py turns the DEFs into the C option table and -help text,
HXCOMM and DEFs plus the rST between SRST and ERST into docs/minivm.rst and the
HXCOMM minivm.1 man page.  DEFHEADING() starts a section in all of them.
HXCOMM HXCOMM lines are comments, dropped everywhere.

DEFHEADING(Standard options:)

DEF("help", 0, QEMU_OPTION_h,
    "-h or -help     display this help and exit\n", QEMU_ARCH_ALL)
SRST
``-h``
    Print the option summary and exit with status 0.
ERST

DEF("version", 0, QEMU_OPTION_version,
    "-version        display version information and exit\n", QEMU_ARCH_ALL)
SRST
``-version``
    Print the version and exit with status 0.
ERST

DEF("machine", HAS_ARG, QEMU_OPTION_machine,
    "-machine [type=]name[,prop[=value][,...]]\n"
    "                selects emulated machine ('-machine help' for list)\n"
    "                property accel=accel1[:accel2[:...]] selects accelerator\n"
    "                supported accelerators are kvm, tcg and qtest\n",
    QEMU_ARCH_ALL)
SRST
``-machine [type=]name[,prop=value[,...]]``
    Choose the machine model.  minivm has one, ``pc`` (an i440FX/PIIX3
    PC); ``-machine help`` lists it.  ``accel=`` takes a colon-separated
    list of accelerators to try in order.
ERST

DEF("M", HAS_ARG, QEMU_OPTION_M,
    "-M              as -machine\n", QEMU_ARCH_ALL)
SRST
``-M name``
    Short form of ``-machine``.
ERST

DEF("accel", HAS_ARG, QEMU_OPTION_accel,
    "-accel [accel=]accelerator[,prop[=value][,...]]\n"
    "                select accelerator (kvm, tcg, qtest; use 'help' for a list)\n",
    QEMU_ARCH_ALL)
SRST
``-accel name[,prop=value[,...]]``
    Choose how guest code runs: ``kvm`` (hardware virtualisation through
    ``/dev/kvm``), ``tcg`` (minivm's built-in x86 interpreter: QEMU's name
    is kept for scripts, but guest code is interpreted from a per-page
    decode cache, not translated; 32-bit protected and 64-bit long mode,
    one vCPU) or ``qtest`` (no CPU; a test program drives the devices).
    Several ``-accel`` options are tried in order, as is
    ``-machine accel=kvm:tcg``.  Without one, minivm tries ``kvm`` and
    falls back to ``tcg`` with a one-line notice.
ERST

DEF("enable-kvm", 0, QEMU_OPTION_enable_kvm,
    "-enable-kvm     enable KVM full virtualization support\n", QEMU_ARCH_ALL)
SRST
``-enable-kvm``
    Same as ``-accel kvm``.
ERST

DEF("m", HAS_ARG, QEMU_OPTION_m,
    "-m [size=]megs\n"
    "                configure guest RAM size (default 128M)\n"
    "                size: initial amount of guest memory, suffixes k, M, G, T\n",
    QEMU_ARCH_ALL)
SRST
``-m [size=]megs``
    Guest RAM size.  A plain number is in MiB; suffixes ``k``, ``M``,
    ``G`` and ``T`` select other units.  The default is 128 MiB.
ERST

DEF("smp", HAS_ARG, QEMU_OPTION_smp,
    "-smp [cpus=]n\n"
    "                set the number of CPUs to 'n' (default: 1)\n", QEMU_ARCH_ALL)
SRST
``-smp [cpus=]n``
    Number of virtual CPUs.
ERST

DEF("name", HAS_ARG, QEMU_OPTION_name,
    "-name string1[,process=string2][,debug-threads=on|off]\n"
    "                set the name of the guest\n", QEMU_ARCH_ALL)
SRST
``-name name``
    Name the guest; QMP's ``query-name`` reports it.
ERST

DEF("uuid", HAS_ARG, QEMU_OPTION_uuid,
    "-uuid %08x-%04x-%04x-%04x-%012x\n"
    "                specify machine UUID\n", QEMU_ARCH_ALL)
SRST
``-uuid uuid``
    Set the system UUID.
ERST

DEFHEADING()

DEFHEADING(Block device options:)

DEF("drive", HAS_ARG, QEMU_OPTION_drive,
    "-drive [file=file][,if=type][,bus=n][,unit=m][,media=d][,index=i]\n"
    "       [,cache=writethrough|writeback|none|directsync|unsafe][,format=f]\n"
    "       [,cache.writeback=on|off][,cache.direct=on|off][,cache.no-flush=on|off]\n"
    "       [,snapshot=on|off][,rerror=ignore|stop|report]\n"
    "       [,werror=ignore|stop|report|enospc][,id=name]\n"
    "       [,aio=threads|native|io_uring][,locking=auto|on|off]\n"
    "       [,readonly=on|off][,serial=s]\n"
    "       [,discard=ignore|unmap][,detect-zeroes=on|off|unmap]\n"
    "                use 'file' as a drive image\n", QEMU_ARCH_ALL)
SRST
``-drive option[,option[,...]]``
    Define a drive: a block node graph (format over protocol) and,
    unless ``if=none``, the guest device that shows it.

    ``file=file``
        The image.  Commas in the name are written twice (``,,``).
    ``if=interface``
        ``ide``, ``virtio``, ``nvme`` or ``none``.
    ``format=format``
        ``raw`` or ``qcow2``; probed from the contents when omitted.
    ``cache=cache``
        Shorthand for the three ``cache.*`` settings:

        ============= =============== ============ ==============
        cache=        cache.writeback cache.direct cache.no-flush
        ============= =============== ============ ==============
        writeback     on              off          off
        none          on              on           off
        writethrough  off             off          off
        directsync    off             on           off
        unsafe        on              off          on
        ============= =============== ============ ==============

        The default is ``writeback``; ``off`` means ``none``.  An explicit
        ``cache.*`` key overrides what ``cache=`` implied.
    ``aio=aio``
        ``threads`` (default), ``native`` (Linux AIO, needs
        ``cache.direct=on``) or ``io_uring``.
ERST

DEF("blockdev", HAS_ARG, QEMU_OPTION_blockdev,
    "-blockdev [driver=]driver[,node-name=N][,discard=ignore|unmap]\n"
    "          [,cache.direct=on|off][,cache.no-flush=on|off]\n"
    "          [,read-only=on|off][,auto-read-only=on|off]\n"
    "          [,force-share=on|off][,detect-zeroes=on|off|unmap]\n"
    "          [,driver specific parameters...]\n"
    "                configure a block backend\n", QEMU_ARCH_ALL)
SRST
``-blockdev option[,option[,...]]``
    Define one block node, in keyval form (``driver=qcow2,file.driver=file,
    file.filename=x.qcow2``) or as a JSON object (``{"driver": ...}``).
    The root node needs a ``node-name``; ``file=NAME`` and ``backing=NAME``
    refer to nodes defined earlier, and ``-device virtio-blk-pci,drive=NAME``
    attaches a device to one.  Nodes are opened read-write unless
    ``read-only=on``; there is no ``cache.writeback`` (the device's
    ``write-cache`` property decides).
ERST

DEF("snapshot", 0, QEMU_OPTION_snapshot,
    "-snapshot       write to temporary files instead of disk image files\n",
    QEMU_ARCH_ALL)
SRST
``-snapshot``
    Every ``-drive`` writes to a temporary qcow2 overlay in ``$TMPDIR`` (else
    ``/var/tmp``), deleted at once; the images are opened read-only and not
    changed.  As in QEMU, ``-blockdev`` nodes are not affected, and
    ``snapshot=off`` on a ``-drive`` opts out.
ERST

DEFHEADING()

DEFHEADING(Device options:)

DEF("device", HAS_ARG, QEMU_OPTION_device,
    "-device driver[,prop[=value][,...]]\n"
    "                add device (based on driver)\n"
    "                prop=value,... sets driver properties\n"
    "                use '-device help' to print all possible drivers\n"
    "                use '-device driver,help' to print all possible properties\n",
    QEMU_ARCH_ALL)
SRST
``-device driver[,prop[=value][,...]]``
    Add a device.  ``-device help`` lists the device models and
    ``-device driver,help`` their properties.
ERST

DEFHEADING()

DEFHEADING(Display and character device options:)

DEF("nographic", 0, QEMU_OPTION_nographic,
    "-nographic      disable graphical output and redirect serial I/Os to console\n",
    QEMU_ARCH_ALL)
SRST
``-nographic``
    No display; the first serial port and the monitor share the terminal.
ERST

DEF("display", HAS_ARG, QEMU_OPTION_display,
    "-display none\n"
    "                select display backend type (only 'none')\n", QEMU_ARCH_ALL)
SRST
``-display none``
    No display.  minivm has no graphical output.
ERST

DEF("chardev", HAS_ARG, QEMU_OPTION_chardev,
    "-chardev backend,id=id[,options]\n"
    "                backends: null, stdio, file (path=), pty,\n"
    "                socket (path= or host=,port=; server=on|off; wait=on|off)\n",
    QEMU_ARCH_ALL)
SRST
``-chardev backend,id=id[,options]``
    Create a character device other options can refer to by ``id``.
ERST

DEF("serial", HAS_ARG, QEMU_OPTION_serial,
    "-serial dev     redirect the serial port to char device 'dev'\n",
    QEMU_ARCH_ALL)
SRST
``-serial dev``
    Connect the next serial port to ``dev``: ``stdio``, ``null``,
    ``file:path``, ``pty``, ``unix:path[,server=on,wait=off]``,
    ``tcp:host:port[,...]``, ``chardev:id`` or ``none``.
ERST

DEF("mon", HAS_ARG, QEMU_OPTION_mon,
    "-mon [chardev=]name[,mode=readline|control][,pretty[=on|off]]\n",
    QEMU_ARCH_ALL)
SRST
``-mon [chardev=]name[,mode=readline|control]``
    Attach a monitor to a character device; ``mode=control`` speaks QMP.
ERST

DEF("qmp", HAS_ARG, QEMU_OPTION_qmp,
    "-qmp dev        like -serial but opens in control mode\n", QEMU_ARCH_ALL)
SRST
``-qmp dev``
    Serve QMP on ``dev``, e.g. ``unix:/tmp/q.sock,server=on,wait=off``.
ERST

DEF("qtest", HAS_ARG, QEMU_OPTION_qtest,
    "-qtest dev      serve the qtest protocol on character device 'dev'\n",
    QEMU_ARCH_ALL)
SRST
``-qtest dev``
    Serve QEMU's qtest protocol (with ``-accel qtest``) on ``dev``:
    ``unix:path``, ``stdio`` or ``chardev:id``.
ERST

DEF("qtest-log", HAS_ARG, QEMU_OPTION_qtest_log,
    "-qtest-log file log the qtest protocol to 'file' ('none' for no log)\n",
    QEMU_ARCH_ALL)
SRST
``-qtest-log file``
    Log every qtest command and reply to ``file``.
ERST

DEFHEADING()

DEFHEADING(Linux/Multiboot boot specific:)

DEF("kernel", HAS_ARG, QEMU_OPTION_kernel,
    "-kernel bzImage use 'bzImage' as kernel image\n", QEMU_ARCH_ALL)
SRST
``-kernel file``
    Boot ``file`` directly: a multiboot (v1) kernel or a 32-bit ELF, loaded
    again at every reset and entered in 32-bit protected mode as QEMU's
    loader leaves it.  Linux bzImages and firmware boot are not supported
    yet; without ``-kernel`` minivm has nothing to boot and says so.
ERST

DEF("append", HAS_ARG, QEMU_OPTION_append,
    "-append cmdline use 'cmdline' as kernel command line\n", QEMU_ARCH_ALL)
SRST
``-append cmdline``
    The kernel command line (the multiboot command line for multiboot
    kernels).
ERST

DEF("initrd", HAS_ARG, QEMU_OPTION_initrd,
    "-initrd file    use 'file' as initial ram disk\n", QEMU_ARCH_ALL)
SRST
``-initrd file``
    Initial ram disk; for multiboot kernels a comma-separated module list.
ERST

DEFHEADING()

DEFHEADING(Run-time options:)

DEF("S", 0, QEMU_OPTION_S,
    "-S              freeze CPU at startup (use 'c' to start execution)\n",
    QEMU_ARCH_ALL)
SRST
``-S``
    Do not start the CPU; QMP ``cont`` starts it.
ERST

DEF("no-reboot", 0, QEMU_OPTION_no_reboot,
    "-no-reboot      exit instead of rebooting\n", QEMU_ARCH_ALL)
SRST
``-no-reboot``
    Exit when the guest resets (a triple fault, for instance).
ERST

DEF("no-shutdown", 0, QEMU_OPTION_no_shutdown,
    "-no-shutdown    stop before shutdown\n", QEMU_ARCH_ALL)
SRST
``-no-shutdown``
    Stop the guest instead of exiting when it powers off.
ERST

DEF("nodefaults", 0, QEMU_OPTION_nodefaults,
    "-nodefaults     don't create default devices\n", QEMU_ARCH_ALL)
SRST
``-nodefaults``
    Create no default serial port, monitor or drives.
ERST

DEF("daemonize", 0, QEMU_OPTION_daemonize,
    "-daemonize      daemonize QEMU after initializing\n", QEMU_ARCH_ALL)
SRST
``-daemonize``
    Detach from the terminal once start-up has succeeded.
ERST

DEF("pidfile", HAS_ARG, QEMU_OPTION_pidfile,
    "-pidfile file   write PID to 'file'\n", QEMU_ARCH_ALL)
SRST
``-pidfile file``
    Write the process ID to ``file``.
ERST

DEFHEADING()
