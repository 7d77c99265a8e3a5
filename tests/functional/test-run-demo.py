#!/usr/bin/env python3
"""scripts/run-demo, what `make run` does, must boot the guest and pass.

usage: test-run-demo.py SOURCE_ROOT BUILD_DIR

The guest must run on minivm, pass every check, and the script must say so.
"""
import os
import subprocess
import sys


def demo(src, build, accel):
    env = dict(os.environ)
    env.pop('MINIVM_ACCEL', None)
    if accel:
        env['MINIVM_ACCEL'] = accel
    p = subprocess.run([os.path.join(src, 'scripts', 'run-demo'), build], env=env,
                       capture_output=True, timeout=170, stdin=subprocess.DEVNULL)
    out = p.stdout.decode('latin-1') + p.stderr.decode('latin-1')
    print(out)
    return p.returncode == 0 and \
        'minivm exited with status 1: guest PASSED' in out and \
        'blkcheck: 14 passed, 0 failed' in out and \
        'file format: qcow2' in out, out


def main():
    src, build = sys.argv[1], sys.argv[2]
    # What `make run` does: minivm's default accelerator.
    ok, out = demo(src, build, None)
    try:
        os.close(os.open('/dev/kvm', os.O_RDWR))
        kvm = True
    except OSError:
        kvm = False
    if not kvm:
        ok = ok and 'KVM is not available' in out and 'using -accel tcg' in out
    # And the interpreter explicitly, whatever the host has.
    ok_tcg, out = demo(src, build, 'tcg')
    ok = ok and ok_tcg and 'with minivm -accel tcg' in out
    print('run-demo: %s' % ('ok' if ok else 'FAILED'))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
