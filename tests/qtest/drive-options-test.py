#!/usr/bin/env python3
"""-drive and -blockdev option handling against Debian's QEMU 7.2: for each
command line the first error line (program name aside) must be the same,
and where both start, query-block must show the same node-name form and
detect_zeroes.  -drive consumes its own keys and hands every other one to
the top node, whose driver refuses what it does not know.  -m sizes too.

usage: drive-options-test.py MINIVM
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MINIVM = None
QEMU = shutil.which('qemu-system-x86_64')

DRIVE_CASES = [
    'bogus=1', 'driver=raw', 'driver=qcow2', 'file.bogus=1', 'locking=off', 'file.locking=off',
    'file.locking=bogus', 'node-name=x0', 'node-name=0x', 'auto-read-only=on', 'force-share=on',
    'readonly=on,force-share=on', 'serial=x', 'detect-zeroes=on', 'detect-zeroes=unmap',
    'detect-zeroes=bogus', 'discard=unmap,detect-zeroes=unmap', 'l2-cache-size=1M',
    'file.aio=native', 'aio=native,cache=none', 'file.aio=native,cache.direct=on',
    'cache=bogus', 'aio=bogus', 'discard=bogus', 'readonly=maybe',
]

BLOCKDEV_CASES = [
    'driver=raw,file.driver=file,file.filename=IMG', 'node-name=n0',
    'driver=raw,node-name=n0,file.driver=file,file.filename=nosuch',
    'driver=raw,node-name=0bad,file.driver=file,file.filename=IMG',
    'driver=bogus,node-name=n0', 'driver=raw,node-name=n0,file=nosuch',
    'raw,node-name=n0,file.driver=file,file.filename=IMG',
    '{"driver": "raw", "node-name": "n0", "file": {"driver": "file", "filename": "IMG"}}',
    '{"driver":"raw"',
    'driver=raw,node-name=n0,detect-zeroes=unmap,file.driver=file,file.filename=IMG',
    'driver=raw,node-name=n0,detect-zeroes=bogus,file.driver=file,file.filename=IMG',
]


def run(binary, accel, args):
    """(first stderr line with the program name neutral, query-block or None, greeted)"""
    argv = [binary, '-display', 'none', '-nodefaults', '-qmp', 'stdio'] + accel + args
    qmp = '{"execute":"qmp_capabilities"}{"execute":"query-block"}{"execute":"quit"}'
    p = subprocess.run(argv, input=qmp, capture_output=True, text=True, timeout=30)
    err = p.stderr.splitlines()
    first = err[0].replace(binary + ':', 'PROG:').replace(os.path.basename(binary) + ':',
                                                         'PROG:') if err else ''
    blocks, greeted = None, False
    for line in p.stdout.splitlines():
        msg = json.loads(line)
        greeted |= 'QMP' in msg
        if isinstance(msg.get('return'), list):
            blocks = msg['return']
    return first, blocks, greeted


def summary(blocks):
    if blocks is None:
        return None
    return [(re.sub(r'#block\d+', '#blockN', b['inserted']['node-name']),
             b['inserted']['detect_zeroes'], b['device']) for b in blocks]


class DriveOptionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not QEMU:
            raise unittest.SkipTest('qemu-system-x86_64 (Debian qemu-system-x86) is not installed')
        cls.dir = tempfile.mkdtemp(prefix='drive-options-')
        cls.img = os.path.join(cls.dir, 'r.raw')
        with open(cls.img, 'wb') as f:
            f.truncate(1 << 20)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def compare(self, args):
        mine = run(MINIVM, ['-accel', 'qtest'], args)
        theirs = run(QEMU, ['-accel', 'tcg', '-S'], args)
        self.assertEqual(mine[0], theirs[0])
        self.assertEqual(summary(mine[1]), summary(theirs[1]))
        self.assertEqual(mine[2], theirs[2], 'QMP greeting sent or not')

    def test_drive_keys(self):
        for opt in DRIVE_CASES:
            with self.subTest(opt=opt):
                self.compare(['-drive', 'if=none,id=d0,file=%s,format=raw,%s' % (self.img, opt)])

    def test_blockdev(self):
        for arg in BLOCKDEV_CASES:
            with self.subTest(arg=arg):
                self.compare(['-blockdev', arg.replace('IMG', self.img)])

    def test_memory_sizes(self):
        """-m as QEMU parses it: 0 is the default, small sizes work, bad ones explain
        the suffixes."""
        for m in ('0', '64k', '2G', 'bogus', '-5', '12Q', 'size=256M'):
            with self.subTest(m=m):
                self.compare(['-m', m])

    def test_names_shared_between_drives_and_nodes(self):
        node = ['-blockdev', 'driver=file,node-name=f0,filename=%s' % self.img]
        for args in (node + node,
                     node + ['-drive', 'if=none,id=f0,file=%s,format=raw' % self.img],
                     ['-drive', 'if=none,id=f0,file=%s,format=raw,readonly=on' % self.img,
                      '-blockdev', 'driver=file,node-name=f0,filename=%s,read-only=on' %
                      self.img]):
            with self.subTest(args=args):
                self.compare(args)


if __name__ == '__main__':
    MINIVM = sys.argv[1]
    unittest.main(argv=sys.argv[:1], verbosity=2)
