#!/usr/bin/env python3
"""QMP monitor tests over real unix sockets.

Protocol texts are compared with Debian's qemu-system-x86_64 as the oracle
where it is installed (it lacks -accel qtest, so it runs TCG held with -S);
the literal expectations below were observed from it as well.
"""
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

MINIVM = os.environ.get('MINIVM', 'build/minivm')
QEMU = shutil.which('qemu-system-x86_64')
BASE = ['-M', 'pc', '-display', 'none', '-nodefaults']


class QMP:
    def __init__(self, path, greet=True):
        self.sock = socket.socket(socket.AF_UNIX)
        # The socket file appears at bind(), a moment before listen().
        for attempt in range(200):
            try:
                self.sock.connect(path)
                break
            except ConnectionRefusedError:
                if attempt == 199:
                    raise
                time.sleep(0.01)
        self.buf = b''
        if greet:
            self.greeting = self.recv()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b'\n')

    def recv_line(self, timeout=20):
        while b'\n' not in self.buf:
            r, _, _ = select.select([self.sock], [], [], timeout)
            if not r:
                raise TimeoutError('no reply')
            data = self.sock.recv(1 << 16)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        assert line.endswith(b'\r'), line
        return line[:-1]

    def recv(self):
        line = self.recv_line()
        return None if line is None else json.loads(line)

    def cmd(self, name, args=None, **extra):
        req = {'execute': name}
        if args is not None:
            req['arguments'] = args
        req.update(extra)
        self.send(req)
        return self.recv()

    def negotiate(self):
        assert self.cmd('qmp_capabilities') == {'return': {}}

    def close(self):
        self.sock.close()


class VM:
    def __init__(self, binary, *extra, accel=True):
        self.dir = tempfile.mkdtemp(prefix='qmp-test-')
        self.path = os.path.join(self.dir, 'qmp.sock')
        self.clients = []
        args = [binary] + BASE + list(extra)
        if accel:
            args += ['-accel', 'qtest' if binary == MINIVM else 'tcg']
        args += ['-qmp', 'unix:%s,server=on,wait=off' % self.path]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(400):
            if os.path.exists(self.path) or self.proc.poll() is not None:
                break
            time.sleep(0.025)
        assert os.path.exists(self.path), self.proc.communicate()

    def connect(self, negotiate=True):
        c = QMP(self.path)
        self.clients.append(c)
        if negotiate:
            c.negotiate()
        return c

    def wait(self):
        out, err = self.proc.communicate(timeout=30)
        for c in self.clients:
            c.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, out.decode(), err.decode()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait()


def strip_time(msg):
    if isinstance(msg, dict) and 'timestamp' in msg:
        ts = msg.pop('timestamp')
        assert set(ts) == {'seconds', 'microseconds'}
        assert 0 <= ts['microseconds'] < 1000000
    return msg


# (raw input line, expected reply after negotiation) as QEMU 7.2 answers.
ERROR_CASES = [
    (b'{"exec-oob":"query-status","id":1}',
     {'id': 1, 'error': {'class': 'GenericError',
                         'desc': "QMP input member 'exec-oob' is unexpected"}}),
    (b'{"execute":"no-such-command","id":{"a":1}}',
     {'id': {'a': 1}, 'error': {'class': 'CommandNotFound',
                                'desc': 'The command no-such-command has not been found'}}),
    (b'42', {'error': {'class': 'GenericError', 'desc': 'QMP input must be a JSON object'}}),
    (b'"str"', {'error': {'class': 'GenericError', 'desc': 'QMP input must be a JSON object'}}),
    (b'[1, 2]', {'error': {'class': 'GenericError', 'desc': 'QMP input must be a JSON object'}}),
    (b'foo', {'error': {'class': 'GenericError',
                        'desc': "JSON parse error, invalid keyword 'foo'"}}),
    (b'{"a":}', {'error': {'class': 'GenericError', 'desc': 'JSON parse error, expecting value'}}),
    (b'{"execute":1}', {'error': {'class': 'GenericError',
                                  'desc': "QMP input member 'execute' must be a string"}}),
    (b'{"exec":"x"}', {'error': {'class': 'GenericError',
                                 'desc': "QMP input member 'exec' is unexpected"}}),
    (b'{"id":5}', {'id': 5, 'error': {'class': 'GenericError',
                                      'desc': "QMP input lacks member 'execute'"}}),
    (b'{"execute":"query-status","arguments":[]}',
     {'error': {'class': 'GenericError', 'desc': "QMP input member 'arguments' must be an object"}}),
    (b'{"execute":"query-status","arguments":{"x":1},"id":"s"}',
     {'id': 's', 'error': {'class': 'GenericError', 'desc': "Parameter 'x' is unexpected"}}),
    (b'{"execute":"human-monitor-command"}',
     {'error': {'class': 'GenericError', 'desc': "Parameter 'command-line' is missing"}}),
    (b'{"execute":"human-monitor-command","arguments":{"command-line":5}}',
     {'error': {'class': 'GenericError',
                'desc': "Invalid parameter type for 'command-line', expected: string"}}),
    (b'{"execute":"qmp_capabilities"}',
     {'error': {'class': 'CommandNotFound',
                'desc': 'Capabilities negotiation is already complete, command ignored'}}),
    (b'{"execute":"qmp_capabilities","arguments":{"enable":["nope"]}}',
     {'error': {'class': 'GenericError', 'desc': "Parameter 'null' does not accept value 'nope'"}}),
    (b"{'execute':'stop', 'id':'single'}", {'return': {}, 'id': 'single'}),
    (b'{"execute":"human-monitor-command","arguments":{"command-line":"info status"}}',
     {'return': 'VM status: paused (prelaunch)\r\n'}),
    (b'{"execute":"human-monitor-command","arguments":{"command-line":"bogus"}}',
     {'return': "unknown command: 'bogus'\r\n"}),
    (b'{"execute":"human-monitor-command","arguments":{"command-line":""}}', {'return': ''}),
    (b'\xff', {'error': {'class': 'GenericError', 'desc': "JSON parse error, stray '\ufffd'"}}),
]


def run_cases(binary, cases):
    vm = VM(binary, '-S')
    try:
        c = vm.connect()
        replies = []
        for raw, _ in cases:
            c.send_raw(raw + b'\n')
            replies.append(c.recv_line())
        c.cmd('quit')
        c.close()
    finally:
        vm.wait()
    return replies


class QMPTest(unittest.TestCase):
    def setUp(self):
        self.vm = VM(MINIVM, '-S', '-name', 'testvm', '-smp', '2')

    def tearDown(self):
        self.vm.kill()

    def test_greeting_and_negotiation(self):
        c = QMP(self.vm.path)
        self.vm.clients.append(c)
        g = c.greeting
        self.assertEqual(list(g), ['QMP'])
        self.assertEqual(g['QMP']['capabilities'], ['oob'])
        ver = g['QMP']['version']
        self.assertEqual(ver['package'], '')
        with open(os.path.join(os.path.dirname(__file__), '../../VERSION')) as f:
            major, minor, micro = map(int, f.read().strip().split('.'))
        self.assertEqual(ver['qemu'], {'major': major, 'minor': minor, 'micro': micro})
        self.assertEqual(c.cmd('query-status'),
                         {'error': {'class': 'CommandNotFound', 'desc':
                                    "Expecting capabilities negotiation with 'qmp_capabilities'"}})
        self.assertEqual(c.cmd('qmp_capabilities', {'enable': ['oob']}, id=[1, 'x']),
                         {'return': {}, 'id': [1, 'x']})
        self.assertEqual(c.cmd('query-version'), {'return': ver})

    def test_error_texts(self):
        c = self.vm.connect()
        for raw, expected in ERROR_CASES:
            c.send_raw(raw + b'\n')
            self.assertEqual(c.recv(), expected, raw)

    @unittest.skipIf(not QEMU, 'qemu-system-x86_64 is not installed')
    def test_error_texts_byte_identical_to_qemu(self):
        cases = [c for c in ERROR_CASES if b'info status' not in c[0]]
        ours = run_cases(MINIVM, cases)
        theirs = run_cases(QEMU, cases)
        for (raw, _), a, b in zip(cases, ours, theirs):
            self.assertEqual(a, b, raw)

    def test_exec_oob_with_oob_enabled_like_qemu(self):
        replies = []
        for binary in (MINIVM, QEMU):
            vm = VM(binary, '-S')
            c = vm.connect(negotiate=False)
            out = [c.cmd('qmp_capabilities', {'enable': ['oob']})]
            c.send_raw(b'{"exec-oob":"query-status","id":7}\n')
            out.append(c.recv())
            out.append(c.cmd('query-status'))
            c.cmd('quit')
            vm.wait()
            replies.append(out)
        self.assertEqual(replies[0], replies[1])
        self.assertEqual(replies[0][1]['error']['desc'],
                         'The command query-status does not support OOB')

    def test_hmp_parsing_like_qemu(self):
        """Blanks, extra words and cpu-index as QEMU's monitor takes them;
        "info" alone lists our subcommands in QEMU's words."""
        if not QEMU:
            self.skipTest('qemu-system-x86_64 is not installed')
        lines = ['   info   status  ', 'info status extra', 'info pci extra', 'info bogus',
                 'bogus', '']
        replies = []
        for binary in (MINIVM, QEMU):
            vm = VM(binary, '-S')
            c = vm.connect()
            out = [c.cmd('human-monitor-command', {'command-line': l}) for l in lines]
            out.append(c.cmd('human-monitor-command', {'command-line': 'info status',
                                                       'cpu-index': 5}))
            out.append(c.cmd('human-monitor-command', {'command-line': 'info'}))
            c.cmd('quit')
            vm.wait()
            replies.append(out)
        self.assertEqual(replies[0][:-1], replies[1][:-1])
        ours = replies[0][-1]['return'].split('\r\n')[:-1]
        theirs = replies[1][-1]['return'].split('\r\n')
        self.assertIn('info status  -- show the current VM status (running|paused)', ours)
        for line in ours:
            self.assertIn(line, theirs)

    def test_monitor_labels_like_qemu(self):
        """-mon does not use up a compat_monitorN number; -qmp does."""
        if not QEMU:
            self.skipTest('qemu-system-x86_64 is not installed')
        labels = []
        for binary in (MINIVM, QEMU):
            d = tempfile.mkdtemp(prefix='qmp-test-')
            extra = ['-chardev', 'socket,id=m,path=%s/m.sock,server=on,wait=off' % d,
                     '-mon', 'chardev=m,mode=control',
                     '-qmp', 'unix:%s/b.sock,server=on,wait=off' % d]
            vm = VM(binary, '-S', *extra)
            c = vm.connect()
            labels.append(sorted(ch['label'] for ch in c.cmd('query-chardev')['return']))
            c.cmd('quit')
            vm.wait()
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(labels[0], labels[1])
        self.assertIn('compat_monitor1', labels[0])

    def test_queries(self):
        c = self.vm.connect()
        names = {x['name'] for x in c.cmd('query-commands')['return']}
        for n in ['qmp_capabilities', 'query-version', 'query-commands', 'query-status',
                  'query-name', 'query-chardev', 'query-kvm', 'query-machines',
                  'query-cpus-fast', 'stop', 'cont', 'system_reset', 'system_powerdown',
                  'quit', 'human-monitor-command']:
            self.assertIn(n, names)
        self.assertEqual(c.cmd('query-status'),
                         {'return': {'status': 'prelaunch', 'singlestep': False, 'running': False}})
        self.assertEqual(c.cmd('query-name'), {'return': {'name': 'testvm'}})
        chardevs = c.cmd('query-chardev')['return']
        self.assertEqual(chardevs, [{'frontend-open': True, 'label': 'compat_monitor0',
                                     'filename': 'unix:%s,server=on' % self.vm.path}])
        kvm = c.cmd('query-kvm')['return']
        self.assertEqual(kvm, {'enabled': False,
                               'present': os.access('/dev/kvm', os.R_OK | os.W_OK)})
        machines = c.cmd('query-machines')['return']
        pc = [m for m in machines if m.get('alias') == 'pc']
        self.assertEqual(pc[0]['name'], 'pc-i440fx-7.2')
        self.assertTrue(pc[0]['is-default'])
        cpus = c.cmd('query-cpus-fast')['return']
        self.assertEqual([x['cpu-index'] for x in cpus], [0, 1])
        self.assertEqual(cpus[1]['qom-path'], '/machine/unattached/device[1]')
        self.assertEqual(cpus[0]['target'], 'x86_64')

    def test_run_state_events_in_qemu_order(self):
        c = self.vm.connect()
        c.send({'execute': 'cont', 'id': 1})
        self.assertEqual(strip_time(c.recv()), {'event': 'RESUME'})
        self.assertEqual(c.recv(), {'return': {}, 'id': 1})
        self.assertEqual(c.cmd('query-status')['return']['status'], 'running')
        self.assertEqual(c.cmd('cont'), {'return': {}})     # already running: no event
        # Pipelined: the first reply is not overtaken by the second command's event.
        c.send_raw(b'{"execute":"query-name","id":"a"}{"execute":"stop","id":"b"}'
                   b'{"execute":"cont","id":"c"}\n')
        self.assertEqual(c.recv()['id'], 'a')
        self.assertEqual(strip_time(c.recv()), {'event': 'STOP'})
        self.assertEqual(c.recv(), {'return': {}, 'id': 'b'})
        self.assertEqual(strip_time(c.recv()), {'event': 'RESUME'})
        self.assertEqual(c.recv(), {'return': {}, 'id': 'c'})
        c.send({'execute': 'stop', 'id': 2})
        self.assertEqual(strip_time(c.recv()), {'event': 'STOP'})
        self.assertEqual(c.recv(), {'return': {}, 'id': 2})
        self.assertEqual(c.cmd('human-monitor-command', {'command-line': 'info status'}),
                         {'return': 'VM status: paused\r\n'})
        c.send({'execute': 'system_reset', 'id': 3})
        self.assertEqual(strip_time(c.recv()),
                         {'event': 'RESET',
                          'data': {'guest': False, 'reason': 'host-qmp-system-reset'}})
        self.assertEqual(c.recv(), {'return': {}, 'id': 3})
        c.send({'execute': 'system_powerdown', 'id': 4})
        self.assertEqual(strip_time(c.recv()), {'event': 'POWERDOWN'})
        self.assertEqual(c.recv(), {'return': {}, 'id': 4})
        other = self.vm.connect()
        c.send({'execute': 'quit', 'id': 5})
        shutdown = {'event': 'SHUTDOWN', 'data': {'guest': False, 'reason': 'host-qmp-quit'}}
        self.assertEqual(strip_time(c.recv()), shutdown)
        self.assertEqual(c.recv(), {'return': {}, 'id': 5})
        self.assertEqual(strip_time(other.recv()), shutdown)   # events reach every client
        self.assertIsNone(c.recv())
        rc, _, err = self.vm.wait()
        self.assertEqual(rc, 0, err)

    def test_malformed_then_working(self):
        c = self.vm.connect()
        c.send_raw(b'{"execute": "query-status", "id": 1')   # split across writes
        time.sleep(0.05)
        c.send_raw(b'}{"execute":"query-name","id":2}\n')
        self.assertEqual(c.recv()['id'], 1)
        self.assertEqual(c.recv(), {'return': {'name': 'testvm'}, 'id': 2})
        c.send_raw(b'{"a" 1}\n')
        self.assertEqual(c.recv(), {'error': {'class': 'GenericError',
                                              'desc': 'JSON parse error, missing : in object pair'}})
        c.send_raw(b'{"execute":"query-name","execute":"x"}\n')
        self.assertEqual(c.recv(), {'error': {'class': 'GenericError',
                                              'desc': 'JSON parse error, duplicate key'}})
        self.assertEqual(c.cmd('query-name', id=3)['id'], 3)
        c.send_raw(b"{'execute': 'query-name', 'id': 'it\\'s \"q\"'}\n")
        self.assertEqual(c.recv()['id'], 'it\'s "q"')

    def test_oversized_messages_refused(self):
        c = self.vm.connect()
        c.send_raw(b'[' * 1100 + b']' * 1100 + b'\n')
        self.assertEqual(c.recv(), {'error': {'class': 'GenericError',
                                              'desc': 'JSON nesting depth limit exceeded'}})
        self.assertEqual(c.cmd('query-name', id='after-deep')['id'], 'after-deep')
        big = b'{"execute":"query-name","id":"' + b'x' * (65 << 20) + b'"}\n'
        sender = threading.Thread(target=c.send_raw, args=(big,))
        sender.start()
        self.assertEqual(c.recv(), {'error': {'class': 'GenericError',
                                              'desc': 'JSON token size limit exceeded'}})
        sender.join()
        self.assertEqual(c.cmd('query-name', id='after-big')['id'], 'after-big')

    def test_burst_from_four_clients(self):
        clients = [self.vm.connect() for _ in range(4)]
        results = {}

        def burst(i, c):
            reqs = b''.join(json.dumps({'execute': 'query-status' if n % 2 else 'query-name',
                                        'id': '%d-%d' % (i, n)}).encode() + b'\n'
                            for n in range(250))
            t = threading.Thread(target=c.send_raw, args=(reqs,))
            t.start()
            ids = [c.recv()['id'] for _ in range(250)]
            t.join()
            results[i] = ids

        threads = [threading.Thread(target=burst, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i in range(4):
            self.assertEqual(results[i], ['%d-%d' % (i, n) for n in range(250)])

    def test_client_disconnect_mid_message(self):
        a = self.vm.connect()
        b = self.vm.connect()
        a.send_raw(b'{"execute": "query-sta')
        a.close()
        self.assertEqual(b.cmd('query-name', id=1), {'return': {'name': 'testvm'}, 'id': 1})
        c = self.vm.connect()       # a new client gets a fresh greeting and session
        self.assertEqual(c.cmd('query-status', id=2)['id'], 2)
        b.close()
        self.assertEqual(c.cmd('query-name', id=3)['id'], 3)


class CommandLineTest(unittest.TestCase):
    def test_no_reboot_turns_reset_into_shutdown(self):
        vm = VM(MINIVM, '-no-reboot')
        c = vm.connect()
        self.assertEqual(c.cmd('query-status')['return']['status'], 'running')
        c.send({'execute': 'system_reset'})
        self.assertEqual(strip_time(c.recv()),
                         {'event': 'SHUTDOWN',
                          'data': {'guest': False, 'reason': 'host-qmp-system-reset'}})
        rc, _, err = vm.wait()
        self.assertEqual(rc, 0, err)

    def test_no_shutdown_reset_before_start_like_qemu(self):
        """-no-reboot -no-shutdown -S: a reset is a SHUTDOWN that leaves the VM
        startable (prelaunch), then cont runs it; the same transcript as QEMU."""
        if not QEMU:
            self.skipTest('qemu-system-x86_64 is not installed')
        transcripts = []
        for binary in (QEMU, MINIVM):
            vm = VM(binary, '-no-reboot', '-no-shutdown', '-S')
            c = vm.connect()
            seen = []
            for cmd in ('query-status', 'system_reset', 'query-status', 'cont',
                        'query-status', 'quit'):
                c.send({'execute': cmd})
                while True:
                    msg = strip_time(c.recv())
                    seen.append(msg)
                    if 'return' in msg or 'error' in msg:
                        break
            vm.wait()
            transcripts.append(seen)
        self.assertEqual(transcripts[1], transcripts[0])
        self.assertIn({'return': {'status': 'prelaunch', 'singlestep': False,
                                  'running': False}}, transcripts[1])

    def test_sigterm_exits_zero_with_qemu_message(self):
        vm = VM(MINIVM)
        c = vm.connect()
        vm.proc.send_signal(signal.SIGTERM)
        self.assertEqual(strip_time(c.recv()),
                         {'event': 'SHUTDOWN', 'data': {'guest': False, 'reason': 'host-signal'}})
        rc, _, err = vm.wait()
        self.assertEqual(rc, 0)
        self.assertIn('terminating on signal 15 from pid %d' % os.getpid(), err)

    def test_mon_on_client_socket(self):
        """libqtest/QEMUMachine style: the test listens and minivm connects."""
        d = tempfile.mkdtemp(prefix='qmp-test-')
        path = os.path.join(d, 'mon.sock')
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(path)
        srv.listen(1)
        proc = subprocess.Popen([MINIVM] + BASE + ['-accel', 'qtest', '-chardev',
                                'socket,id=mon,path=' + path, '-mon',
                                'chardev=mon,mode=control'], stderr=subprocess.PIPE)
        conn, _ = srv.accept()
        c = QMP.__new__(QMP)
        c.sock, c.buf = conn, b''
        self.assertIn('QMP', c.recv())
        c.negotiate()
        chardevs = c.cmd('query-chardev')['return']
        self.assertEqual(chardevs, [{'frontend-open': True, 'label': 'mon',
                                     'filename': 'unix:%s' % path}])
        c.cmd('quit')
        self.assertEqual(proc.wait(timeout=30), 0)
        proc.stderr.close()
        conn.close()
        srv.close()
        shutil.rmtree(d)

    def test_bad_chardev_options(self):
        cases = [
            (['-chardev', 'socket,id=x,path=/nonexistent-dir/s'],
             "minivm: -chardev socket,id=x,path=/nonexistent-dir/s: "
             "Failed to connect to '/nonexistent-dir/s': No such file or directory"),
            (['-chardev', 'bogus,id=x'],
             "minivm: -chardev bogus,id=x: 'bogus' is not a valid char driver name"),
            (['-mon', 'chardev=nope,mode=control'],
             'minivm: -mon chardev=nope,mode=control: chardev "nope" not found'),
            (['-qmp', 'bogus:x'], "minivm: -qmp bogus:x: 'bogus:x' is not a valid char driver"),
        ]
        for args, msg in cases:
            p = subprocess.run([MINIVM] + BASE + ['-accel', 'qtest'] + args,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.decode().strip().replace(os.path.basename(MINIVM),
                                                               'minivm', 1)
                             .split('\n')[0].split(': ', 1)[1], msg.split(': ', 1)[1])

    def test_unknown_option_keys_byte_identical_to_qemu(self):
        if not QEMU:
            self.skipTest('qemu-system-x86_64 is not installed')
        for args in (['-chardev', 'socket,id=c,path=/tmp/x.sock,server=on,wait=off,bogus=1'],
                     ['-name', 'foo,bogus=1'], ['-name', 'foo,debug-threads=maybe']):
            errs = []
            for binary, accel in ((QEMU, 'tcg'), (MINIVM, 'qtest')):
                p = subprocess.run([binary] + BASE + ['-accel', accel, '-S'] + args,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=30)
                self.assertEqual(p.returncode, 1, args)
                errs.append(p.stderr.decode().split(': ', 1)[1])
            self.assertEqual(errs[1], errs[0], args)

    def test_short_form_booleans(self):
        """The legacy "server,nowait" forms start the VM; -chardev's warns as QEMU does."""
        d = tempfile.mkdtemp(prefix='qmp-test-')
        try:
            path = os.path.join(d, 'q.sock')
            for extra in (['-qmp', 'unix:%s,server,nowait' % path],
                          ['-chardev', 'socket,id=m,path=%s,server,nowait' % path,
                           '-mon', 'chardev=m,mode=control']):
                p = subprocess.Popen([MINIVM] + BASE + ['-accel', 'qtest', '-S'] + extra,
                                     stderr=subprocess.PIPE)
                c = QMP(path) if self.wait_for(path) else None
                self.assertIsNotNone(c, extra)
                c.send({'execute': 'qmp_capabilities'})
                self.assertIn('return', c.recv())
                c.send({'execute': 'quit'})
                _, err = p.communicate(timeout=30)
                self.assertEqual(p.returncode, 0)
                want = '' if extra[0] == '-qmp' else (
                    "minivm: %s %s: warning: short-form boolean option 'server' deprecated\n"
                    "Please use server=on instead\n"
                    "minivm: %s %s: warning: short-form boolean option 'nowait' deprecated\n"
                    "Please use wait=off instead\n" % (extra[0], extra[1], extra[0], extra[1]))
                self.assertEqual(err.decode().replace(os.path.basename(MINIVM), 'minivm'), want)
                if os.path.exists(path):
                    os.unlink(path)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    @staticmethod
    def wait_for(path):
        for _ in range(400):
            if os.path.exists(path):
                return True
            time.sleep(0.025)
        return False

    def test_qmp_over_tcp(self):
        """-qmp tcp:HOST:PORT,server=on,wait=off serves the same protocol."""
        probe = socket.socket()
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
        probe.close()
        p = subprocess.Popen([MINIVM] + BASE + ['-accel', 'qtest', '-S', '-qmp',
                              'tcp:127.0.0.1:%d,server=on,wait=off' % port],
                             stderr=subprocess.PIPE)
        sock = None
        for _ in range(400):
            try:
                sock = socket.create_connection(('127.0.0.1', port), timeout=20)
                break
            except ConnectionRefusedError:
                time.sleep(0.025)
        self.assertIsNotNone(sock)
        f = sock.makefile('rwb')
        self.assertIn('QMP', json.loads(f.readline()))
        for cmd, want in (('qmp_capabilities', {}), ('query-status', None), ('quit', {})):
            f.write(json.dumps({'execute': cmd}).encode() + b'\n')
            f.flush()
            while True:
                msg = json.loads(f.readline())
                if 'return' in msg:
                    break
            if want is not None:
                self.assertEqual(msg['return'], want)
            else:
                self.assertEqual(msg['return']['status'], 'prelaunch')
        self.assertEqual(p.wait(timeout=30), 0)
        sock.close()

    def test_nographic_console_ctrl_a_x_quits(self):
        p = subprocess.Popen([MINIVM, '-M', 'pc', '-accel', 'qtest', '-display', 'none',
                              '-nographic'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(b'\x01h\x01x')
        p.stdin.flush()
        out, err = p.communicate(timeout=30)     # stdin stays open: only C-a x ends it
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b'C-a x    exit emulator\n\r', out)
        self.assertTrue(out.endswith(b'QEMU: Terminated\n\r'), out)

    def test_daemonize_with_nographic(self):
        """QEMU refuses -daemonize -nographic only while default ports would use stdio."""
        argv = ['-M', 'pc', '-display', 'none', '-daemonize', '-nographic']
        p = subprocess.run([MINIVM] + argv + ['-accel', 'qtest'], stderr=subprocess.PIPE,
                           timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.decode().split(': ', 1)[1],
                         '-nographic cannot be used with -daemonize\n')
        if QEMU:
            q = subprocess.run([QEMU] + argv + ['-accel', 'tcg'], stderr=subprocess.PIPE,
                               timeout=30)
            self.assertEqual(q.stderr.decode().split(': ', 1)[1],
                             p.stderr.decode().split(': ', 1)[1])
        self.daemonize_and_quit(['-nographic'])

    def test_daemonize_and_pidfile(self):
        self.daemonize_and_quit([])

    def daemonize_and_quit(self, extra):
        d = tempfile.mkdtemp(prefix='qmp-test-')
        sock, pidfile = os.path.join(d, 'q.sock'), os.path.join(d, 'pid')
        p = subprocess.run([MINIVM] + BASE + ['-accel', 'qtest', '-daemonize', '-pidfile',
                            pidfile, '-qmp', 'unix:%s,server=on,wait=off' % sock] + extra,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The parent returned only once the child was ready: both exist now.
        with open(pidfile) as f:
            pid = int(f.read())
        os.kill(pid, 0)
        c = QMP(sock)
        c.negotiate()
        self.assertEqual(strip_time(c.cmd('quit'))['event'], 'SHUTDOWN')
        self.assertEqual(c.recv(), {'return': {}})
        self.assertIsNone(c.recv())
        c.close()
        for _ in range(400):
            if not os.path.exists(pidfile):
                break
            time.sleep(0.025)
        self.assertFalse(os.path.exists(pidfile))
        shutil.rmtree(d)


if __name__ == '__main__':
    unittest.main(verbosity=2)
