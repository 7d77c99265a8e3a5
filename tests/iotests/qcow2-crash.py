#!/usr/bin/env python3
"""Crash consistency of minivm's qcow2 writes: minivm-io runs an allocating
workload (writes scattered over fresh clusters, zero writes, discards, a
flush after every few requests) and is killed with SIGKILL at many points.
Every resulting image must pass Debian's `qemu-img check` with no
corruptions (leaked clusters are allowed: QEMU's order leaks, it never
corrupts), and every write acknowledged before a completed flush must read
back.  A kill loses what the process held in memory (the L2 and refcount
caches), not the page cache: this checks the order in which metadata
reaches the file, which is what a crash at that point would leave.
"""
import os
import random
import shutil
import signal
import subprocess
import time
import unittest

import iotests

SIZE = 64 << 20
POINTS = 24


def workload(rnd):
    """Commands, and per request the 4 KiB blocks it sets and to what byte.
    A flush is followed by 'length', whose output line marks its completion."""
    cmds, effects = [], []
    for i in range(400):
        off = rnd.randrange(SIZE // 4096) * 4096
        pat = 1 + i % 250
        kind = rnd.random()
        if kind < 0.8:
            cmds.append('write -P %d %d 4096' % (pat, off))
            effects.append([(off, pat)])
        elif kind < 0.9:
            cmds.append('write -z %d 4096' % off)
            effects.append([(off, 0)])
        else:
            base = off & ~0xffff
            cmds.append('discard %d 65536' % base)
            effects.append([(base + b, 0) for b in range(0, 65536, 4096)])
        if i % 8 == 7:
            cmds += ['flush', 'length']
    return cmds, effects


class Qcow2CrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IMG or not iotests.QEMU_IO:
            raise unittest.SkipTest('Debian qemu-img/qemu-io (qemu-utils) are not installed')
        if not shutil.which('stdbuf'):
            raise unittest.SkipTest('stdbuf (coreutils) is not installed')
        cls.dir = iotests.scratch_dir()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def crash_once(self, point, rnd):
        img = os.path.join(self.dir, 'crash%d.qcow2' % point)
        opts = ['cluster_size=4k', 'cluster_size=64k', 'lazy_refcounts=on'][point % 3]
        subprocess.run([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', '-o', opts, img,
                        str(SIZE)], check=True)
        cmds, effects = workload(rnd)
        argv = ['stdbuf', '-oL', iotests.MINIVM_IO, '-t', 'writeback', '-f', 'qcow2']
        for c in cmds:
            argv += ['-c', c]
        # stdbuf preloads a library: an ASan build must be told that this is fine
        env = dict(os.environ)
        env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') + ':verify_asan_link_order=0')
        p = subprocess.Popen(argv + [img], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env)
        # the kill point is a stage of the workload (so many lines of output), not a
        # time, so slow builds (ASan) die at the same variety of points
        target, got = rnd.randrange(1, 900), []
        while len(got) < target:
            line = p.stdout.readline()
            if not line:
                break
            got.append(line)
        time.sleep(rnd.uniform(0, 0.002))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
        flushed = (b''.join(got) + out).decode().count('64 MiB\n')

        # requests before the last completed flush are durable; any after it may
        # or may not have happened, so blocks they touch are not checked
        durable, later, marks, req = {}, set(), 0, 0
        for c in cmds:
            if c == 'length':
                marks += 1
            elif c != 'flush':
                for off, val in effects[req]:
                    if marks < flushed:
                        durable[off] = val
                    else:
                        later.add(off)
                req += 1

        chk = subprocess.run([iotests.QEMU_IMG, 'check', img], capture_output=True, text=True)
        self.assertIn(chk.returncode, (0, 3), 'point %d (%s): %s%s' % (point, opts, chk.stdout,
                                                                       chk.stderr))
        self.assertNotIn('ERROR', chk.stdout)
        argv = [iotests.QEMU_IO, '-r', '-f', 'qcow2']
        for off, val in sorted(durable.items()):
            if off not in later:
                argv += ['-c', 'read -P %d %d 4096' % (val, off)]
        if len(argv) > 4:
            r = subprocess.run(argv + [img], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn('verification failed', r.stdout,
                             'point %d (%s): a flushed write was lost' % (point, opts))
        return flushed

    def test_kill_at_many_points(self):
        rnd = random.Random(20261203)
        flushed = [self.crash_once(point, rnd) for point in range(POINTS)]
        # the kills must land at different stages, not all before the first flush
        self.assertGreater(len(set(flushed)), 3, flushed)


if __name__ == '__main__':
    iotests.main()
