#!/usr/bin/env python3
"""Choosing the accelerator: -accel, -machine accel=, -enable-kvm, the default.

usage: test-accel.py

Without /dev/kvm, minivm must fail (or fall back to tcg) with exactly the
lines qemu-system-x86_64 prints in the same situation, program name aside.
/dev/kvm is hidden in a private mount namespace (unshare -m, a tmpfs on
/dev), where both emulators run; that needs root, and the cases skip
without it.  Where /dev/kvm works, the bundled guest must pass on -accel kvm.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402

# Recreate the few device nodes the emulators open, then run the command.
NO_KVM = ('mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && '
          'mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/urandom c 1 9 && '
          'mknod -m 666 /dev/random c 1 8 && exec "$@"')


def hide_kvm_works():
    if not shutil.which('unshare') or os.geteuid() != 0:
        return False
    p = subprocess.run(['unshare', '-m', 'sh', '-c', NO_KVM + ' && test ! -e /dev/kvm',
                        'sh', 'true'], capture_output=True)
    return p.returncode == 0


def kvm_usable():
    try:
        fd = os.open('/dev/kvm', os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def run(argv, hide_kvm, timeout=60):
    if hide_kvm:
        argv = ['unshare', '-m', 'sh', '-c', NO_KVM, 'sh'] + argv
    p = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode('latin-1'), p.stderr.decode('latin-1')


def guest_args(name, accel_args):
    binary = guestrun.QEMU_SYSTEM if name == 'qemu' else guestrun.MINIVM
    return [binary] + accel_args + ['-M', 'pc', '-nographic', '-no-reboot',
                                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
                                    '-kernel', guestrun.SIEVE_ELF, '-append', 'n=1000 rounds=1']


class AccelWithoutKVM(unittest.TestCase):
    def setUp(self):
        if not hide_kvm_works():
            self.skipTest('cannot hide /dev/kvm here (needs root and unshare -m)')
        if not guestrun.QEMU_SYSTEM:
            self.skipTest('qemu-system-x86_64 is not installed (Debian package qemu-system-x86)')

    def compare(self, accel_args):
        """Same stderr lines as QEMU (with its name replaced); returns minivm's result."""
        qrc, qout, qerr = run(guest_args('qemu', accel_args), True)
        mrc, mout, merr = run(guest_args('minivm', accel_args), True)
        print('--- %s\nqemu %d:\n%sminivm %d:\n%s' % (' '.join(accel_args), qrc, qerr, mrc, merr))
        self.assertEqual(merr, qerr.replace('qemu-system-x86_64:', 'minivm:'))
        self.assertEqual(mrc, qrc)
        return mrc, mout

    def test_accel_kvm_fails_like_qemu(self):
        rc, _ = self.compare(['-accel', 'kvm'])
        self.assertEqual(rc, 1)

    def test_enable_kvm_fails_like_qemu(self):
        rc, _ = self.compare(['-enable-kvm'])
        self.assertEqual(rc, 1)

    def test_machine_accel_kvm_fails_like_qemu(self):
        rc, _ = self.compare(['-machine', 'accel=kvm'])
        self.assertEqual(rc, 1)

    def test_fallback_to_tcg_like_qemu(self):
        for args in (['-machine', 'accel=kvm:tcg'], ['-accel', 'kvm', '-accel', 'tcg']):
            rc, out = self.compare(args)
            self.assertIn('sieve: 168 primes below 1000 (1 rounds)', out)
            self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)

    def test_default_falls_back_with_notice(self):
        rc, out, err = run(guest_args('minivm', []), True)
        self.assertEqual(err, 'minivm: info: KVM is not available (Could not access KVM '
                              'kernel module: No such file or directory); using -accel tcg\n')
        self.assertIn('sieve: 168 primes below 1000 (1 rounds)', out)
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)


class AccelChoice(unittest.TestCase):
    def test_invalid_accelerator(self):
        rc, out, err = run(guest_args('minivm', ['-accel', 'bogus']), False)
        self.assertEqual(err, 'minivm: -accel bogus: invalid accelerator bogus\n')
        self.assertEqual(rc, 1)

    def test_accel_and_machine_accel_conflict(self):
        rc, out, err = run(guest_args('minivm', ['-accel', 'tcg', '-machine', 'accel=tcg']),
                           False)
        self.assertEqual(err, 'minivm: The -accel and "-machine accel=" options are '
                              'incompatible\n')
        self.assertEqual(rc, 1)

    def test_invalid_then_tcg_falls_back(self):
        rc, out, err = run(guest_args('minivm', ['-machine', 'accel=bogus:tcg']), False)
        self.assertEqual(err, 'minivm: invalid accelerator bogus\nminivm: falling back to tcg\n')
        self.assertIn('sieve: 168 primes below 1000', out)
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)


class AccelKVM(unittest.TestCase):
    def test_blkcheck_on_kvm(self):
        """The bundled virtio-blk guest on KVM, where /dev/kvm works."""
        if not kvm_usable():
            self.skipTest('/dev/kvm is absent or not accessible')
        d = tempfile.mkdtemp(prefix='accel-', dir=os.environ.get('MINIVM_TEST_TMPDIR'))
        try:
            img = os.path.join(d, 'disk.raw')
            with open(img, 'wb') as f:
                f.truncate(64 << 20)
            rc, out, err = guestrun.run_guest(
                'minivm', guestrun.BLKCHECK_ELF,
                ['-drive', 'file=%s,if=virtio,format=raw,cache=none' % img], accel='kvm')
            print(out + err)
            self.assertIn('blkcheck: 14 passed, 0 failed', out)
            self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    unittest.main(verbosity=2)
