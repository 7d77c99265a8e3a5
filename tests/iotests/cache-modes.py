#!/usr/bin/env python3
"""Cache-mode matrix: for each cache= mode and each explicit cache.* override,
the image fd's open flags (O_DIRECT or not, from /proc/PID/fdinfo) and the
syscalls strace sees for 'write 0 4k; write 4k 4k; flush'.

Expected behaviour (DESIGN.md table):
  writeback/none:         plain writes, one fdatasync for the flush
  writethrough/directsync: every write durable before the next one: either a
                          pwritev2(RWF_DSYNC) or write + fdatasync
  unsafe / no-flush:      no fdatasync at all and no RWF_DSYNC
Each expectation is also checked against Debian's qemu-io, so the table
below is QEMU's behaviour and not just ours.
"""
import os
import select
import shutil
import subprocess
import unittest

import iotests

WRITES = ('pwrite64', 'pwritev', 'pwritev2', 'write')
SYNCS = ('fdatasync', 'fsync')
TRACED = ['openat', 'close', 'pwrite64', 'pwritev', 'pwritev2', 'fdatasync', 'fsync',
          'io_submit', 'io_uring_enter']
COMMANDS = ['-c', 'write 0 4k', '-c', 'write 4k 4k', '-c', 'flush']

# (name, tool args before the image, image-opts suffix or None, O_DIRECT, behaviour)
CASES = [
    ('default', [], None, False, 'durable-each'),
    ('writeback', ['-t', 'writeback'], None, False, 'flush-once'),
    ('none', ['-t', 'none'], None, True, 'flush-once'),
    ('off', ['-t', 'off'], None, True, 'flush-once'),
    ('-n', ['-n'], None, True, 'flush-once'),
    ('writethrough', ['-t', 'writethrough'], None, False, 'durable-each'),
    ('directsync', ['-t', 'directsync'], None, True, 'durable-each'),
    ('unsafe', ['-t', 'unsafe'], None, False, 'never'),
    ('none+direct=off', ['-t', 'none'], 'cache.direct=off', False, 'flush-once'),
    ('writeback+direct=on', ['-t', 'writeback'], 'cache.direct=on', True, 'flush-once'),
    ('unsafe+no-flush=off', ['-t', 'unsafe'], 'cache.no-flush=off', False, 'flush-once'),
    ('writeback+no-flush=on', ['-t', 'writeback'], 'cache.no-flush=on', False, 'never'),
    ('directsync+no-flush=on', ['-t', 'directsync'], 'cache.no-flush=on', True, 'no-sync'),
]


def tool_argv(tool, case, image):
    name, args, override, _, _ = case
    if override is None:
        return [tool] + args + ['-f', 'raw', image]
    opts = 'driver=raw,file.driver=file,file.filename=%s,%s' % (image, override)
    return [tool] + args + ['--image-opts', opts]


def read_until_prompt(p, prompt, timeout=10):
    buf = b''
    fd = p.stdout.fileno()
    while not buf.endswith(prompt):
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            raise AssertionError('no prompt; got %r' % buf)
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError('exited before the prompt; got %r' % buf)
        buf += chunk
    return buf


def fdinfo_flags(pid, image):
    """Open flags of every fd of @pid that refers to @image."""
    want = os.path.realpath(image)
    flags = []
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        if target == want:
            with open('/proc/%d/fdinfo/%s' % (pid, fd)) as f:
                for line in f:
                    if line.startswith('flags:'):
                        flags.append(int(line.split()[1], 8))
    return flags


class CacheModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = iotests.scratch_dir()
        if not iotests.odirect_supported(cls.dir):
            shutil.rmtree(cls.dir)
            raise unittest.SkipTest('the scratch file system does not support O_DIRECT')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def image(self, tag):
        path = os.path.join(self.dir, tag.replace('+', '_').replace('=', '_') + '.raw')
        iotests.make_image(path, 1 << 20)
        return path

    def check_open_flags(self, tool, prompt, case):
        image = self.image('fdinfo-' + case[0])
        p = subprocess.Popen(tool_argv(tool, case, image), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            read_until_prompt(p, prompt)
            flags = fdinfo_flags(p.pid, image)
        finally:
            out, err = p.communicate(b'quit\n', timeout=30)
        self.assertEqual(p.returncode, 0, err)
        self.assertTrue(flags, 'image is not open')
        self.assertEqual([bool(f & iotests.O_DIRECT) for f in flags], [case[3]] * len(flags),
                         'open flags %s' % [oct(f) for f in flags])

    def check_syscalls(self, tool, case, one_syscall=False):
        """@one_syscall: each durable write must be a single RWF_DSYNC write with no
        fdatasync at all (minivm's writethrough; qemu-io writes, then syncs)."""
        image = self.image('strace-' + case[0])
        log = image + '.strace'
        p, calls = iotests.run_strace(tool_argv(tool, case, image) + COMMANDS, log, TRACED)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count('wrote 4096/4096 bytes'), 2, p.stdout)
        # failed attempts (an RWF_NOWAIT try the file system refuses) wrote nothing
        seq = [c for _, c in iotests.image_io_calls(calls, image) if not c.ret.startswith('-')]
        writes = [i for i, c in enumerate(seq) if c.name in WRITES]
        syncs = [i for i, c in enumerate(seq) if c.name in SYNCS]
        dsync = [i for i in writes if 'RWF_DSYNC' in seq[i].args]
        what = '\n'.join(map(repr, seq))
        self.assertEqual(len(writes), 2, what)
        behaviour = case[4]
        if behaviour == 'flush-once':
            self.assertEqual(dsync, [], what)
            self.assertEqual(len(syncs), 1, what)
            self.assertGreater(syncs[0], writes[-1], what)
        elif behaviour == 'durable-each' and one_syscall:
            self.assertEqual(dsync, writes, what)
            self.assertEqual(syncs, [], what)
        elif behaviour == 'durable-each':
            bounds = writes[1:] + [len(seq)]
            for w, nxt in zip(writes, bounds):
                synced = any(w < s < nxt for s in syncs)
                self.assertTrue(w in dsync or synced,
                                'write #%d not durable before the next step:\n%s' % (w, what))
        elif behaviour == 'never':
            self.assertEqual(syncs, [], what)
            self.assertEqual(dsync, [], what)
        elif behaviour == 'no-sync':
            self.assertEqual(syncs, [], what)

    def test_minivm_open_flags(self):
        for case in CASES:
            with self.subTest(case=case[0]):
                self.check_open_flags(iotests.MINIVM_IO,
                                      os.path.basename(iotests.MINIVM_IO).encode() + b'> ', case)

    def test_minivm_syscalls(self):
        for case in CASES:
            with self.subTest(case=case[0]):
                self.check_syscalls(iotests.MINIVM_IO, case, one_syscall=True)

    @unittest.skipUnless(iotests.QEMU_IO, 'Debian qemu-io (qemu-utils) is not installed')
    def test_table_matches_qemu_io(self):
        for case in CASES:
            with self.subTest(case=case[0]):
                self.check_open_flags(iotests.QEMU_IO, b'qemu-io> ', case)
                self.check_syscalls(iotests.QEMU_IO, case)


if __name__ == '__main__':
    iotests.main()
