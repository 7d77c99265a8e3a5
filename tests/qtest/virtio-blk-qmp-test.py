#!/usr/bin/env python3
"""virtio-blk and QMP: query-block for a virtio-blk-pci drive has the shape
and values Debian's QEMU 7.2 gives for the same command line (-drive,
-blockdev, -snapshot), and the guest's writeback byte (toggled over qtest by
a minimal virtio driver) shows in query-block's cache.writeback, a device
reset restoring it.  Guest writes survive a QMP quit without a flush.

usage: virtio-blk-qmp-test.py MINIVM
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

DEVFN = 4 << 3
BAR4 = 0xfe000000


class Machine:
    count = 0

    def __init__(self, argv, tmp, qtest):
        Machine.count += 1
        self.qmp_path = os.path.join(tmp, 'qmp%d.sock' % Machine.count)
        self.qt = None
        extra = ['-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        if qtest:
            qt_path = os.path.join(tmp, 'qtest%d.sock' % Machine.count)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(qt_path)
            listener.listen(1)
            extra += ['-qtest', 'unix:' + qt_path]
        self.proc = subprocess.Popen(argv + extra, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        if qtest:
            listener.settimeout(30)
            self.qt, _ = listener.accept()
            listener.close()
            self.qbuf = b''
        for _ in range(300):
            if os.path.exists(self.qmp_path):
                break
            time.sleep(0.05)
        self.qmp = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for attempt in range(200):     # bind() makes the file, listen() follows
            try:
                self.qmp.connect(self.qmp_path)
                break
            except ConnectionRefusedError:
                if attempt == 199:
                    raise
                time.sleep(0.01)
        self.qmp_file = self.qmp.makefile('r')
        assert 'QMP' in json.loads(self.qmp_file.readline())
        assert 'return' in self.execute('qmp_capabilities')

    def execute(self, cmd, **args):
        msg = {'execute': cmd}
        if args:
            msg['arguments'] = args
        self.qmp.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            reply = json.loads(self.qmp_file.readline())
            if 'event' not in reply:
                return reply

    def cmd(self, line):
        self.qt.sendall(line.encode() + b'\n')
        while True:
            while b'\n' not in self.qbuf:
                self.qbuf += self.qt.recv(4096)
            reply, self.qbuf = self.qbuf.split(b'\n', 1)
            if not reply.startswith(b'IRQ'):
                break
        assert reply.startswith(b'OK'), (line, reply)
        return reply[3:].decode()

    def cfg(self, off, size, val=None):
        self.cmd('outl 0xcf8 0x%x' % (0x80000000 | DEVFN << 8 | off & 0xfc))
        sfx = {1: 'b', 2: 'w', 4: 'l'}[size]
        if val is None:
            return int(self.cmd('in%s 0x%x' % (sfx, 0xcfc + (off & 3))), 0)
        self.cmd('out%s 0x%x 0x%x' % (sfx, 0xcfc + (off & 3), val))

    def mem(self, size, addr, val=None):
        if val is None:
            return int(self.cmd('read%s 0x%x' % (size, addr)), 0)
        self.cmd('write%s 0x%x 0x%x' % (size, addr, val))

    def quit(self):
        self.execute('quit')
        self.proc.wait(30)


def query_block(m):
    r = m.execute('query-block')
    assert 'return' in r, r
    assert len(r['return']) == 1, r
    return r['return'][0]


def virtio_setup(m, features):
    """Find the capabilities, map BAR4, negotiate @features; returns (common, device)."""
    m.cfg(0x20, 4, BAR4)
    m.cfg(0x24, 4, 0)
    m.cfg(0x04, 2, 0x6)
    caps = {}
    p = m.cfg(0x34, 1)
    while p:
        if m.cfg(p, 1) == 0x09:
            caps[m.cfg(p + 3, 1)] = m.cfg(p + 8, 4)
        p = m.cfg(p + 1, 1)
    common, device = BAR4 + caps[1], BAR4 + caps[4]
    m.mem('b', common + 20, 0)
    m.mem('b', common + 20, 3)
    for sel in (0, 1):
        m.mem('l', common + 8, sel)
        m.mem('l', common + 12, (features >> (32 * sel)) & 0xffffffff)
    m.mem('b', common + 20, 11)
    assert m.mem('b', common + 20) == 11
    m.mem('b', common + 20, 15)
    return common, device


def queue_io(m, common, reqs):
    """Set up queue 0 and run (type, sector, len, data_in) requests one at a time."""
    desc, avail, used, hdr, data, status = 0x100000, 0x101000, 0x102000, 0x200000, 0x210000, 0x2f0000
    m.mem('w', common + 22, 0)
    m.mem('w', common + 24, 16)
    for off, addr in ((32, desc), (40, avail), (48, used)):
        m.mem('l', common + off, addr)
        m.mem('l', common + off + 4, 0)
    m.mem('w', common + 28, 1)
    notify = BAR4 + 0x3000 + 4 * m.mem('w', common + 30)
    for n, (t, sector, length, data_in) in enumerate(reqs):
        m.mem('l', hdr, t)
        m.mem('l', hdr + 4, 0)
        m.mem('q', hdr + 8, sector)
        for i, (addr, ln, flags) in enumerate(((hdr, 16, 1), (data, length, 1 | (2 if data_in else 0)),
                                              (status, 1, 2))):
            d = desc + 16 * (3 * n + i)
            m.mem('q', d, addr)
            m.mem('l', d + 8, ln)
            m.mem('w', d + 12, flags)
            m.mem('w', d + 14, 3 * n + i + 1)
        m.mem('w', avail + 4 + 2 * n, 3 * n)
        m.mem('w', avail + 2, n + 1)
        m.mem('w', notify, 0)
        for _ in range(20000):
            if m.mem('w', used + 2) == n + 1:
                break
            time.sleep(0.0001)
        assert m.mem('w', used + 2) == n + 1


def argv_for(binary, img, cache, accel):
    return [binary, '-M', 'pc', '-nodefaults', '-display', 'none'] + accel + [
        '-drive', 'if=none,id=drive0,file=%s,format=raw,cache=%s' % (img, cache),
        '-device', 'virtio-blk-pci,drive=drive0,addr=04.0,id=vblk0']


def run_tool(*argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    assert p.returncode == 0, (argv, p.stdout, p.stderr)
    return p.stdout


def blockdev_case(minivm, qemu, tmp):
    """-blockdev qcow2 over file, -device virtio-blk-pci,drive=NODE: query-block as
    QEMU shows it; guest writes without a flush survive a QMP quit."""
    img = os.path.join(tmp, 'bd.qcow2')
    run_tool('qemu-img', 'create', '-q', '-f', 'qcow2', img, '8M')
    nodes = lambda f: ['-blockdev', 'driver=file,node-name=proto0,filename=%s' % f,
                       '-blockdev', '{"driver": "qcow2", "node-name": "fmt0", "file": "proto0"}',
                       '-device', 'virtio-blk-pci,drive=fmt0,addr=04.0,id=vblk0']
    base = ['-M', 'pc', '-nodefaults', '-display', 'none']
    m = Machine([minivm] + base + ['-accel', 'qtest'] + nodes(img), tmp, True)
    mine = query_block(m)
    if qemu:
        shutil.copy(img, img + '.q')     # the image is locked by minivm
        q = Machine([qemu] + base + ['-accel', 'tcg', '-S'] + nodes(img + '.q'), tmp, False)
        theirs = query_block(q)
        q.quit()
        theirs['inserted']['file'] = theirs['inserted']['file'][:-2]
        for k in ('device', 'qdev', 'locked', 'removable', 'type'):
            assert mine.get(k) == theirs.get(k), (k, mine.get(k), theirs.get(k))
        for k in ('node-name', 'cache', 'drv', 'ro', 'backing_file_depth', 'file'):
            assert mine['inserted'][k] == theirs['inserted'][k], \
                (k, mine['inserted'][k], theirs['inserted'][k])
    assert mine['device'] == '' and mine['inserted']['node-name'] == 'fmt0', mine
    common, _ = virtio_setup(m, 1 << 32 | 1 << 9 | 1 << 11)
    m.cmd('memset 0x210000 4096 0xab')
    queue_io(m, common, [(1, 0, 4096, False), (1, 2048, 4096, False), (1, 8192, 4096, False)])
    m.quit()        # no guest flush: the qcow2 metadata must still reach the image
    assert m.proc.returncode == 0
    assert 'No errors were found' in run_tool('qemu-img', 'check', img)
    for off in (0, 1 << 20, 4 << 20):
        out = run_tool('qemu-io', '-f', 'qcow2', '-c', 'read -P 0xab %d 4k' % off, img)
        assert 'verification failed' not in out, out
    out = run_tool('qemu-io', '-f', 'qcow2', '-c', 'read -P 0 4k 1020k', img)
    assert 'verification failed' not in out, out


def snapshot_case(minivm, qemu, tmp):
    """-snapshot: query-block shows the temporary qcow2 overlay as QEMU does; the
    guest's write reaches the overlay only."""
    img = os.path.join(tmp, 'snap.raw')
    with open(img, 'wb') as f:
        f.truncate(8 << 20)
    argv = lambda b: [b, '-M', 'pc', '-nodefaults', '-display', 'none', '-snapshot',
                      '-drive', 'if=none,id=drive0,file=%s,format=raw,cache=none' % img,
                      '-device', 'virtio-blk-pci,drive=drive0,addr=04.0,id=vblk0']
    if qemu:
        q = Machine(argv(qemu) + ['-accel', 'tcg', '-S'], tmp, False)
        theirs = query_block(q)['inserted']
        q.quit()
    m = Machine(argv(minivm) + ['-accel', 'qtest'], tmp, True)
    mine = query_block(m)['inserted']
    if qemu:
        for k in ('cache', 'drv', 'ro', 'backing_file_depth'):
            assert mine[k] == theirs[k], (k, mine[k], theirs[k])
    assert mine['drv'] == 'qcow2' and mine['backing_file_depth'] == 1, mine
    common, _ = virtio_setup(m, 1 << 32 | 1 << 9 | 1 << 11)
    m.cmd('memset 0x210000 4096 0xcd')
    queue_io(m, common, [(1, 0, 4096, False), (0, 0, 4096, True)])
    assert m.mem('q', 0x210000) == 0xcdcdcdcdcdcdcdcd
    m.quit()
    with open(img, 'rb') as f:
        assert f.read() == bytes(8 << 20)


def main():
    minivm = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix='virtio-blk-qmp-')
    try:
        blockdev_case(minivm, shutil.which('qemu-system-x86_64'), tmp)
        snapshot_case(minivm, shutil.which('qemu-system-x86_64'), tmp)

        img = os.path.join(tmp, 'disk.raw')
        with open(img, 'wb') as f:
            f.truncate(8 << 20)

        m = Machine(argv_for(minivm, img, 'writeback', ['-accel', 'qtest']), tmp, True)
        mine = query_block(m)

        # Same command line on QEMU 7.2 (no qtest accelerator there: a stopped TCG vCPU).
        qemu = shutil.which('qemu-system-x86_64')
        if qemu:
            shutil.copy(img, img + '.q')
            q = Machine(argv_for(qemu, img + '.q', 'writeback', ['-accel', 'tcg', '-S']), tmp,
                        False)
            theirs = query_block(q)
            their_stats = q.execute('query-blockstats')['return'][0]
            q.quit()
            my_stats = m.execute('query-blockstats')['return'][0]
            assert set(my_stats['stats']) == set(their_stats['stats']), \
                set(my_stats['stats']) ^ set(their_stats['stats'])
            assert my_stats['stats'] == their_stats['stats']
            assert my_stats['qdev'] == their_stats['qdev']
            assert set(my_stats) <= set(their_stats)
            for k in ('device', 'locked', 'removable', 'type', 'io-status', 'qdev'):
                assert mine.get(k) == theirs.get(k), (k, mine.get(k), theirs.get(k))
            for k in ('cache', 'drv', 'ro', 'encrypted', 'detect_zeroes', 'backing_file_depth',
                      'bps', 'iops', 'write_threshold'):
                assert mine['inserted'][k] == theirs['inserted'][k], \
                    (k, mine['inserted'][k], theirs['inserted'][k])
            assert set(mine) <= set(theirs), set(mine) - set(theirs)
            assert set(mine['inserted']) <= set(theirs['inserted']), \
                set(mine['inserted']) - set(theirs['inserted'])
            assert mine['inserted']['image']['virtual-size'] == \
                theirs['inserted']['image']['virtual-size']
        else:
            print('# qemu-system-x86_64 not found: shape not compared')
        assert mine['inserted']['file'] == img
        assert mine['inserted']['cache'] == {'writeback': True, 'direct': False,
                                             'no-flush': False}

        # The guest toggles the cache through the writeback byte (CONFIG_WCE negotiated).
        common, device = virtio_setup(m, 1 << 32 | 1 << 9 | 1 << 11)
        m.mem('b', device + 32, 0)
        assert query_block(m)['inserted']['cache']['writeback'] is False
        m.mem('b', device + 32, 1)
        assert query_block(m)['inserted']['cache']['writeback'] is True
        m.mem('b', device + 32, 0)
        m.mem('b', common + 20, 0)      # device reset restores the -drive setting
        assert query_block(m)['inserted']['cache']['writeback'] is True
        # A driver with neither FLUSH nor CONFIG_WCE gets writethrough at DRIVER_OK.
        common, device = virtio_setup(m, 1 << 32)
        assert query_block(m)['inserted']['cache']['writeback'] is False
        # One 4 KiB write and one out-of-range read show in query-blockstats.
        queue_io(m, common, [(1, 8, 4096, False), (0, 1 << 30, 512, True)])
        st = m.execute('query-blockstats')['return'][0]['stats']
        assert (st['wr_operations'], st['wr_bytes'], st['wr_highest_offset']) == \
            (1, 4096, 8 * 512 + 4096), st
        assert (st['rd_operations'], st['invalid_rd_operations']) == (0, 1), st
        assert 'idle_time_ns' in st
        m.quit()
        assert m.proc.returncode == 0

        m = Machine(argv_for(minivm, img, 'directsync', ['-accel', 'qtest']), tmp, True)
        assert query_block(m)['inserted']['cache'] == {'writeback': False, 'direct': True,
                                                       'no-flush': False}
        m.quit()
        print('ok')
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
