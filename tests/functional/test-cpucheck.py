#!/usr/bin/env python3
"""cpucheck.elf, the CPU system-side guest (tests/guests/cpucheck.c).

usage: test-cpucheck.py qemu|minivm

Exceptions and error codes, segment limits and loads, ring 3 through an
interrupt gate and the TSS, a timer interrupt waking HLT, 32-bit and PAE
paging, long mode with IST and SYSCALL/SYSRET, and a triple fault that
resets the machine (or ends it with -no-reboot).

Every check must pass on minivm.  On qemu-system-x86_64, the oracle for the
guest itself, QEMU's TCG is known not to enforce data-segment limits or a
null data selector (the SDM says #GP(0) for both); those two checks are
expected to fail there and to pass on minivm, and every other verdict must
be the same on both.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402

EMULATOR = 'qemu'
CHECKS = ['multiboot', 'int3-into', 'divide-error', 'invalid-opcode', 'self-modifying-code',
          'segment-limit',
          'segment-load', 'ring3-int-gate', 'ring3-privileged', 'timer-interrupt',
          'paging32-not-present', 'paging32-write-protect', 'paging32-accessed-dirty',
          'paging32-invlpg', 'paging32-user', 'pae-nx', 'long-mode-entry',
          'long-mode-64bit-ops', 'long-mode-ist', 'long-mode-faults', 'long-mode-syscall',
          'long-mode-user-fault']
QEMU_TCG_GAPS = {'segment-limit', 'segment-load'}


def expected_verdicts(emulator):
    out = []
    for c in CHECKS:
        if emulator == 'qemu' and c in QEMU_TCG_GAPS:
            out.append('FAIL ' + c)
        else:
            out.append('PASS ' + c)
    return out


class CpucheckTest(unittest.TestCase):
    def boot(self, emulator, append=None, **kw):
        extra = ['-append', append] if append else []
        rc, out, err = guestrun.run_guest(emulator, guestrun.CPUCHECK_ELF, extra, timeout=120,
                                          **kw)
        # The guest's own lines; on QEMU a reboot puts SeaBIOS's banner in between.
        lines = []
        for line in guestrun.guest_transcript(out, 'cpucheck: starting'):
            if 'cpucheck: ' in line:
                line = line[line.index('cpucheck: '):]
            if line.startswith(('cpucheck: ', 'PASS ', 'FAIL ')):
                lines.append(line)
        print('--- %s %s: exit %d\n%s%s' % (emulator, append or '', rc, '\n'.join(lines), err))
        return rc, lines

    def test_all_checks(self):
        rc, lines = self.boot(EMULATOR)
        got = [v.split(':')[0] for v in guestrun.verdicts(lines)]
        self.assertEqual(got, expected_verdicts(EMULATOR))
        failed = sum(1 for v in got if v.startswith('FAIL'))
        self.assertIn('cpucheck: %d passed, %d failed' % (len(CHECKS) - failed, failed), lines)
        self.assertEqual(rc, guestrun.EXIT_GUEST_FAILED if failed else guestrun.EXIT_GUEST_PASSED)

    def test_triple_fault_resets(self):
        """The triple fault reboots the guest, which then sees its CMOS mark."""
        rc, lines = self.boot(EMULATOR, 'reset=1', no_reboot=False)
        self.assertEqual(lines, ['cpucheck: starting', 'PASS multiboot', 'cpucheck: triple fault',
                                 'cpucheck: starting', 'PASS multiboot',
                                 'PASS triple-fault-reset'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)

    def test_triple_fault_with_no_reboot_exits(self):
        """With -no-reboot the reset is a shutdown: status 0, no second boot."""
        rc, lines = self.boot(EMULATOR, 'reset=1')
        self.assertEqual(lines, ['cpucheck: starting', 'PASS multiboot',
                                 'cpucheck: triple fault'])
        self.assertEqual(rc, 0)


if __name__ == '__main__':
    EMULATOR = guestrun.emulator_from_argv(__doc__)
    unittest.main(argv=sys.argv[:1], verbosity=2)
