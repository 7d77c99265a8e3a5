#!/usr/bin/env python3
"""The minivm binary's command line: -version, -help, errors, exit codes.

usage: test-cmdline.py MINIVM
"""
import subprocess
import sys
import unittest

MINIVM = None


def run(*args):
    p = subprocess.run([MINIVM] + list(args), capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


class CmdlineTest(unittest.TestCase):
    def test_version(self):
        rc, out, err = run('-version')
        self.assertEqual(rc, 0)
        self.assertRegex(out, r'^minivm emulator version \d+\.\d+\.\d+')
        self.assertEqual(err, '')

    def test_double_dash_form(self):
        self.assertEqual(run('--version')[:2], run('-version')[:2])

    def test_help_lists_options_in_hx_order(self):
        rc, out, _ = run('-help')
        self.assertEqual(rc, 0)
        self.assertIn('usage: minivm [options] [disk_image]', out)
        self.assertIn('Standard options:', out)
        self.assertIn('-drive [file=file][,if=type]', out)
        self.assertLess(out.index('-machine'), out.index('-drive'))
        self.assertLess(out.index('-drive'), out.index('-kernel'))
        self.assertEqual(run('-h')[1], out)

    def test_unknown_option(self):
        rc, out, err = run('-foo')
        self.assertEqual(rc, 1)
        self.assertEqual(err, 'minivm: -foo: invalid option\n')
        self.assertEqual(run('--foo')[2], 'minivm: --foo: invalid option\n')

    def test_missing_argument(self):
        rc, _, err = run('-m')
        self.assertEqual(rc, 1)
        self.assertEqual(err, 'minivm: -m: requires an argument\n')

    def test_invalid_cache_names_the_option(self):
        rc, _, err = run('-drive', 'file=x.qcow2,cache=bogus')
        self.assertEqual(rc, 1)
        self.assertEqual(err, 'minivm: -drive file=x.qcow2,cache=bogus: invalid cache option\n')

    def test_error_names_the_right_option_of_several(self):
        rc, _, err = run('-m', '64', '-drive', 'file=a,if=virtio',
                         '-drive', 'file=b,aio=bogus')
        self.assertEqual(rc, 1)
        self.assertEqual(err, 'minivm: -drive file=b,aio=bogus: invalid aio option\n')

    def test_drive_unknown_key(self):
        # as QEMU: unknown keys go to the node, so a missing file is what fails first
        rc, _, err = run('-drive', 'file=a,frobnicate=1')
        self.assertEqual(rc, 1)
        self.assertEqual(err, "minivm: -drive file=a,frobnicate=1: Could not open 'a': "
                              "No such file or directory\n")

    def test_drive_bad_bool(self):
        rc, _, err = run('-drive', 'file=a,cache.direct=maybe')
        self.assertEqual(rc, 1)
        self.assertIn("Parameter 'cache.direct' expects 'on' or 'off'", err)

    def test_bad_memory_size(self):
        rc, _, err = run('-m', '12Q')
        self.assertEqual(rc, 1)
        self.assertTrue(err.startswith('minivm: -m 12Q: '), err)

    def test_machine_help(self):
        rc, out, _ = run('-machine', 'help')
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith('Supported machines are:\n'))
        self.assertRegex(out, r'\npc\s+Standard PC \(i440FX \+ PIIX, 1996\)')
        self.assertEqual(run('-M', '?')[1], out)

    def test_accel_help(self):
        rc, out, _ = run('-accel', 'help')
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith('Accelerators supported in QEMU binary:\n'))
        for a in ('tcg', 'kvm', 'qtest'):
            self.assertIn('\n%s\n' % a, out)

    def test_device_help(self):
        rc, _, err = run('-device', 'help')
        self.assertEqual(rc, 0)
        self.assertEqual(err, '')

    def test_device_unknown_model_help(self):
        rc, _, err = run('-device', 'no-such-device,help')
        self.assertEqual(rc, 1)
        self.assertIn("'no-such-device' is not a valid device model name", err)

    def test_unsupported_machine(self):
        rc, _, err = run('-M', 'q35')
        self.assertEqual(rc, 1)
        self.assertIn('minivm: unsupported machine type', err)


if __name__ == '__main__':
    MINIVM = sys.argv.pop(1)
    unittest.main(verbosity=2)
