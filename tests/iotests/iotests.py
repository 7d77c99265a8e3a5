"""Shared helpers for the block-layer tests (suite 'iotests').

The binaries come from the environment meson sets: MINIVM_IO, MINIVM_IMG.
Debian's qemu-io / qemu-img (package qemu-utils) serve as the oracle.
Scratch files live under the build directory, which must support O_DIRECT
for the cache=none cases (tmpfs does not).
"""
import ctypes
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MINIVM_IO = os.environ.get('MINIVM_IO', 'minivm-io')
MINIVM_IMG = os.environ.get('MINIVM_IMG', 'minivm-img')
QEMU_IO = shutil.which('qemu-io')
QEMU_IMG = shutil.which('qemu-img')
STRACE = shutil.which('strace')

O_DIRECT = 0o40000          # x86-64 / generic Linux value


def scratch_dir():
    base = os.environ.get('MINIVM_TEST_TMPDIR') or os.getcwd()
    d = tempfile.mkdtemp(prefix='iotest-', dir=base)
    return d


def run(argv, stdin=None, timeout=60):
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def minivm_io(*args, **kw):
    return run([MINIVM_IO] + list(args), **kw)


def qemu_io(*args, **kw):
    return run([QEMU_IO] + list(args), **kw)


def make_image(path, size, fill=None):
    with open(path, 'wb') as f:
        if fill is None:
            f.truncate(size)
        else:
            f.write(bytes([fill]) * size)


def filter_timing(text):
    """What the iotests' _filter_qemu_io does to the second report line."""
    text = re.sub(r'\([0-9.]+ (bytes|[KMGTPE]iB)/sec and [0-9.]+ ops/sec\)',
                  '(X/sec and X ops/sec)', text)
    text = re.sub(r'ops; [0-9:.]+( sec)? \(', 'ops; XX:XX:XX.X (', text)
    text = re.sub(r'^(\d+,\d+,)[0-9:.]+,[0-9.]+,[0-9.]+$', r'\1TIME,RATE,RATE', text,
                  flags=re.M)
    text = re.sub(r'Run completed in [0-9.]+ seconds', 'Run completed in X seconds', text)
    return text


def program_neutral(text, prog):
    """Tool names differ (qemu-io vs minivm-io); the rest must not."""
    return text.replace(prog, 'PROG')


def odirect_supported(directory):
    path = os.path.join(directory, '.odirect-probe')
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR | O_DIRECT, 0o600)
    except OSError as e:
        if e.errno == errno.EINVAL:
            return False
        raise
    os.close(fd)
    os.unlink(path)
    return True


def io_uring_available():
    """io_uring_setup may be blocked by a seccomp profile in containers."""
    libc = ctypes.CDLL(None, use_errno=True)
    params = (ctypes.c_char * 120)()
    fd = libc.syscall(425, 4, params)
    if fd < 0:
        return False, os.strerror(ctypes.get_errno())
    os.close(fd)
    return True, ''


def linux_aio_available():
    libc = ctypes.CDLL(None, use_errno=True)
    ctx = ctypes.c_ulong(0)
    if libc.syscall(206, 8, ctypes.byref(ctx)) < 0:
        return False, os.strerror(ctypes.get_errno())
    libc.syscall(207, ctx)
    return True, ''


def strace_usable():
    """strace needs ptrace, which some container profiles forbid."""
    if not STRACE:
        return False, 'strace is not installed'
    p = subprocess.run([STRACE, '-f', '-e', 'trace=getpid', '-o', '/dev/null', 'true'],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return False, 'strace cannot attach: ' + p.stderr.strip()
    return True, ''


class Syscall:
    def __init__(self, pid, name, args, ret):
        self.pid, self.name, self.args, self.ret = pid, name, args, ret

    def __repr__(self):
        return '%s(%s) = %s' % (self.name, self.args, self.ret)


_LINE = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\w+)')


def parse_strace(log_text):
    """Completed calls in order; strace -f splits calls across threads as
    '<unfinished ...>' / '<... resumed>', which are joined here."""
    pending = {}
    calls = []
    for line in log_text.splitlines():
        m = re.match(r'^(\d+)\s+(.*)$', line)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        if rest.endswith('<unfinished ...>'):
            pending[pid] = rest[:-len('<unfinished ...>')].rstrip()
            continue
        r = re.match(r'^<\.\.\. (\w+) resumed>(.*)$', rest)
        if r:
            rest = pending.pop(pid, r.group(1) + '(') + r.group(2)
        mm = _LINE.match(pid + ' ' + rest)
        if mm:
            calls.append(Syscall(int(mm.group(1)), mm.group(2), mm.group(3), mm.group(4)))
    return calls


def image_io_calls(calls, image_path):
    """[(open flags, call)] for the calls on fds that refer to @image_path."""
    want = os.path.realpath(image_path)
    fds = {}
    out = []
    for c in calls:
        if c.name in ('openat', 'open'):
            m = re.search(r'"([^"]*)", ([A-Z_|]+)', c.args)
            if m and os.path.realpath(m.group(1)) == want and c.ret.isdigit():
                fds[int(c.ret)] = m.group(2)
            continue
        first = c.args.split(',')[0].strip()
        if not first.isdigit() or int(first) not in fds:
            continue
        if c.name == 'close':
            del fds[int(first)]
            continue
        out.append((fds[int(first)], c))
    return out


def run_strace(argv, log_path, syscalls):
    ok, why = strace_usable()
    if not ok:
        raise unittest.SkipTest(why)
    # LeakSanitizer cannot run under ptrace: ASan builds run without it here
    env = dict(os.environ)
    env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') + ':detect_leaks=0').lstrip(':')
    p = subprocess.run([STRACE, '-f', '-qq', '-s', '0', '-e', 'trace=' + ','.join(syscalls),
                        '-o', log_path] + argv, capture_output=True, text=True, timeout=60,
                       env=env)
    with open(log_path) as f:
        return p, parse_strace(f.read())


def main():
    """Run unittest and exit 77 (meson's skip) when every test was skipped."""
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    if res.testsRun and len(res.skipped) == res.testsRun:
        sys.exit(77)
    sys.exit(0 if res.wasSuccessful() else 1)
