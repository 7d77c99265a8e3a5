#!/usr/bin/env python3
"""Bad input to minivm-io and minivm-img: each case is a clear error on
stderr and exit status 1, and the message is the one Debian's qemu-io /
qemu-img print for the same input (program name aside).
"""
import os
import re
import shutil
import subprocess
import unittest

import iotests


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = iotests.scratch_dir()
        os.chmod(cls.dir, 0o755)
        cls.image = os.path.join(cls.dir, 'ok.raw')
        iotests.make_image(cls.image, 1 << 20)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def compare(self, ours, theirs, args, expect, prefixed=True):
        """Run both tools; check ours against @expect and against theirs."""
        rc, out, err = iotests.run([ours] + args)
        name = os.path.basename(ours)
        self.assertEqual(rc, 1, (out, err))
        self.assertIn(expect, err + out)
        if prefixed:
            self.assertTrue(err.startswith(name + ': '), err)
        if theirs:
            qrc, qout, qerr = iotests.run([theirs] + args)
            self.assertEqual(qrc, 1, qerr)
            self.assertEqual(iotests.program_neutral(err, name),
                             iotests.program_neutral(qerr, os.path.basename(theirs)))
            self.assertEqual(out, qout)

    def io(self, args, expect, prefixed=True):
        self.compare(iotests.MINIVM_IO, iotests.QEMU_IO, args, expect, prefixed)

    def img(self, args, expect):
        self.compare(iotests.MINIVM_IMG, iotests.QEMU_IMG, args, expect)

    def test_invalid_cache_mode(self):
        self.io(['-t', 'bogus', '-f', 'raw', self.image], 'Invalid cache option: bogus')

    def test_invalid_aio_mode(self):
        self.io(['-i', 'bogus', '-f', 'raw', self.image], 'Invalid aio option: bogus')

    def test_invalid_discard_mode(self):
        self.io(['-d', 'bogus', '-f', 'raw', self.image], 'Invalid discard option: bogus')

    def test_native_aio_needs_direct(self):
        self.io(['-i', 'native', '-f', 'raw', '-c', 'read 0 512', self.image],
                'aio=native was specified, but it requires cache.direct=on, '
                'which was not specified.')

    def test_native_aio_needs_direct_image_opts(self):
        self.io(['-n', '--image-opts', '-c', 'read 0 512',
                 'driver=raw,file.filename=%s,cache.direct=off,file.aio=native' % self.image],
                'aio=native was specified')

    def test_nonexistent_file(self):
        path = os.path.join(self.dir, 'nosuch.raw')
        self.io(['-f', 'raw', '-c', 'read 0 512', path],
                "Could not open '%s': No such file or directory" % path)
        self.img(['info', path], "Could not open '%s': No such file or directory" % path)

    def test_directory(self):
        self.io(['-f', 'raw', '-c', 'read 0 512', self.dir], "can't open device %s" % self.dir)
        self.io(['-r', '-f', 'raw', '-c', 'read 0 512', self.dir],
                "'file' driver requires '%s' to be a regular file" % self.dir)
        self.img(['info', '-f', 'raw', self.dir],
                 "'file' driver requires '%s' to be a regular file" % self.dir)

    def test_read_only_file(self):
        path = os.path.join(self.dir, 'ro.raw')
        iotests.make_image(path, 1 << 20)
        os.chmod(path, 0o444)
        prefix = []
        if os.geteuid() == 0:
            # root ignores file modes: run the tools as nobody
            setpriv = shutil.which('setpriv')
            if not setpriv:
                self.skipTest('running as root and setpriv is not installed')
            prefix = [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups']
            if subprocess.run(prefix + [iotests.MINIVM_IO, '-V'],
                              capture_output=True).returncode != 0:
                self.skipTest('user nobody cannot run %s' % iotests.MINIVM_IO)
        args = ['-f', 'raw', '-c', 'read 0 512', path]
        rc, out, err = iotests.run(prefix + [iotests.MINIVM_IO] + args)
        self.assertEqual(rc, 1)
        self.assertIn("Could not open '%s': Permission denied" % path, err)
        if iotests.QEMU_IO:
            _, _, qerr = iotests.run(prefix + [iotests.QEMU_IO] + args)
            self.assertEqual(iotests.program_neutral(err, os.path.basename(iotests.MINIVM_IO)),
                             iotests.program_neutral(qerr, 'qemu-io'))
        rc, out, err = iotests.run(prefix + [iotests.MINIVM_IO, '-r'] + args)
        self.assertEqual((rc, err), (0, ''))
        self.assertIn('read 512/512 bytes at offset 0', out)

    def test_raw_window_options(self):
        """raw offset=/size= outside the file or unaligned: qemu-io's messages, in its order."""
        for opts, expect in (('offset=2M', 'Offset (2097152) cannot be greater than size of the '
                                           'containing file (1048576)'),
                             ('size=1000', 'Specified size is not multiple of 512'),
                             ('offset=1000,size=1048000', 'The sum of offset (1000) and size '
                                                          '(1048000) has to be smaller'),
                             ('offset=4096,size=2M', 'The sum of offset (4096) and size'),
                             ('size=bogus', "Parameter 'size' expects a non-negative number")):
            with self.subTest(opts=opts):
                self.io(['--image-opts', '-c', 'length',
                         'driver=raw,file.filename=%s,%s' % (self.image, opts)], expect)

    def test_unknown_child_option(self):
        """An option the file driver does not know: qemu-io's message, no crash."""
        opts = 'driver=raw,file.driver=file,file.filename=%s,file.bogus=1' % self.image
        self.io(['--image-opts', '-c', 'read 0 1', opts],
                "can't open: Block protocol 'file' doesn't support the option 'bogus'")

    def test_snapshot_without_temp_dir(self):
        """-s where $TMPDIR does not exist: qemu-io's message, exit 1, image untouched."""
        env = dict(os.environ, TMPDIR=os.path.join(self.dir, 'nonexistent'))
        argv = ['-s', '-f', 'raw', '-c', 'write -P 1 0 512', self.image]
        ours = subprocess.run([iotests.MINIVM_IO] + argv, capture_output=True, text=True,
                              env=env)
        self.assertEqual(ours.returncode, 1)
        self.assertRegex(ours.stderr, r"^minivm-io: can't open device .*: Could not open "
                         r"temporary file '.*/nonexistent/vl\.\w{6}': No such file or directory\n$")
        if iotests.QEMU_IO:
            theirs = subprocess.run([iotests.QEMU_IO] + argv, capture_output=True, text=True,
                                    env=env)
            self.assertEqual(theirs.returncode, 1)
            self.assertEqual(re.sub(r'vl\.\w{6}', 'vl.X', iotests.program_neutral(
                                 ours.stderr, 'minivm-io')),
                             re.sub(r'vl\.\w{6}', 'vl.X', iotests.program_neutral(
                                 theirs.stderr, 'qemu-io')))
        with open(self.image, 'rb') as f:
            self.assertEqual(f.read(512), bytes(512))

    def test_failed_command_sets_exit_status(self):
        self.io(['-f', 'raw', '-c', 'read 0 2M', self.image], 'read failed: Input/output error',
                prefixed=False)
        self.io(['-r', '-f', 'raw', '-c', 'write 0 512', self.image], 'Block node is read-only')
        self.io(['-f', 'raw', '-c', 'bogus', self.image], 'command "bogus" not found',
                prefixed=False)

    def test_img_usage_errors(self):
        self.img([], 'Not enough arguments')
        self.img(['bogus'], 'Command not found: bogus')
        self.img(['info'], 'Expecting one image file name')
        self.img(['info', '--output=xml', self.image],
                 '--output must be used with human or json as argument.')
        self.img(['info', '-f', 'raw', '--image-opts', self.image],
                 '--image-opts and --format are mutually exclusive')
        self.img(['create', '-f', 'raw'], 'Expecting image file name')
        self.img(['create', '-f', 'raw', os.path.join(self.dir, 'c.raw'), '1Q'],
                 'Invalid image size specified')
        self.img(['create', '-f', 'raw', os.path.join(self.dir, 'c.raw'), '1M', 'x'],
                 'Unexpected argument: x')
        self.img(['create', '-f', 'raw', os.path.join(self.dir, 'c.raw')],
                 'Image creation needs a size parameter')
        self.img(['create', '-f', 'raw', os.path.join(self.dir, 'nosuchdir', 'c.raw'), '1M'],
                 'No such file or directory')

    def test_img_bench_errors(self):
        self.img(['bench', '-t', 'bogus', self.image], 'Invalid cache mode')
        self.img(['bench', '-i', 'bogus', self.image], 'Invalid aio option: bogus')
        self.img(['bench', '-c', 'x', self.image], 'Invalid request count specified')
        self.img(['bench', '-d', '-1', self.image], 'Invalid queue depth specified')
        self.img(['bench', '--flush-interval=4', self.image],
                 '--flush-interval is only available in write tests')
        self.img(['bench', '-w', '--flush-interval=4', self.image],
                 "Flush interval can't be smaller than depth")
        self.img(['bench', '-s', '1x', self.image], 'Invalid buffer size specified')
        self.img(['bench', '--pattern=256', self.image], 'Invalid pattern byte specified')
        self.img(['bench', '-f', 'raw', '-i', 'native', self.image],
                 'aio=native was specified, but it requires cache.direct=on')


if __name__ == '__main__':
    iotests.main()
