"""Run the bundled multiboot guests on an emulator (suite 'functional').

The same guest runs on Debian's qemu-system-x86_64 -- the oracle that the
guest itself is right -- and on minivm.  Paths come from the environment
meson sets: MINIVM, BLKCHECK_ELF, SIEVE_ELF, CPUCHECK_ELF, MINIVM_TEST_TMPDIR.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MINIVM = os.environ.get('MINIVM', 'minivm')
BLKCHECK_ELF = os.environ.get('BLKCHECK_ELF', 'blkcheck.elf')
SIEVE_ELF = os.environ.get('SIEVE_ELF', 'sieve.elf')
CPUCHECK_ELF = os.environ.get('CPUCHECK_ELF', 'cpucheck.elf')
QEMU_SYSTEM = shutil.which('qemu-system-x86_64')
QEMU_IMG = shutil.which('qemu-img')
QEMU_IO = shutil.which('qemu-io')

# isa-debug-exit turns the guest's value v into exit status (v << 1) | 1.
EXIT_GUEST_PASSED = 1
EXIT_GUEST_FAILED = 3

SKIP = 77       # meson's exit code for a skipped test


def skip(reason):
    print('SKIP: ' + reason)
    sys.exit(SKIP)


def scratch_dir():
    # The build tree, not /tmp: cache=none needs O_DIRECT, which tmpfs lacks.
    base = os.environ.get('MINIVM_TEST_TMPDIR') or os.getcwd()
    return tempfile.mkdtemp(prefix='functional-', dir=base)


def emulator_argv(name, no_reboot=True, accel='tcg'):
    """The command prefix that boots a multiboot guest on emulator @name."""
    binary = QEMU_SYSTEM if name == 'qemu' else MINIVM
    return [binary, '-accel', accel, '-M', 'pc', '-m', '128M', '-nographic'] + \
        (['-no-reboot'] if no_reboot else []) + \
        ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']


def check_prerequisites(name):
    """Exit with SKIP (and the reason) when a tool the test needs is missing."""
    for tool, path in (('qemu-img', QEMU_IMG), ('qemu-io', QEMU_IO)):
        if not path:
            skip(tool + ' is not installed (Debian package qemu-utils)')
    if name == 'qemu' and not QEMU_SYSTEM:
        skip('qemu-system-x86_64 is not installed (Debian package qemu-system-x86)')


def emulator_from_argv(doc):
    """The emulator a test script was asked for ("qemu" or "minivm"); exits
    with the usage for anything else, and with SKIP when its tools are missing."""
    if len(sys.argv) != 2 or sys.argv[1] not in ('qemu', 'minivm'):
        sys.exit(doc)
    check_prerequisites(sys.argv[1])
    return sys.argv[1]


def run_guest(name, elf, extra, timeout=120, env=None, **kw):
    argv = emulator_argv(name, **kw) + ['-kernel', elf] + extra
    p = subprocess.run(argv, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, env=env)
    out = p.stdout.decode('latin-1')
    return p.returncode, out, p.stderr.decode('latin-1')


def guest_transcript(out, first_line):
    """The guest's own lines: from @first_line on, firmware noise dropped."""
    out = out.replace('\r\n', '\n')
    i = out.find(first_line)
    return out[i:].splitlines() if i >= 0 else []


def verdicts(lines):
    """PASS/FAIL/SKIP lines, the part of a transcript both emulators share."""
    return [l for l in lines if re.match(r'(PASS|FAIL|SKIP) ', l)]
