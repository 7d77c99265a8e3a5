#!/usr/bin/env python3
"""minivm-img info / map on qcow2 chains, against Debian's qemu-img: the same
images (made by qemu-img and qemu-io) give byte-identical output.

Covered: backing chains with relative and absolute names (--backing-chain,
human and JSON), internal snapshots, qemu-img map in both forms over data,
zero, unallocated and compressed clusters, v2 images, metadata and falloc
preallocation, raw files with holes, --start-offset/--max-length.
"""
import os
import shutil
import unittest

import iotests


class ImgQcow2ToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IMG or not iotests.QEMU_IO:
            raise unittest.SkipTest('Debian qemu-img/qemu-io (qemu-utils) is not installed')
        cls.dir = iotests.scratch_dir()
        d = cls.dir

        def qimg(*args):
            rc, out, err = iotests.run([iotests.QEMU_IMG] + list(args))
            assert rc == 0, err

        def qio(fmt, path, *cmds):
            argv = [iotests.QEMU_IO, '-f', fmt]
            for c in cmds:
                argv += ['-c', c]
            rc, out, err = iotests.run(argv + [path])
            assert rc == 0 and 'error' not in out + err, out + err

        cls.p = staticmethod(lambda name: os.path.join(d, name))
        qimg('create', '-q', '-f', 'raw', cls.p('base.raw'), '16M')
        qio('raw', cls.p('base.raw'), 'write -P 2 8M 4k')
        # mid names its backing file relatively, top absolutely
        qimg('create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', cls.p('mid.qcow2'))
        qimg('snapshot', '-c', 'snap1', cls.p('mid.qcow2'))
        qio('qcow2', cls.p('mid.qcow2'), 'write -P 1 0 64k')
        qimg('snapshot', '-c', 'snap2', cls.p('mid.qcow2'))
        qimg('create', '-q', '-f', 'qcow2', '-b', cls.p('mid.qcow2'), '-F', 'qcow2',
             cls.p('top.qcow2'))
        qio('qcow2', cls.p('top.qcow2'), 'write -P 1 1M 64k', 'write -z 2M 128k')
        qimg('convert', '-c', '-O', 'qcow2', cls.p('mid.qcow2'), cls.p('comp.qcow2'))
        qimg('create', '-q', '-f', 'qcow2', '-o', 'preallocation=metadata', cls.p('pm.qcow2'),
             '4M')
        qimg('create', '-q', '-f', 'qcow2', '-o', 'preallocation=falloc', cls.p('pf.qcow2'),
             '4M')
        qimg('create', '-q', '-f', 'qcow2', '-o', 'compat=0.10,cluster_size=512',
             cls.p('v2.qcow2'), '1M')
        qio('qcow2', cls.p('v2.qcow2'), 'write -P 3 0 1k', 'write -z 4k 2k')
        qimg('create', '-q', '-f', 'qcow2', cls.p('zeroes.qcow2'), '4M')
        qio('qcow2', cls.p('zeroes.qcow2'), 'write -z 0 64k', 'write -P 1 128k 4k',
            'write -z -u 256k 64k')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def same(self, args, cwd=None):
        """minivm-img and qemu-img with @args in @cwd: the same status and output."""
        got = []
        for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
            old = os.getcwd()
            os.chdir(cwd or old)
            try:
                rc, out, err = iotests.run([tool] + args)
            finally:
                os.chdir(old)
            got.append((rc, out, iotests.program_neutral(err, os.path.basename(tool))))
        self.assertEqual(got[0], got[1], args)
        return got[0]

    def test_info_backing_chain(self):
        for args in (['info', 'top.qcow2'], ['info', '--backing-chain', 'top.qcow2'],
                     ['info', '--output=json', '--backing-chain', 'top.qcow2'],
                     ['info', '--output=json', 'mid.qcow2'], ['info', 'mid.qcow2']):
            with self.subTest(args=args):
                rc, out, _ = self.same(args, cwd=self.dir)
                self.assertEqual(rc, 0)
        _, out, _ = self.same(['info', '--backing-chain', self.p('top.qcow2')])
        self.assertIn('backing file: base.raw (actual path: %s)' % self.p('base.raw'), out)
        self.assertIn('2         snap2', out)

    def test_map_human_and_json(self):
        for name in ('top.qcow2', 'mid.qcow2', 'base.raw', 'comp.qcow2', 'pm.qcow2',
                     'pf.qcow2', 'v2.qcow2', 'zeroes.qcow2'):
            for output in ('human', 'json'):
                with self.subTest(image=name, output=output):
                    self.same(['map', '--output=' + output, name], cwd=self.dir)
        _, out, _ = self.same(['map', '--output=json', 'top.qcow2'], cwd=self.dir)
        self.assertIn('"depth": 2', out)

    def test_map_ranges_and_errors(self):
        for args in (['map', '--start-offset', '1M', '--max-length', '3M', 'top.qcow2'],
                     ['map', '--output=json', '--start-offset', '20M', 'top.qcow2'],
                     ['map', '-f', 'raw', 'base.raw'], ['map', '--output=xml', 'top.qcow2'],
                     ['map', 'no-such-file'], ['map']):
            with self.subTest(args=args):
                self.same(args, cwd=self.dir)


if __name__ == '__main__':
    unittest.main(verbosity=2)
