#!/usr/bin/env python3
"""scripts/run-demo, what `make run` does, must boot the guest and pass.

usage: test-run-demo.py SOURCE_ROOT BUILD_DIR

The guest must run on minivm, pass every check, and the script must say so.
"""
import os
import subprocess
import sys


def main():
    src, build = sys.argv[1], sys.argv[2]
    p = subprocess.run([os.path.join(src, 'scripts', 'run-demo'), build],
                       capture_output=True, timeout=170, stdin=subprocess.DEVNULL)
    out = p.stdout.decode('latin-1') + p.stderr.decode('latin-1')
    print(out)
    ok = p.returncode == 0 and \
        'minivm exited with status 1: guest PASSED' in out and \
        'blkcheck: 14 passed, 0 failed' in out and \
        'with minivm -accel tcg' in out
    print('run-demo: %s' % ('ok' if ok else 'FAILED'))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
