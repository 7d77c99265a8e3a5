#!/usr/bin/env python3
"""qcow2 interoperability with Debian's qemu-img/qemu-io as the oracle:
images made by either tool are read and written by the other, pass
`qemu-img check` and compare equal to a raw shadow written the same way;
damaged images give clear errors, never a crash.
"""
import os
import random
import shutil
import struct
import unittest

import iotests

MIB = 1024 * 1024


class Qcow2InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not iotests.QEMU_IMG or not iotests.QEMU_IO:
            raise unittest.SkipTest('Debian qemu-img/qemu-io (qemu-utils) are not installed')
        cls.dir = os.path.abspath(iotests.scratch_dir())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def ok(self, argv):
        rc, out, err = iotests.run(argv)
        self.assertEqual(rc, 0, '%s failed: %s%s' % (' '.join(argv), out, err))
        return out

    def mio(self, fmt, img, cmds):
        return self.ok([iotests.MINIVM_IO, '-f', fmt, '-t', 'writeback'] +
                       sum((['-c', c] for c in cmds), []) + [img])

    def qemu_check(self, img):
        out = self.ok([iotests.QEMU_IMG, 'check', '-f', 'qcow2', img])
        self.assertIn('No errors were found on the image.', out)

    def qemu_compare(self, img, raw):
        out = self.ok([iotests.QEMU_IMG, 'compare', '-f', 'qcow2', '-F', 'raw', img, raw])
        self.assertIn('Images are identical.', out)

    def test_create_matches_qemu_img_bytes(self):
        # Where one refcount block describes the new image, the layout is QEMU's to the byte.
        for opts in ('', 'cluster_size=2M', 'cluster_size=4k', 'compat=0.10',
                     'refcount_bits=1', 'refcount_bits=64,cluster_size=4k', 'lazy_refcounts=on',
                     'compression_type=zstd'):
            with self.subTest(opts=opts):
                files = []
                for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
                    f = self.path('c-%s.qcow2' % os.path.basename(tool))
                    argv = [tool, 'create', '-q', '-f', 'qcow2'] + (['-o', opts] if opts else [])
                    self.ok(argv + [f, '1G'])
                    with open(f, 'rb') as fh:
                        files.append(fh.read())
                self.assertEqual(files[0], files[1])

    def test_create_small_clusters_consistent(self):
        # QEMU grows the L1 table after writing the header, which moves it
        # around; minivm lays out in one go.  Both must be valid and equal in use.
        for opts in ('cluster_size=512', 'cluster_size=512,refcount_bits=64',
                     'cluster_size=1k,refcount_bits=2'):
            with self.subTest(opts=opts):
                img = self.path('small.qcow2')
                self.ok([iotests.MINIVM_IMG, 'create', '-q', '-f', 'qcow2', '-o', opts, img,
                         '1G'])
                self.qemu_check(img)
                self.mio('qcow2', img, ['write -P 9 1000 5000', 'write -P 8 1073737728 4096'])
                self.qemu_check(img)
                out = self.ok([iotests.QEMU_IO, '-c', 'read -P 9 1000 5000', '-c',
                               'read -P 8 1073737728 4096', '-c', 'read -P 0 0 1000', img])
                self.assertNotIn('verification failed', out)

    def test_formatting_line_matches(self):
        outs = []
        for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
            base = self.path('fb-%s.qcow2' % os.path.basename(tool))
            self.ok([tool, 'create', '-q', '-f', 'qcow2', base, '1M'])
            out = self.ok([tool, 'create', '-f', 'qcow2', '-b', base, '-F', 'qcow2',
                           '-o', 'compat=0.10', self.path('fo.qcow2')])
            outs.append(out.replace(base, 'BASE'))
        self.assertEqual(outs[0], outs[1])

    def random_workload(self, img, raw, size, cluster, seed, batches=4, ops=25):
        rnd = random.Random(seed)
        for _ in range(batches):
            cmds = []
            for _ in range(ops):
                kind = rnd.random()
                if kind < 0.6:
                    off = rnd.randrange(0, size - 1)
                    ln = rnd.randrange(1, min(size - off, 3 * cluster) + 1)
                    cmds.append('write -P %d %d %d' % (rnd.randrange(1, 255), off, ln))
                elif kind < 0.8:
                    off = rnd.randrange(0, size - 1)
                    ln = rnd.randrange(1, min(size - off, 3 * cluster) + 1)
                    cmds.append('write -z %d %d' % (off, ln))
                else:
                    # whole clusters: raw's punch-hole and qcow2's discard agree there
                    c = rnd.randrange(0, size // cluster)
                    n = rnd.randrange(1, min(4, size // cluster - c) + 1)
                    cmds.append('write -z %d %d' % (c * cluster, n * cluster) if rnd.random() < .5
                                else 'discard %d %d' % (c * cluster, n * cluster))
            self.mio('qcow2', img, cmds)
            self.mio('raw', raw, ['write -z ' + c.split(' ', 1)[1] if c.startswith('discard')
                                  else c for c in cmds])
            self.qemu_check(img)
            self.qemu_compare(img, raw)

    def test_minivm_writes_qemu_images(self):
        for i, opts in enumerate(('cluster_size=65536', 'cluster_size=512', 'cluster_size=4k,'
                                  'refcount_bits=1', 'compat=0.10', 'refcount_bits=64',
                                  'cluster_size=2M', 'lazy_refcounts=on')):
            with self.subTest(opts=opts):
                img, raw = self.path('w%d.qcow2' % i), self.path('w%d.raw' % i)
                cluster = 65536
                for o in opts.split(','):
                    if o.startswith('cluster_size='):
                        v = o.split('=')[1]
                        cluster = int(v[:-1]) * {'k': 1024, 'M': MIB}[v[-1]] if v[-1] in 'kM' \
                            else int(v)
                size = 4 * MIB if cluster < 2 * MIB else 16 * MIB
                self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', '-o', opts, img,
                         str(size)])
                iotests.make_image(raw, size)
                self.random_workload(img, raw, size, cluster, seed=i,
                                     batches=3 if cluster > 512 else 2)

    def test_reftable_growth(self):
        # 512-byte clusters with 64-bit refcounts: a refblock covers 8 clusters,
        # so a few hundred KiB of data grow the reftable several times.
        img, raw = self.path('grow.qcow2'), self.path('grow.raw')
        self.ok([iotests.MINIVM_IMG, 'create', '-q', '-f', 'qcow2', '-o',
                 'cluster_size=512,refcount_bits=64', img, '8M'])
        iotests.make_image(raw, 8 * MIB)
        cmds = ['write -P %d %d 4096' % (i % 250 + 1, i * 9000) for i in range(200)]
        self.mio('qcow2', img, cmds)
        self.mio('raw', raw, cmds)
        self.qemu_check(img)
        self.qemu_compare(img, raw)

    def test_qemu_reads_minivm_images(self):
        img = self.path('m.qcow2')
        self.ok([iotests.MINIVM_IMG, 'create', '-q', '-f', 'qcow2', img, '16M'])
        self.mio('qcow2', img, ['write -P 0x11 0 100k', 'write -P 0x22 5M 1M',
                                'write -z 16k 16k', 'discard 5M 64k'])
        self.qemu_check(img)
        out = self.ok([iotests.QEMU_IO, '-f', 'qcow2', '-c', 'read -P 0x11 0 16k',
                       '-c', 'read -P 0 16k 16k', '-c', 'read -P 0x11 32k 68k',
                       '-c', 'read -P 0 5M 64k', '-c', 'read -P 0x22 5184k 960k', img])
        self.assertNotIn('verification failed', out)

    def test_compressed_images(self):
        raw = self.path('comp.raw')
        with open(raw, 'wb') as f:
            for i in range(64):
                f.write(bytes([i + 1]) * 32768 + os.urandom(8) * 4096)
        for ctype in ('zlib', 'zstd'):
            with self.subTest(compression=ctype):
                img = self.path('comp-%s.qcow2' % ctype)
                self.ok([iotests.QEMU_IMG, 'convert', '-c', '-O', 'qcow2', '-o',
                         'compression_type=' + ctype, '-f', 'raw', raw, img])
                out = self.ok([iotests.QEMU_IMG, 'check', img])
                self.assertIn('compressed clusters', out)
                self.assertNotIn(' 0.00% compressed', out)
                cmds = ['read -P %d %d 32768' % (i + 1, i * 65536) for i in range(64)]
                out = self.mio('qcow2', img, cmds)
                self.assertNotIn('verification failed', out)
                # Overwriting part of a compressed cluster rewrites it as a normal one.
                copy = self.path('comp-%s.raw' % ctype)
                shutil.copy(raw, copy)
                self.mio('qcow2', img, ['write -P 0xee 70000 1000'])
                self.mio('raw', copy, ['write -P 0xee 70000 1000'])
                self.qemu_check(img)
                self.qemu_compare(img, copy)

    def test_backing_chains_both_ways(self):
        base = self.path('base.qcow2')
        self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', base, '4M'])
        self.ok([iotests.QEMU_IO, '-f', 'qcow2', '-c', 'write -P 0x33 0 4M', base])
        expect = self.path('chain.raw')
        with open(expect, 'wb') as f:
            f.write(b'\x33' * 4 * MIB + b'\0' * 4 * MIB)
        for maker in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
            with self.subTest(maker=os.path.basename(maker)):
                top = self.path('top-%s.qcow2' % os.path.basename(maker))
                # relative name, resolved against the overlay's directory; larger than base
                self.ok([maker, 'create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F',
                         'qcow2', top, '8M'])
                self.mio('qcow2', top, ['write -P 0x44 1000 2000', 'write -P 0x55 4190000 10000'])
                copy = self.path('chain-exp.raw')
                shutil.copy(expect, copy)
                self.mio('raw', copy, ['write -P 0x44 1000 2000', 'write -P 0x55 4190000 10000'])
                self.qemu_check(top)
                self.qemu_compare(top, copy)
                out = self.mio('qcow2', top, ['read -P 0x33 0 1000', 'read -P 0x44 1000 2000',
                                              'read -P 0x33 3000 62536',
                                              'read -P 0 4200000 100000'])
                self.assertNotIn('verification failed', out)

    def expect_open_error(self, img, text, readonly=True):
        argv = [iotests.MINIVM_IO, '-f', 'qcow2'] + (['-r'] if readonly else []) + \
               ['-c', 'read 0 512', img]
        rc, out, err = iotests.run(argv)
        self.assertEqual(rc, 1, out + err)
        self.assertIn(text, out + err)

    def patch(self, img, offset, data):
        with open(img, 'r+b') as f:
            f.seek(offset)
            f.write(data)

    def test_preallocation(self):
        """create -o preallocation=metadata|falloc|full: as qemu-img's in what the map
        says per cluster (allocated, zero, data), disk use and file length; metadata
        with the default cluster size byte for byte; the image works both ways."""
        import json
        def per_cluster(img, cl):
            out = self.ok([iotests.QEMU_IMG, 'map', '--output=json', img])
            cells = []
            for e in json.loads(out):
                cells += [(e['present'], e['zero'], e['data'])] * (e['length'] // cl)
            return cells
        for opts, cl in (('preallocation=metadata', 65536), ('preallocation=falloc', 65536),
                         ('preallocation=full', 65536),
                         ('preallocation=metadata,cluster_size=4k', 4096),
                         ('preallocation=full,cluster_size=4k', 4096),
                         ('preallocation=metadata,compat=0.10', 65536),
                         ('preallocation=falloc,cluster_size=2M', 2 << 20)):
            with self.subTest(opts=opts):
                imgs = []
                for tool in (iotests.MINIVM_IMG, iotests.QEMU_IMG):
                    img = self.path('pre-%s.qcow2' % os.path.basename(tool))
                    self.ok([tool, 'create', '-q', '-f', 'qcow2', '-o', opts, img, '20M'])
                    self.qemu_check(img)
                    imgs.append(img)
                mine, theirs = imgs
                self.assertEqual(per_cluster(mine, cl), per_cluster(theirs, cl))
                self.assertEqual(os.path.getsize(mine), os.path.getsize(theirs))
                used = os.stat(mine).st_blocks * 512
                if 'metadata' in opts:
                    self.assertLess(used, 1 << 20)
                else:
                    self.assertGreaterEqual(used, 20 << 20)
                if opts == 'preallocation=metadata':
                    with open(mine, 'rb') as a, open(theirs, 'rb') as b:
                        self.assertTrue(a.read() == b.read(), 'not byte-identical')
                self.ok([iotests.QEMU_IO, '-f', 'qcow2', '-c', 'write -P 7 1M 64k', mine])
                out = self.mio('qcow2', mine, ['read -P 7 1M 64k', 'read -P 0 0 1M'])
                self.assertNotIn('verification failed', out)
                self.qemu_check(mine)
        # growing an image preallocates only the new part (truncate -m), as qemu-io does
        maps = []
        for tool in (iotests.MINIVM_IO, iotests.QEMU_IO):
            img = self.path('grow-%s.qcow2' % os.path.basename(tool))
            self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', img, '1M'])
            self.ok([tool, '-f', 'qcow2', '-c', 'write -P 3 0 64k', '-c',
                     'truncate -m metadata 8M', img])
            self.qemu_check(img)
            maps.append(per_cluster(img, 65536))
        self.assertEqual(maps[0], maps[1])
        self.assertEqual(maps[0], [(True, False, True)] + [(False, True, False)] * 15 +
                         [(True, True, True)] * 112)

    def test_concurrent_writes(self):
        """Many requests in flight at once (aio_write, thread pool and io_uring):
        allocating writes to the same new cluster, to clusters over a backing
        file, then in-place rewrites and zero writes, all racing; the result
        must equal a shadow and pass qemu-img check."""
        rnd = random.Random(7)
        size, cl = 4 * MIB, 64 * 1024
        for aio in ('threads', 'io_uring'):
            with self.subTest(aio=aio):
                base = self.path('cc-base-%s.raw' % aio)
                img = self.path('cc-%s.qcow2' % aio)
                with open(base, 'wb') as f:
                    f.write(b'\x11' * size)
                self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', '-b', base,
                         '-F', 'raw', img])
                shadow = bytearray(b'\x11' * size)
                cmds = []
                # three rounds; inside a round the ranges are disjoint, so the
                # outcome does not depend on completion order
                for rnd_no, pat in ((0, 0x20), (1, 0x40), (2, 0x60)):
                    slots = list(range(size // 4096))
                    rnd.shuffle(slots)
                    for i, slot in enumerate(slots[:48]):
                        off, p = slot * 4096, pat + i
                        if rnd_no == 2 and i % 8 == 0:
                            cmds.append('aio_write -z %d 4096' % off)
                            shadow[off:off + 4096] = bytes(4096)
                        else:
                            cmds.append('aio_write -P %d %d 4096' % (p, off))
                            shadow[off:off + 4096] = bytes([p]) * 4096
                    cmds.append('aio_flush')
                self.ok([iotests.MINIVM_IO, '-f', 'qcow2', '-t', 'none', '-i', aio] +
                        sum((['-c', c] for c in cmds), []) + [img])
                self.qemu_check(img)
                raw = self.path('cc-out-%s.raw' % aio)
                self.ok([iotests.QEMU_IMG, 'convert', '-f', 'qcow2', '-O', 'raw', img, raw])
                with open(raw, 'rb') as f:
                    got = f.read()
                self.assertEqual(len(got), size)
                for o in range(0, size, cl):
                    self.assertTrue(got[o:o + cl] == shadow[o:o + cl], 'cluster at %d' % o)

    def test_detect_zeroes(self):
        """detect-zeroes=unmap (with discard=unmap) and =on turn buffers of zeroes into
        zero writes: the resulting map equals qemu-io's on the same script."""
        maps = []
        for tool in (iotests.MINIVM_IO, iotests.QEMU_IO):
            img = self.path('dz-%s.qcow2' % os.path.basename(tool))
            self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', img, '1M'])
            self.ok([tool, '--image-opts', '-c', 'write -P 1 0 128k', '-c', 'write -P 0 0 64k',
                     '-c', 'write -P 0 64k 4k',
                     'driver=qcow2,file.filename=%s,detect-zeroes=unmap,discard=unmap' % img])
            self.ok([tool, '--image-opts', '-c', 'write -P 0 128k 64k',
                     'driver=qcow2,file.filename=%s,detect-zeroes=on' % img])
            self.qemu_check(img)
            maps.append(self.ok([iotests.QEMU_IMG, 'map', '--output=json', img]))
        self.assertEqual(maps[0], maps[1])
        self.assertIn('"start": 0, "length": 65536, "depth": 0, "present": true, "zero": true, '
                      '"data": false', maps[0])

    def test_damaged_images(self):
        good = self.path('good.qcow2')
        self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', good, '1M'])
        self.ok([iotests.QEMU_IO, '-f', 'qcow2', '-c', 'write 0 64k', good])
        cases = [
            ('empty', lambda p: os.truncate(p, 0), 'Image is not in qcow2 format'),
            ('truncated', lambda p: os.truncate(p, 50), 'qcow2 header too short'),
            ('version', lambda p: self.patch(p, 4, struct.pack('>I', 9)),
             'Unsupported qcow2 version 9'),
            ('cluster bits', lambda p: self.patch(p, 20, struct.pack('>I', 30)),
             'Unsupported cluster size: 2^30'),
            ('l1 offset', lambda p: self.patch(p, 40, struct.pack('>Q', 0x30001)),
             'Active L1 table offset invalid'),
            ('l1 size', lambda p: self.patch(p, 36, struct.pack('>I', 1 << 30)),
             'Active L1 table too large'),
            ('incompat', lambda p: self.patch(p, 72, struct.pack('>Q', 1 << 40)),
             'Unsupported qcow2 feature(s): Unknown incompatible feature: 10000000000'),
            ('extended l2', lambda p: self.patch(p, 72, struct.pack('>Q', 1 << 4)),
             'Unsupported qcow2 feature(s): extended L2 entries'),
        ]
        for name, damage, text in cases:
            with self.subTest(case=name):
                img = self.path('bad.qcow2')
                shutil.copy(good, img)
                damage(img)
                self.expect_open_error(img, text)

    def test_reftable_past_eof(self):
        """A refcount table past the end of the file reads as zeroes, so every cluster
        looks free: a write must stop with QEMU's corruption message and leave the
        same bytes as qemu-io does, not retry for ever or write over the header."""
        results = []
        for tool in (iotests.MINIVM_IO, iotests.QEMU_IO):
            img = self.path('rtpast-%s.qcow2' % os.path.basename(tool))
            self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', img, '16M'])
            self.patch(img, 48, struct.pack('>Q', 0x10000000))
            rc, out, err = iotests.run([tool, '-f', 'qcow2', '-c', 'write 0 64k', img],
                                       timeout=30)
            with open(img, 'rb') as f:
                results.append((rc, out, err, f.read()))
        self.assertEqual(results[0][:3], results[1][:3])
        self.assertIn('Preventing invalid allocation of L2 table at offset 0', results[0][2])
        self.assertTrue(results[0][3] == results[1][3], 'the images differ')

    def test_bad_l2_entries_give_io_errors(self):
        img = self.path('badl2.qcow2')
        self.ok([iotests.QEMU_IMG, 'create', '-q', '-f', 'qcow2', img, '1M'])
        self.ok([iotests.QEMU_IO, '-f', 'qcow2', '-c', 'write 0 64k', img])
        with open(img, 'rb') as f:
            hdr = f.read(48)
        l1_off = struct.unpack('>Q', hdr[40:48])[0]
        with open(img, 'rb') as f:
            f.seek(l1_off)
            l2_off = struct.unpack('>Q', f.read(8))[0] & 0x00fffffffffffe00
        # The L2 entry points at the header: reading it must fail cleanly.
        for entry, text in ((0x8000000000000200, 'unaligned'),
                            (0x8000000000000000 | (1 << 57), 'Invalid L2 entry')):
            with self.subTest(entry=hex(entry)):
                self.patch(img, l2_off, struct.pack('>Q', entry))
                rc, out, err = iotests.run([iotests.MINIVM_IO, '-f', 'qcow2', '-r', '-c',
                                            'read 0 512', img])
                self.assertEqual(rc, 1)
                self.assertIn('qcow2: Image is corrupt', err)
        # A writable open marks the image corrupt; afterwards it opens read-only only.
        self.patch(img, l2_off, struct.pack('>Q', 0x8000000000000000 | (1 << 57)))
        rc, out, err = iotests.run([iotests.MINIVM_IO, '-f', 'qcow2', '-c', 'write 0 512', img])
        self.assertEqual(rc, 1)
        self.assertIn('qcow2: Marking image as corrupt', err)
        self.expect_open_error(img, 'qcow2: Image is corrupt; cannot be opened read/write',
                               readonly=False)
        out = self.ok([iotests.QEMU_IMG, 'info', img])
        self.assertIn('corrupt: true', out)


if __name__ == '__main__':
    unittest.main(verbosity=2)
