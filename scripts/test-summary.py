#!/usr/bin/env python3
"""Sum up meson test logs (testlog.json) into "N passed, N failed[, N skipped]".

usage: test-summary.py TESTLOG.json...   (exit 1 if any test failed or a log is missing)
"""
import json
import sys

passed = failed = skipped = 0
missing = False
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        print('test-summary: %s' % e, file=sys.stderr)
        missing = True
        continue
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)['result']
        if r in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif r == 'SKIP':
            skipped += 1
        else:
            failed += 1
if missing:
    failed += 1
line = '%d passed, %d failed' % (passed, failed)
if skipped:
    line += ', %d skipped' % skipped
print(line)
sys.exit(1 if failed else 0)
