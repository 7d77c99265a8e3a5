#!/usr/bin/env python3
"""Image locking (OFD locks on the bytes QEMU uses), checked against QEMU
itself: Debian's qemu-system-x86_64 with a virtio-blk disk holds a raw
image without sharing write access, as every QEMU 7.2 guest device does.

- a second writer is refused with QEMU's two-line message, exit 1;
- -U (force-share) opens read-only anyway, and plain -r works for raw;
- file.locking=off bypasses the locks;
- and the other way round: while minivm-io holds the image for writing,
  QEMU refuses to start, so minivm-io's lock bytes are the ones QEMU reads.
"""
import os
import select
import shutil
import subprocess
import unittest

import iotests

QEMU_SYSTEM = shutil.which('qemu-system-x86_64')


def start_qemu(image):
    """A paused QEMU holding @image through a guest device; waits for its QMP greeting."""
    p = subprocess.Popen([QEMU_SYSTEM, '-M', 'pc', '-S', '-nodefaults', '-display', 'none',
                          '-accel', 'tcg', '-drive',
                          'file=%s,format=raw,if=none,id=d0' % image,
                          '-device', 'virtio-blk-pci,drive=d0', '-qmp', 'stdio'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The greeting comes before the machine is built; a command's answer
    # comes from the main loop, after the devices took their locks.
    try:
        p.stdin.write(b'{"execute":"qmp_capabilities"}\n')
        p.stdin.flush()
    except BrokenPipeError:
        pass    # it failed to start; the caller reads why
    lines = b''
    for _ in range(2):
        r, _, _ = select.select([p.stdout], [], [], 30)
        lines += p.stdout.readline() if r else b''
    return p, lines


def stop_qemu(p):
    try:
        p.communicate(b'{"execute":"quit"}\n', timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()


@unittest.skipUnless(QEMU_SYSTEM, 'Debian qemu-system-x86 is not installed')
class LockingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = iotests.scratch_dir()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.image = os.path.join(self.dir, self.id().split('.')[-1] + '.raw')
        iotests.make_image(self.image, 1 << 20)

    def test_second_writer_refused_while_qemu_holds_image(self):
        qemu, greeting = start_qemu(self.image)
        try:
            self.assertIn(b'"return"', greeting, 'QEMU did not start')
            rc, out, err = iotests.minivm_io('-f', 'raw', '-c', 'write 0 512', self.image)
            self.assertEqual(rc, 1)
            self.assertEqual(out, '')
            name = os.path.basename(iotests.MINIVM_IO)
            self.assertEqual(err, '%s: can\'t open device %s: Failed to get "write" lock\n'
                                  'Is another process using the image [%s]?\n'
                             % (name, self.image, self.image))
            if iotests.QEMU_IO:
                _, _, qerr = iotests.qemu_io('-f', 'raw', '-c', 'write 0 512', self.image)
                self.assertEqual(iotests.program_neutral(err, name),
                                 iotests.program_neutral(qerr, 'qemu-io'))

            rc, out, err = iotests.minivm_io('-U', '-r', '-f', 'raw', '-c', 'read 0 512',
                                             self.image)
            self.assertEqual((rc, err), (0, ''))
            self.assertIn('read 512/512 bytes at offset 0', out)

            rc, out, err = iotests.minivm_io('-r', '-f', 'raw', '-c', 'read 0 512', self.image)
            self.assertEqual((rc, err), (0, ''))

            rc, out, err = iotests.minivm_io(
                '--image-opts', '-c', 'write -P 9 0 512',
                'driver=raw,file.driver=file,file.filename=%s,file.locking=off' % self.image)
            self.assertEqual((rc, err), (0, ''))
            self.assertIn('wrote 512/512 bytes at offset 0', out)
        finally:
            stop_qemu(qemu)

    def test_force_share_needs_read_only(self):
        rc, out, err = iotests.minivm_io('-U', '-f', 'raw', '-c', 'read 0 512', self.image)
        self.assertEqual(rc, 1)
        self.assertIn('force-share=on can only be used with read-only images', err)

    def test_qemu_refused_while_minivm_io_writes(self):
        io = subprocess.Popen([iotests.MINIVM_IO, '-f', 'raw', self.image], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            prompt = os.path.basename(iotests.MINIVM_IO).encode() + b'> '
            buf = b''
            while not buf.endswith(prompt):
                r, _, _ = select.select([io.stdout], [], [], 10)
                chunk = os.read(io.stdout.fileno(), 100) if r else b''
                self.assertTrue(chunk, 'minivm-io did not start: %r' % buf)
                buf += chunk
            qemu, greeting = start_qemu(self.image)
            qout, qerr = qemu.communicate(timeout=30)
            self.assertNotEqual(qemu.returncode, 0)
            self.assertIn(b'Failed to get shared "write" lock', qerr)
        finally:
            io.communicate(b'quit\n', timeout=30)
        self.assertEqual(io.returncode, 0)



class HolderMatrixTest(unittest.TestCase):
    """Who may open an image another process holds: every holder/prober pair of
    minivm-io and qemu-io, holder read-write or -r, prober read-write, -r and
    -U -r, on qcow2 (whose metadata no other writer may touch, so a qcow2 reader
    refuses a writer) and raw.  minivm-io must answer as qemu-io does."""

    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IO or not iotests.QEMU_IMG:
            raise unittest.SkipTest('Debian qemu-io/qemu-img (qemu-utils) are not installed')
        cls.dir = iotests.scratch_dir()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def probe(self, holder, holder_flags, prober, fmt, image):
        hold = subprocess.Popen([holder, '-f', fmt] + holder_flags + [image],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            prompt = os.path.basename(holder).encode() + b'> '
            buf = b''
            while not buf.endswith(prompt):
                r, _, _ = select.select([hold.stdout], [], [], 10)
                chunk = os.read(hold.stdout.fileno(), 100) if r else b''
                self.assertTrue(chunk, '%s did not start: %r' % (holder, buf))
                buf += chunk
            seen = []
            for flags in ([], ['-r'], ['-U', '-r']):
                rc, out, err = iotests.run([prober, '-f', fmt] + flags +
                                           ['-c', 'read 0 512', image])
                seen.append((rc, iotests.program_neutral(err, os.path.basename(prober))))
            return seen
        finally:
            hold.communicate(b'quit\n', timeout=30)

    def test_matrix(self):
        tools = (iotests.MINIVM_IO, iotests.QEMU_IO)
        for fmt in ('qcow2', 'raw'):
            image = os.path.join(self.dir, 'm.' + fmt)
            self.assertEqual(iotests.run([iotests.QEMU_IMG, 'create', '-q', '-f', fmt, image,
                                          '1M'])[0], 0)
            for holder_flags in ([], ['-r']):
                oracle = self.probe(iotests.QEMU_IO, holder_flags, iotests.QEMU_IO, fmt, image)
                for holder in tools:
                    for prober in tools:
                        with self.subTest(fmt=fmt, holder=os.path.basename(holder),
                                          flags=holder_flags, prober=os.path.basename(prober)):
                            self.assertEqual(self.probe(holder, holder_flags, prober, fmt,
                                                        image), oracle)
        # the answers are not all "yes": a qcow2 writer keeps other writers and readers out
        qcow2_writer = self.probe(iotests.QEMU_IO, [], iotests.QEMU_IO, 'qcow2',
                                  os.path.join(self.dir, 'm.qcow2'))
        self.assertEqual([rc for rc, _ in qcow2_writer], [1, 1, 0])
        self.assertIn('Failed to get shared "write" lock', qcow2_writer[1][1])


if __name__ == '__main__':
    iotests.main()
