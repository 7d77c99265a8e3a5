#!/usr/bin/env python3
"""blkcheck.elf, the bundled virtio-blk guest, on a real disk image.

usage: test-blkcheck.py qemu|minivm

Each case creates a raw or qcow2 image with Debian's qemu-img, boots the
guest on it with -drive if=virtio and a cache mode, requires every check to
pass (exit status 1 from isa-debug-exit) and then verifies with Debian's
qemu-io that the guest's writes are in the image.  For minivm the guest's
verdicts must also equal those it gets on qemu-system-x86_64.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402

EMULATOR = 'qemu'
IMAGE_SIZE = 64 * 1024 * 1024
CHECKS = ['multiboot', 'pci-find', 'virtio-probe', 'virtio-init', 'capacity',
          'rw-patterns', 'rw-scattered', 'rw-last-sector', 'rw-multi-descriptor',
          'read-past-end', 'discard', 'write-zeroes', 'writeback-toggle', 'flush']

# What blkcheck leaves on the disk (see the comment at the top of blkcheck.c),
# as qemu-io pattern reads: (byte, offset, length).
LAYOUT = [(0xa5, 16 * 512, 8 * 512), (0x00, 64 * 512, 8 * 512),
          (0x3c, 256 * 512, 512), (0xc3, 257 * 512, 512),
          (0x5a, IMAGE_SIZE - 512, 512)]


class BlkcheckTest(unittest.TestCase):
    reference = {}      # (fmt, cache) -> verdicts on qemu, for minivm runs

    def setUp(self):
        self.dir = guestrun.scratch_dir()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def boot(self, emulator, fmt, cache):
        img = os.path.join(self.dir, 'disk.' + fmt)
        subprocess.run([guestrun.QEMU_IMG, 'create', '-q', '-f', fmt, img, str(IMAGE_SIZE)],
                       check=True)
        rc, out, err = guestrun.run_guest(
            emulator, guestrun.BLKCHECK_ELF,
            ['-drive', 'file=%s,if=virtio,format=%s,cache=%s' % (img, fmt, cache)])
        lines = guestrun.guest_transcript(out, 'blkcheck: starting')
        print('--- %s %s cache=%s: exit %d\n%s%s' % (emulator, fmt, cache, rc,
                                                     '\n'.join(lines), err))
        return img, rc, lines

    def check_case(self, fmt, cache):
        img, rc, lines = self.boot(EMULATOR, fmt, cache)
        self.assertIn('blkcheck: %d passed, 0 failed' % len(CHECKS), lines)
        self.assertEqual(guestrun.verdicts(lines), ['PASS ' + c for c in CHECKS])
        self.assertIn('capacity: %d sectors' % (IMAGE_SIZE // 512), lines)
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)

        for byte, off, length in LAYOUT:
            p = subprocess.run([guestrun.QEMU_IO, '-f', fmt, '-c',
                                'read -P 0x%x %d %d' % (byte, off, length), img],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn('verification failed', p.stdout + p.stderr,
                             'byte 0x%x at %d' % (byte, off))
            self.assertIn('read %d/%d bytes at offset %d' % (length, length, off), p.stdout)
        if fmt == 'qcow2':
            p = subprocess.run([guestrun.QEMU_IMG, 'check', img], capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        if EMULATOR != 'qemu':
            _, qrc, qlines = self.boot('qemu', fmt, cache)
            self.assertEqual(guestrun.verdicts(lines), guestrun.verdicts(qlines))

    def test_raw_cache_none(self):
        self.check_case('raw', 'none')

    def test_raw_cache_writeback(self):
        self.check_case('raw', 'writeback')

    def test_qcow2_cache_writethrough(self):
        self.check_case('qcow2', 'writethrough')

    def test_qcow2_cache_unsafe(self):
        self.check_case('qcow2', 'unsafe')

    def test_snapshot_leaves_image_untouched(self):
        """-snapshot: the guest sees its writes, the image gets none, no file is left."""
        for fmt in ('raw', 'qcow2'):
            with self.subTest(fmt=fmt):
                img = os.path.join(self.dir, 'snap.' + fmt)
                tmp = os.path.join(self.dir, 'tmp-' + fmt)
                os.mkdir(tmp)
                subprocess.run([guestrun.QEMU_IMG, 'create', '-q', '-f', fmt, img,
                                str(IMAGE_SIZE)], check=True)
                subprocess.run([guestrun.QEMU_IO, '-f', fmt, '-c',
                                'write -P 0x77 0 %d' % IMAGE_SIZE, img],
                               check=True, capture_output=True)
                with open(img, 'rb') as f:
                    before = hashlib.sha256(f.read()).hexdigest()
                rc, out, err = guestrun.run_guest(
                    EMULATOR, guestrun.BLKCHECK_ELF,
                    ['-snapshot', '-drive', 'file=%s,if=virtio,format=%s,cache=none' % (img, fmt)],
                    env=dict(os.environ, TMPDIR=tmp))
                lines = guestrun.guest_transcript(out, 'blkcheck: starting')
                self.assertIn('blkcheck: %d passed, 0 failed' % len(CHECKS), lines, err)
                self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)
                with open(img, 'rb') as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), before)
                self.assertEqual(os.listdir(tmp), [])

    def test_no_disk_fails(self):
        """Without a disk the guest must say so and exit with failure."""
        rc, out, err = guestrun.run_guest(EMULATOR, guestrun.BLKCHECK_ELF, [])
        lines = guestrun.guest_transcript(out, 'blkcheck: starting')
        self.assertIn('PASS multiboot', lines)
        self.assertTrue(any(l.startswith('FAIL pci-find: ') for l in lines), lines)
        self.assertEqual(rc, guestrun.EXIT_GUEST_FAILED)


if __name__ == '__main__':
    EMULATOR = guestrun.emulator_from_argv(__doc__)
    unittest.main(argv=sys.argv[:1], verbosity=2)
