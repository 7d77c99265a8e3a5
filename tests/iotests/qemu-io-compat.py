#!/usr/bin/env python3
"""minivm-io prints what qemu-io prints: the same command scripts run
through both on identical copies of an image; stdout, stderr and the exit
status must match byte for byte once timings are filtered (as the QEMU
iotests' _filter_qemu_io does) and the program names are set aside.
"""
import os
import shutil
import unittest

import iotests

SCRIPTS = {
    'report-lines': [
        'write -P 0x41 0 100', 'read -v 0 40', 'read -P 0x42 0 100', 'write 512 1k',
        'writev 0 1 2 3', 'readv -P 0xcd 3 1 2', 'read -C 0 4k', 'read -q 0 512',
        'write -q 0 1', 'read -P 3 -s 1 -l 5 0 10', 'read -P 0x41 -s 1 -l 5 0 10',
        'write -P 0x7 4095 4098', 'read -v 4090 20', 'write -z 8k 4k', 'write -z -u 12k 4k',
        'write -f 16k 512', 'writev -f -P 9 20000 1 4096 3', 'read -P 0 8k 8k',
    ],
    # one request in flight at a time: completion order of concurrent ones is up to the threads
    'aio': [
        'aio_write -P 7 4k 4k', 'aio_flush', 'aio_write -P 8 8k 1k 1k', 'aio_flush',
        'aio_read -P 7 4k 4k', 'aio_flush', 'aio_read -P 8 4k 512', 'aio_flush',
        'aio_read -v 8k 32', 'aio_flush', 'aio_read -i 0 1', 'aio_write -i 0 1',
        'aio_write -z 16k 4k', 'aio_flush', 'aio_read -P 0 16k 4k', 'aio_flush',
    ],
    'sizes-and-info': [
        'length', 'info', 'map', 'alloc 0 1M', 'alloc 0', 'alloc 4k 4k', 'discard 0 4k',
        'discard -q 4k 4k', 'flush', 'truncate 2M', 'length', 'truncate 1536k', 'length',
        'map', 'sleep 10',
    ],
    'argument-errors': [
        'read 0 2M', 'read x 1', 'read 0 1y', 'readv 0', 'read', 'bogus', 'read -l 5 0 10',
        'read -P 300 0 1', 'read -P 1 -s 20 0 10', 'write -n 0 1', 'write -u 0 1',
        'write -z -P 1 0 1', 'write -b -z 0 512', 'write -f -c 0 512', 'write -c 1 512',
        'write -b 0 100', 'read -b 1 512', 'aio_write -z 0 1 1', 'aio_write -u 0 1',
        'aio_read', 'alloc x', 'alloc 0 1 2', 'map 1', 'truncate -m bogus 1M', 'sleep x',
        'writev -P 1', 'length 1', 'discard 0', 'discard 0 3G', 'read 0 3G',
        'write 0 3G', 'sigraise 99', 'write -s /nonexistent 0 1',
    ],
    'help': ['help', 'help read', 'help write', 'help aio_write', 'help open', 'help nosuch',
             'help reopen', 'help sigraise', '? discard'],
    'open-close': ['close', 'read 0 1', 'close', 'open -r -f raw IMAGE', 'open IMAGE',
                   'close', 'open -o driver=raw IMAGE', 'info', 'write 0 1', 'close',
                   'open -t bogus IMAGE', 'open -i bogus IMAGE', 'open -d bogus IMAGE',
                   'open -x', 'open -r -o driver=raw IMAGE', 'write 0 1', 'quit',
                   'read 0 1'],
}


class QemuIoCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IO:
            raise unittest.SkipTest('Debian qemu-io (qemu-utils) is not installed')
        cls.dir = iotests.scratch_dir()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_both(self, name, script, args=('-f', 'raw'), open_image=True):
        results = []
        for tool in (iotests.MINIVM_IO, iotests.QEMU_IO):
            image = os.path.join(self.dir, '%s-%s.raw' % (name, os.path.basename(tool)))
            iotests.make_image(image, 1 << 20)
            argv = [tool] + list(args)
            for cmd in script:
                argv += ['-c', cmd.replace('IMAGE', image)]
            if open_image:
                argv.append(image)
            rc, out, err = iotests.run(argv)
            prog = os.path.basename(tool)
            norm = lambda t: iotests.filter_timing(
                iotests.program_neutral(t, prog).replace(image, 'IMAGE'))
            with open(image, 'rb') as f:
                data = f.read()
            results.append((rc, norm(out), norm(err), data))
        ours, theirs = results
        self.assertEqual(ours[1], theirs[1], 'stdout differs')
        self.assertEqual(ours[2], theirs[2], 'stderr differs')
        self.assertEqual(ours[0], theirs[0], 'exit status differs')
        self.assertTrue(ours[3] == theirs[3], 'image contents differ')

    def test_scripts(self):
        for name, script in SCRIPTS.items():
            with self.subTest(script=name):
                self.run_both(name, script, open_image=(name != 'open-close'))

    def test_default_open_is_writethrough_and_misalign(self):
        self.run_both('misalign', SCRIPTS['report-lines'], args=('-m', '-f', 'raw'))

    def test_image_opts(self):
        for tool_args in (('--image-opts',), ('--image-opts', '-U')):
            with self.subTest(args=tool_args):
                script = ['open driver=raw,file.filename=IMAGE', 'write -P 5 0 512',
                          'read -P 5 0 512', 'info']
                self.run_both('image-opts', script, args=tool_args, open_image=False)

    def test_probed_raw_and_reopen(self):
        script = ['write 0 512', 'reopen -c none', 'read 0 512', 'reopen -r', 'write 0 512',
                  'reopen -w -c writethrough', 'write -P 3 0 512', 'read -P 3 0 512',
                  'reopen -o cache.direct=on -c none', 'reopen -o foo=1', 'reopen -r -w',
                  'reopen x']
        self.run_both('reopen', script, args=())

    def test_snapshot_overlay(self):
        """-s: writes land in a temporary qcow2 overlay; the image stays as it was."""
        script = ['write -P 9 0 64k', 'read -P 9 0 64k', 'read -P 0 64k 4k', 'map', 'info',
                  'alloc 0 128k', 'flush']
        for args in (('-s', '-f', 'raw'), ('-s', '-n', '-f', 'raw'), ('-s', '-r', '-f', 'raw')):
            with self.subTest(args=args):
                self.run_both('snapshot', script, args=args)
                image = os.path.join(self.dir, 'snapshot-%s.raw' %
                                     os.path.basename(iotests.MINIVM_IO))
                with open(image, 'rb') as f:
                    data = f.read()
                iotests.make_image(image, 1 << 20)
                with open(image, 'rb') as f:
                    self.assertTrue(f.read() == data, 'the image was written')

    def test_trace_option(self):
        """-T: no trace events in minivm, so a named one gets qemu-io's warning."""
        for trace in ('no_such_event', 'enable=no_such_event', 'enable=blk_nothing*'):
            with self.subTest(trace=trace):
                self.run_both('trace', ['read 0 512'], args=('-T', trace, '-f', 'raw'))

    def test_usage_errors(self):
        for args in (('-f', 'raw', '-c', 'read 0 1', 'a', 'b'), ('-f', 'raw', '--image-opts'),
                     ('--bogus',), ('-h',), ('-c', 'help')):
            with self.subTest(args=args):
                outs = []
                for tool in (iotests.MINIVM_IO, iotests.QEMU_IO):
                    rc, out, err = iotests.run([tool] + list(args))
                    prog = os.path.basename(tool)
                    out = out.replace(prog, 'PROG').split('\nSee <https://qemu.org')[0]
                    err = err.replace(tool, 'PROG').replace(prog, 'PROG')
                    outs.append((rc, out.rstrip('\n'), err))
                self.assertEqual(outs[0], outs[1])


if __name__ == '__main__':
    iotests.main()
