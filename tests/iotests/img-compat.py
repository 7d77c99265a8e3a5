#!/usr/bin/env python3
"""minivm-img create / info / bench against Debian's qemu-img: the same
commands give the same output (bench timings aside) and create the same
files.
"""
import os
import shutil
import unittest

import iotests


class ImgCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IMG:
            raise unittest.SkipTest('Debian qemu-img (qemu-utils) is not installed')
        cls.dir = iotests.scratch_dir()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def both(self, args, files=()):
        """Run minivm-img and qemu-img with @args; FILE<n> names a fresh path per tool."""
        results = []
        for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
            prog = os.path.basename(tool)
            paths = [os.path.join(self.dir, '%s-%s' % (prog, f)) for f in files]
            argv = [tool]
            for a in args:
                for i, p in enumerate(paths):
                    a = a.replace('FILE%d' % i, p)
                argv.append(a)
            rc, out, err = iotests.run(argv)
            for i, p in enumerate(paths):
                out, err = out.replace(p, 'FILE%d' % i), err.replace(p, 'FILE%d' % i)
            stat = []
            for p in paths:
                st = os.stat(p) if os.path.exists(p) else None
                stat.append(st and (st.st_size, st.st_blocks > 0))
            results.append((rc, iotests.filter_timing(out),
                            iotests.program_neutral(err, prog), stat))
        self.assertEqual(results[0], results[1])
        return results[0]

    def test_create_raw_sizes(self):
        for size in ('1M', '1.5G', '0', '512', '1000', '4k', '64K', '2T', '1024b'):
            with self.subTest(size=size):
                rc, out, _, _ = self.both(['create', '-f', 'raw', 'FILE0', size], ['c.raw'])
                self.assertEqual(rc, 0)
                self.assertTrue(out.startswith("Formatting 'FILE0', fmt=raw size="), out)

    def test_create_options(self):
        self.both(['create', '-f', 'raw', '-o', 'size=4k', 'FILE0'], ['o.raw'])
        self.both(['create', '-q', '-f', 'raw', 'FILE0', '1M'], ['q.raw'])
        self.both(['create', 'FILE0', '1M'], ['d.raw'])
        self.both(['create', '-f', 'raw', '-o', 'size=1M,preallocation=full', 'FILE0'],
                  ['p.raw'])
        self.both(['create', '-f', 'raw', '-o', 'preallocation=falloc', 'FILE0', '64k'],
                  ['f.raw'])
        self.both(['create', '-f', 'nosuchfmt', 'FILE0', '1M'], ['u.raw'])

    def test_create_qcow2_checks(self):
        """qcow2 create's argument checks in qemu-img's order and words."""
        for args in (['-o', 'preallocation=bogus', 'FILE0', '1M'],
                     ['-o', 'size=1M', 'FILE0', '2M'],
                     ['-o', 'backing_file=nosuch,backing_fmt=raw', 'FILE0', '1M'],
                     ['-u', '-o', 'backing_file=nosuch,backing_fmt=raw', 'FILE0', '1M'],
                     ['-u', '-b', 'nosuch', '-F', 'raw', 'FILE0'],
                     ['-b', 'nosuch', '-F', 'raw', 'FILE0'],
                     ['-o', 'preallocation=metadata', 'FILE0', '3M'],
                     ['-o', 'preallocation=full,cluster_size=4k', 'FILE0', '3M']):
            with self.subTest(args=args):
                self.both(['create', '-f', 'qcow2'] + args, ['q.qcow2'])

    def info_both(self, path, *args):
        outs = []
        for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
            rc, out, err = iotests.run([tool, 'info'] + list(args) + [path])
            outs.append((rc, out, iotests.program_neutral(err, os.path.basename(tool))))
        self.assertEqual(outs[0], outs[1])
        return outs[0]

    def test_info_on_the_same_files(self):
        cases = {
            'sparse.raw': None, 'written.raw': 0x5a, 'empty.raw': 0, 'odd.raw': None,
        }
        for name, fill in cases.items():
            path = os.path.join(self.dir, name)
            size = {'empty.raw': 0, 'odd.raw': 1000}.get(name, 3 << 20)
            iotests.make_image(path, size, fill if size else None)
            for args in ([], ['-f', 'raw'], ['--output=json'], ['--output=human', '-U'],
                         ['-f', 'raw', '--output=json', '--backing-chain'],
                         ['--backing-chain']):
                with self.subTest(image=name, args=args):
                    rc, out, _ = self.info_both(path, *args)
                    self.assertEqual(rc, 0)
        rc, out, _ = self.info_both('driver=raw,file.filename=%s' % path, '--image-opts')
        self.assertEqual(rc, 0)

    def test_bench_output_lines(self):
        image = os.path.join(self.dir, 'bench.raw')
        iotests.make_image(image, 4 << 20)
        for args in (['-c', '100', '-d', '4'],
                     ['-w', '-c', '100', '-d', '4', '--flush-interval=50'],
                     ['-w', '-c', '64', '-d', '8', '--flush-interval=8', '--no-drain'],
                     ['-c', '100', '-t', 'none', '-i', 'native', '-o', '4k', '-s', '1k',
                      '-S', '8k', '--pattern=3'],
                     ['-c', '50', '-i', 'io_uring', '-q', '-U'],
                     ['-w', '-c', '100', '-t', 'directsync', '-d', '1', '-S', '12k'],
                     ['-c', '20', '-s', '1M', '-o', '3M']):
            with self.subTest(args=args):
                outs = []
                for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
                    rc, out, err = iotests.run([tool, 'bench', '-f', 'raw'] + args + [image])
                    outs.append((rc, iotests.filter_timing(out),
                                 iotests.program_neutral(err, os.path.basename(tool))))
                self.assertEqual(outs[0], outs[1])
                self.assertEqual(outs[0][0], 0, outs[0])
                self.assertIn('Run completed in X seconds.', outs[0][1])


if __name__ == '__main__':
    iotests.main()
