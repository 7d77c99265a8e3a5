#!/usr/bin/env python3
"""Data written through every aio backend (threads, native, io_uring) with
O_DIRECT on and off, with and without misaligned buffers (-m), at
unaligned offsets and lengths, comes back intact: checked by reading it
back through the same configuration, by comparing the file with a model
of what was written, and by Debian's qemu-io reading the file.
"""
import os
import shutil
import unittest

import iotests

SIZE = 1 << 20

# (command, model update): offsets and lengths chosen to straddle 512 and 4096
WRITES = [
    ('write -P 0x11 100 1000', [(100, 1000, 0x11)]),
    ('write -P 0x22 4095 2', [(4095, 2, 0x22)]),
    ('writev -P 0x33 5000 300 4096 7', [(5000, 4403, 0x33)]),
    ('aio_write -P 0x44 20000 513', [(20000, 513, 0x44)]),
    ('aio_write -P 0x55 30001 4097', [(30001, 4097, 0x55)]),
    ('aio_flush', []),
    ('write -z 2000 100', [(2000, 100, 0)]),
    ('write -P 0x66 65536 65536', [(65536, 65536, 0x66)]),
    ('write -f -P 0x77 131000 3000', [(131000, 3000, 0x77)]),
    ('write -P 0x88 1048000 576', [(1048000, 576, 0x88)]),
    ('flush', []),
]

READS = [
    'read -P 0x11 100 1000',
    'read -P 0 1100 900',
    'read -P 0x22 4095 2',
    'readv -P 0x33 5000 300 4096 7',
    'read -P 0x44 20000 513',
    'aio_read -P 0x55 30001 4097',
    'aio_flush',
    'read -P 0 2000 100',
    'read -P 0x66 65536 65464',
    'read -P 0x77 131000 3000',
    'read -P 0 134000 1000',
    'read -P 0x88 1048000 576',
]


def model():
    data = bytearray(SIZE)
    for _, updates in WRITES:
        for off, length, val in updates:
            data[off:off + length] = bytes([val]) * length
    return bytes(data)


def as_args(cmds):
    out = []
    for c in cmds:
        out += ['-c', c]
    return out


class RoundTripTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = iotests.scratch_dir()
        cls.direct_ok = iotests.odirect_supported(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def roundtrip(self, aio, direct, misalign):
        if direct and not self.direct_ok:
            self.skipTest('the scratch file system does not support O_DIRECT')
        if aio == 'io_uring':
            ok, why = iotests.io_uring_available()
            if not ok:
                self.skipTest('io_uring_setup fails here: ' + why)
        if aio == 'native':
            ok, why = iotests.linux_aio_available()
            if not ok:
                self.skipTest('io_setup fails here: ' + why)
        image = os.path.join(self.dir, 'rt-%s-%d-%d.raw' % (aio, direct, misalign))
        iotests.make_image(image, SIZE)
        flags = ['-f', 'raw', '-i', aio, '-t', 'none' if direct else 'writeback']
        if misalign:
            flags.append('-m')

        rc, out, err = iotests.minivm_io(*(flags + as_args(c for c, _ in WRITES) + [image]))
        self.assertEqual((rc, err), (0, ''), out)
        self.assertEqual(out.count('wrote '), 9, out)

        rc, out, err = iotests.minivm_io(*(flags + as_args(READS) + [image]))
        self.assertEqual((rc, err), (0, ''), out)
        self.assertNotIn('Pattern verification failed', out)
        self.assertEqual(out.count('read '), len(READS) - 1, out)

        with open(image, 'rb') as f:
            self.assertEqual(f.read(), model())

        if iotests.QEMU_IO:
            rc, out, err = iotests.qemu_io(*(['-r', '-f', 'raw'] + as_args(READS) + [image]))
            self.assertEqual((rc, err), (0, ''), out)
            self.assertNotIn('Pattern verification failed', out)

    def test_hexdump_of_unaligned_range(self):
        image = os.path.join(self.dir, 'dump.raw')
        iotests.make_image(image, SIZE)
        args = ['-f', 'raw', '-c', 'write -P 0x41 4090 3', '-c', 'read -v 4085 20', image]
        if self.direct_ok:
            args = ['-n', '-m'] + args
        rc, out, err = iotests.minivm_io(*args)
        self.assertEqual((rc, err), (0, ''))
        self.assertIn('00000ff5:  00 00 00 00 00 41 41 41 00 00 00 00 00 00 00 00  '
                      '.....AAA........\n'
                      '00001005:  00 00 00 00  ....\nread 20/20 bytes at offset 4085\n', out)


class OverlappingRmwTest(unittest.TestCase):
    """O_DIRECT read-modify-write of requests that share a 4 KiB block but not a
    byte, all in flight at once: each RMW must wait for the one before it, or a
    later one writes back the block it read before the other's data landed."""

    def test_concurrent_unaligned_writes(self):
        tmp = iotests.scratch_dir()
        try:
            if not iotests.odirect_supported(tmp):
                self.skipTest('the scratch file system does not support O_DIRECT')
            for aio in ('threads', 'native', 'io_uring'):
                with self.subTest(aio=aio):
                    if aio == 'io_uring' and not iotests.io_uring_available()[0]:
                        self.skipTest('io_uring_setup fails here')
                    if aio == 'native' and not iotests.linux_aio_available()[0]:
                        self.skipTest('io_setup fails here')
                    image = os.path.join(tmp, 'rmw-%s.raw' % aio)
                    iotests.make_image(image, SIZE)
                    expect = bytearray(SIZE)
                    cmds = []
                    # 32 pieces of 100 bytes in each of 8 blocks, issued block-interleaved
                    for piece in range(32):
                        for block in range(8):
                            off, pat = block * 4096 + 10 + piece * 120, 1 + piece
                            cmds.append('aio_write -P %d %d 100' % (pat, off))
                            expect[off:off + 100] = bytes([pat]) * 100
                    cmds.append('aio_flush')
                    rc, out, err = iotests.minivm_io(*(['-f', 'raw', '-t', 'none', '-i', aio] +
                                                       as_args(cmds) + [image]))
                    self.assertEqual((rc, err), (0, ''), out)
                    with open(image, 'rb') as f:
                        self.assertTrue(f.read() == bytes(expect), 'a piece was lost')
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def add_cases():
    for aio in ('threads', 'native', 'io_uring'):
        for direct in (False, True):
            if aio == 'native' and not direct:
                continue    # refused at open; tests/iotests/bad-input.py checks the message
            for misalign in (False, True):
                name = 'test_%s_%s%s' % (aio, 'direct' if direct else 'cached',
                                         '_misaligned' if misalign else '')
                setattr(RoundTripTest, name,
                        lambda self, a=aio, d=direct, m=misalign: self.roundtrip(a, d, m))


add_cases()

if __name__ == '__main__':
    iotests.main()
