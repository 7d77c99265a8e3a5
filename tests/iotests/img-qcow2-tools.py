#!/usr/bin/env python3
"""minivm-img info / map on qcow2 chains, against Debian's qemu-img: the same
images (made by qemu-img and qemu-io) give byte-identical output.

Covered: backing chains with relative and absolute names (--backing-chain,
human and JSON), internal snapshots, qemu-img map in both forms over data,
zero, unallocated and compressed clusters, v2 images, metadata and falloc
preallocation, raw files with holes, --start-offset/--max-length; and
convert, whose output must compare equal (qemu-img compare) and pass
qemu-img check, stay sparse where qemu-img's does, and fail with qemu-img's
messages.
"""
import os
import subprocess
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

    def qemu_img(self, *args):
        return iotests.run([iotests.QEMU_IMG] + list(args))

    def test_convert_matrix(self):
        targets = [('raw', []), ('qcow2', []), ('qcow2', ['-c']),
                   ('qcow2', ['-c', '-o', 'compression_type=zstd']),
                   ('qcow2', ['-o', 'cluster_size=4k,compat=0.10']), ('raw', ['-S', '0']),
                   ('qcow2', ['-S', '64k'])]
        for src in ('top.qcow2', 'base.raw', 'comp.qcow2', 'v2.qcow2', 'zeroes.qcow2'):
            for fmt, extra in targets:
                with self.subTest(src=src, fmt=fmt, extra=extra):
                    dst = self.p('conv.' + fmt)
                    if os.path.exists(dst):
                        os.unlink(dst)
                    rc, out, err = iotests.run([iotests.MINIVM_IMG, 'convert', '-O', fmt] +
                                               extra + [self.p(src), dst])
                    self.assertEqual((rc, out, err), (0, '', ''))
                    rc, out, err = self.qemu_img('compare', self.p(src), dst)
                    self.assertEqual(rc, 0, out + err)
                    if fmt == 'qcow2':
                        rc, out, err = self.qemu_img('check', dst)
                        self.assertEqual(rc, 0, out + err)

    def test_convert_sparseness_like_qemu_img(self):
        """Zeroes stay holes (or unallocated clusters) unless -S 0 asks otherwise."""
        for extra in ([], ['-S', '0'], ['-O', 'qcow2']):
            sizes = []
            for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
                dst = self.p('sparse-' + os.path.basename(tool))
                if os.path.exists(dst):
                    os.unlink(dst)
                rc, _, err = iotests.run([tool, 'convert'] + extra + [self.p('top.qcow2'), dst])
                self.assertEqual(rc, 0, err)
                sizes.append(os.stat(dst).st_blocks * 512)
            # the same allocation within a few clusters of metadata
            self.assertLess(abs(sizes[0] - sizes[1]), 256 * 1024, (extra, sizes))
            if extra == ['-S', '0']:
                self.assertGreaterEqual(sizes[0], 16 << 20)
            else:
                self.assertLess(sizes[0], 1 << 20)

    def test_convert_with_backing_file(self):
        """-B: what the source's top does not allocate stays with the new backing file."""
        dst = self.p('onmid.qcow2')
        rc, out, err = iotests.run([iotests.MINIVM_IMG, 'convert', '-O', 'qcow2', '-B',
                                    self.p('mid.qcow2'), '-F', 'qcow2', self.p('top.qcow2'), dst])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.qemu_img('compare', self.p('top.qcow2'), dst)[0], 0)
        rc, out, _ = self.qemu_img('map', '--output=json', dst)
        self.assertIn('"depth": 1', out)
        rc, out, _ = self.qemu_img('info', dst)
        self.assertIn('backing file: %s' % self.p('mid.qcow2'), out)

    def test_convert_progress(self):
        dst = self.p('progress.raw')
        # bytes, not text: universal newlines would turn the progress line's \r into \n
        p = subprocess.run([iotests.MINIVM_IMG, 'convert', '-p', self.p('top.qcow2'), dst],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(b'    (0.00/100%)\r'), repr(p.stdout))
        self.assertTrue(p.stdout.endswith(b'    (100.00/100%)\r\n'), repr(p.stdout))
        rc, out, err = iotests.run([iotests.MINIVM_IMG, 'convert', '-p', '-q',
                                    self.p('top.qcow2'), dst])
        self.assertEqual((rc, out), (0, ''))

    def test_convert_errors_like_qemu_img(self):
        open(self.p('exists.raw'), 'wb').close()
        for args in (['convert'], ['convert', 'top.qcow2'], ['convert', 'nofile', 'x.raw'],
                     ['convert', '-O', 'bogus', 'top.qcow2', 'x1'],
                     ['convert', '-c', '-O', 'raw', 'top.qcow2', 'x2'],
                     ['convert', '-O', 'qcow2', '-o', 'cluster_size=3', 'top.qcow2', 'x3'],
                     ['convert', '-S', '3000', 'top.qcow2', 'x4'],
                     ['convert', '-t', 'bogus', 'top.qcow2', 'x5'],
                     ['convert', '-T', 'bogus', 'top.qcow2', 'x6'],
                     ['convert', '-n', 'top.qcow2', 'nonexist.raw'],
                     ['convert', '-n', 'top.qcow2', 'exists.raw'],
                     ['convert', '-n', '-o', 'size=1M', 'top.qcow2', 'x7'],
                     ['convert', '-O', 'qcow2', '-B', 'mid.qcow2', 'top.qcow2', 'x8'],
                     ['convert', '--target-is-zero', 'top.qcow2', 'x9'],
                     ['convert', '-B', 'mid.qcow2', '-F', 'qcow2', 'top.qcow2', 'base.raw',
                      'x10']):
            with self.subTest(args=args):
                rc, _, _ = self.same(args, cwd=self.dir)
                self.assertNotEqual(rc, 0)

    def test_map_ranges_and_errors(self):
        for args in (['map', '--start-offset', '1M', '--max-length', '3M', 'top.qcow2'],
                     ['map', '--output=json', '--start-offset', '20M', 'top.qcow2'],
                     ['map', '-f', 'raw', 'base.raw'], ['map', '--output=xml', 'top.qcow2'],
                     ['map', 'no-such-file'], ['map']):
            with self.subTest(args=args):
                self.same(args, cwd=self.dir)


if __name__ == '__main__':
    unittest.main(verbosity=2)
