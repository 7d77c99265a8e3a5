#!/usr/bin/env python3
"""virtio-blk and rerror=/werror=: host I/O errors injected with an
LD_PRELOAD helper (fault-inject.so) reach the guest as QEMU 7.2 handles
them.  stop pauses the VM (BLOCK_IO_ERROR, STOP, query-status io-error,
query-block io-status), holds the request, and cont retries it; report
completes it with IOERR; ignore completes it as OK; the default enospc
stops only for ENOSPC.  The same script runs on Debian's QEMU (a halting
firmware, TCG, and -qtest) and the events and statuses must match.

usage: virtio-blk-werror-test.py MINIVM FAULT_INJECT_SO
"""
import errno
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

spec = importlib.util.spec_from_file_location(
    'vblk_qmp', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'virtio-blk-qmp-test.py'))
vq = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vq)

DESC, AVAIL, USED, HDR, DATA, STATUS = 0x100000, 0x101000, 0x102000, 0x200000, 0x210000, 0x2f0000
SECTOR = 64


class Machine(vq.Machine):
    """Keeps the events that arrive while a command waits for its reply."""

    def execute(self, cmd, **args):
        msg = {'execute': cmd}
        if args:
            msg['arguments'] = args
        self.qmp.sendall(vq.json.dumps(msg).encode() + b'\n')
        while True:
            reply = vq.json.loads(self.qmp_file.readline())
            if 'event' not in reply:
                return reply
            self.pending.append(reply)

    pending = []


class Guest:
    """Queue 0 of a negotiated device; requests posted without waiting."""

    def __init__(self, m):
        self.m = m
        self.common, _ = vq.virtio_setup(m, 1 << 32 | 1 << 9 | 1 << 11)
        m.mem('w', self.common + 22, 0)
        m.mem('w', self.common + 24, 16)
        for off, addr in ((32, DESC), (40, AVAIL), (48, USED)):
            m.mem('l', self.common + off, addr)
            m.mem('l', self.common + off + 4, 0)
        m.mem('w', self.common + 28, 1)
        self.notify = vq.BAR4 + 0x3000 + 4 * m.mem('w', self.common + 30)
        self.n = 0

    def post(self, t, sector, length):
        m, data_in = self.m, t == 0
        m.mem('l', HDR, t)
        m.mem('l', HDR + 4, 0)
        m.mem('q', HDR + 8, sector)
        m.mem('b', STATUS, 0xee)
        for i, (addr, ln, flags) in enumerate(((HDR, 16, 1), (DATA, length, 1 | (2 if data_in else 0)),
                                              (STATUS, 1, 2))):
            m.mem('q', DESC + 16 * i, addr)
            m.mem('l', DESC + 16 * i + 8, ln)
            m.mem('w', DESC + 16 * i + 12, flags)
            m.mem('w', DESC + 16 * i + 14, i + 1)
        m.mem('w', AVAIL + 4 + 2 * (self.n % 16), 0)
        self.n += 1
        m.mem('w', AVAIL + 2, self.n)
        m.mem('w', self.notify, 0)

    def used(self):
        return self.m.mem('w', USED + 2)

    def wait_used(self):
        for _ in range(20000):
            if self.used() == self.n:
                return self.m.mem('b', STATUS)
            time.sleep(0.0001)
        raise AssertionError('request not completed')


def events(m, names, timeout=10):
    """Read QMP events until each of @names has been seen; returns them in order."""
    got, deadline = m.pending, time.time() + timeout
    m.pending = []
    m.qmp.settimeout(timeout)
    while not set(names) <= {e['event'] for e in got}:
        assert time.time() < deadline, got
        msg = vq.json.loads(m.qmp_file.readline())
        if 'event' in msg:
            got.append(msg)
    return got


# QEMU shows nospace only while iostatus is on: with a policy that can stop.
def io_error_data(ev):
    d = [e['data'] for e in ev if e['event'] == 'BLOCK_IO_ERROR'][0]
    # generated node names (#blockN) count differently: only their form is compared
    if d.get('node-name', '').startswith('#block'):
        d['node-name'] = '#blockN'
    return d


def run_case(binary, accel, tmp, img, drive_opts, op, err, flag):
    """One failing request; returns what the guest and the monitor saw."""
    seen = {}
    argv = [binary, '-M', 'pc', '-nodefaults', '-display', 'none'] + accel + [
        '-drive', 'if=none,id=drive0,file=%s,format=raw,cache=writeback%s' % (img, drive_opts),
        '-device', 'virtio-blk-pci,drive=drive0,addr=04.0']
    os.environ['FAULT_ERRNO'] = str(err)      # read by the emulator's copy of the helper
    m = Machine(argv, tmp, True)
    m.pending = []
    g = Guest(m)
    m.mem('b', DATA, 0x5c)                   # a marker the read must overwrite
    if op == 'write':
        for off in range(0, 4096, 8):
            m.mem('q', DATA + off, 0x7777777777777777)
    open(flag, 'w').close()
    g.post(1 if op == 'write' else 0, SECTOR, 4096)
    ev = events(m, ['BLOCK_IO_ERROR'])
    seen['event'] = io_error_data(ev)
    if seen['event']['action'] == 'stop':
        ev += events(m, ['STOP'])
        seen['status'] = m.execute('query-status')['return']['status']
        seen['io-status'] = vq.query_block(m).get('io-status')
        seen['held'] = g.used() == 0
        os.unlink(flag)
        assert 'return' in m.execute('cont')
        events(m, ['RESUME'])
        seen['after-cont'] = g.wait_used()
        seen['io-status-after'] = vq.query_block(m).get('io-status')
    else:
        seen['guest'] = g.wait_used()
        os.unlink(flag)
        seen['status'] = m.execute('query-status')['return']['status']
    if op == 'read':
        seen['marker'] = m.mem('b', DATA)
    m.quit()
    return seen


CASES = [
    # (drive options, op, errno, what the guest and monitor see)
    (',werror=stop', 'write', errno.EIO, {
        'event': {'device': 'drive0', 'operation': 'write', 'action': 'stop', 'nospace': False,
                  'reason': 'Input/output error'},
        'status': 'io-error', 'io-status': 'failed', 'held': True, 'after-cont': 0,
        'io-status-after': 'ok'}),
    (',rerror=stop', 'read', errno.EIO, {
        'event': {'device': 'drive0', 'operation': 'read', 'action': 'stop', 'nospace': False,
                  'reason': 'Input/output error'},
        'status': 'io-error', 'io-status': 'failed', 'held': True, 'after-cont': 0,
        'io-status-after': 'ok', 'marker': 0xab}),
    ('', 'write', errno.ENOSPC, {
        'event': {'device': 'drive0', 'operation': 'write', 'action': 'stop', 'nospace': True,
                  'reason': 'No space left on device'},
        'status': 'io-error', 'io-status': 'nospace', 'held': True, 'after-cont': 0,
        'io-status-after': 'ok'}),
    ('', 'write', errno.EIO, {
        'event': {'device': 'drive0', 'operation': 'write', 'action': 'report', 'nospace': False,
                  'reason': 'Input/output error'},
        'guest': 1, 'status': 'running'}),
    (',werror=report,rerror=report', 'read', errno.EIO, {
        'event': {'device': 'drive0', 'operation': 'read', 'action': 'report',
                  'reason': 'Input/output error'},
        'guest': 1, 'status': 'running', 'marker': 0x5c}),
    (',werror=ignore', 'write', errno.EIO, {
        'event': {'device': 'drive0', 'operation': 'write', 'action': 'ignore',
                  'reason': 'Input/output error'},
        'guest': 0, 'status': 'running'}),
]


def qemu_io(img, cmd):
    out = subprocess.run(['qemu-io', '-f', 'raw', '-c', cmd, img], check=True,
                         capture_output=True, text=True).stdout
    assert 'verification failed' not in out and ('read ' in out or 'wrote ' in out), out


def main():
    minivm, fault_so = sys.argv[1], os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix='virtio-blk-werror-')
    try:
        img = os.path.join(tmp, 'disk.raw')
        flag = os.path.join(tmp, 'fail-now')
        hlt = os.path.join(tmp, 'hlt.bin')
        with open(hlt, 'wb') as f:
            f.write(b'\xf4' * 65536)         # firmware that halts at the reset vector
        os.environ.update(LD_PRELOAD=fault_so, FAULT_FILE=img, FAULT_FLAG=flag,
                          ASAN_OPTIONS=os.environ.get('ASAN_OPTIONS', '') +
                          ':verify_asan_link_order=0')
        binaries = [(minivm, ['-accel', 'qtest'])]
        qemu = shutil.which('qemu-system-x86_64')
        if qemu:
            binaries.append((qemu, ['-accel', 'tcg', '-bios', hlt]))
        else:
            print('# qemu-system-x86_64 not found: not compared')
        for opts, op, err, want in CASES:
            for binary, accel in binaries:
                with open(img, 'wb') as f:
                    f.truncate(8 << 20)
                qemu_io(img, 'write -P 0xab %d 4096' % (SECTOR * 512))
                seen = run_case(binary, accel, tmp, img, opts, op, err, flag)
                if 'event' in want:     # both name the -drive's (generated) root node
                    want = dict(want, event=dict(want['event'], **{'node-name': '#blockN'}))
                assert seen == want, (binary, opts, op, err, seen, want)
                if op == 'write':
                    pattern = 0x77 if want.get('after-cont') == 0 else 0xab
                    qemu_io(img, 'read -P 0x%02x %d 4096' % (pattern, SECTOR * 512))
                print('ok %s%s %s errno %d: %s' % (os.path.basename(binary), opts, op, err,
                                                   want['event']['action']))
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
