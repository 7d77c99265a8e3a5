#!/usr/bin/env python3
"""scripts/run-demo, what `make run` does, must boot the guest and pass.

usage: test-run-demo.py SOURCE_ROOT BUILD_DIR

While minivm cannot run guests the script stands in Debian's
qemu-system-x86_64 and must say so; afterwards it must run on minivm.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402


def main():
    src, build = sys.argv[1], sys.argv[2]
    p = subprocess.run([os.path.join(src, 'scripts', 'run-demo'), build],
                       capture_output=True, timeout=170, stdin=subprocess.DEVNULL)
    out = p.stdout.decode('latin-1') + p.stderr.decode('latin-1')
    print(out)
    stand_in = 'cannot run guests yet' in out
    if stand_in and not guestrun.QEMU_SYSTEM:
        guestrun.skip('minivm cannot run guests yet and qemu-system-x86_64 is absent')
    emulator = 'qemu-system-x86_64' if stand_in else 'minivm'
    ok = p.returncode == 0 and \
        '%s exited with status 1: guest PASSED' % emulator in out and \
        'blkcheck: 14 passed, 0 failed' in out
    if stand_in and 'as a stand-in' not in out:
        ok = False
    print('run-demo on %s: %s' % (emulator, 'ok' if ok else 'FAILED'))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
