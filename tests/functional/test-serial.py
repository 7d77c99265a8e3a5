#!/usr/bin/env python3
"""The guest's serial console through the chardev back ends, end to end.

usage: test-serial.py qemu|minivm

The sieve guest prints two lines on COM1; they must land where -serial or
-chardev put them: a file, a chardev given by id, or stdout with
-nographic.  The same runs on qemu-system-x86_64 show the guest and the
options are used as QEMU means them.
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402

EMULATOR = 'qemu'
FIRST = 'sieve: 168 primes below 1000 (1 rounds)'


def serial_lines(text):
    """The guest's lines, firmware noise (QEMU's SeaBIOS banner) dropped."""
    text = text.replace('\r\n', '\n')
    i = text.find('sieve: ')
    return text[i:].splitlines() if i >= 0 else []


class SerialTest(unittest.TestCase):
    def setUp(self):
        self.dir = guestrun.scratch_dir()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def boot(self, extra):
        binary = guestrun.QEMU_SYSTEM if EMULATOR == 'qemu' else guestrun.MINIVM
        argv = [binary, '-accel', 'tcg', '-M', 'pc', '-display', 'none', '-nodefaults',
                '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
                '-kernel', guestrun.SIEVE_ELF, '-append', 'n=1000 rounds=1'] + extra
        p = subprocess.run(argv, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode('latin-1'), p.stderr.decode('latin-1')

    def test_serial_file(self):
        path = os.path.join(self.dir, 'com1.log')
        rc, out, err = self.boot(['-serial', 'file:' + path])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED, err)
        with open(path, encoding='latin-1') as f:
            self.assertEqual(serial_lines(f.read())[:1], [FIRST])
        self.assertNotIn('sieve:', out)

    def test_chardev_by_id(self):
        path = os.path.join(self.dir, 'con.log')
        rc, out, err = self.boot(['-chardev', 'file,id=con,path=' + path,
                                  '-serial', 'chardev:con'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED, err)
        with open(path, encoding='latin-1') as f:
            self.assertEqual(serial_lines(f.read())[:1], [FIRST])

    def test_serial_stdio(self):
        rc, out, err = self.boot(['-serial', 'stdio'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED, err)
        self.assertEqual(serial_lines(out)[:1], [FIRST])

    def test_serial_none_and_null(self):
        for spec in ('none', 'null'):
            rc, out, err = self.boot(['-serial', spec])
            self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED, err)
            self.assertNotIn('sieve:', out)


if __name__ == '__main__':
    EMULATOR = guestrun.emulator_from_argv(__doc__)
    unittest.main(argv=sys.argv[:1], verbosity=2)
