#!/usr/bin/env python3
"""The rST and man page generated from qemu-options.hx describe every DEF.

usage: check-docs.py qemu-options.def minivm.rst minivm.1

Reads the option names and first help lines from the generated .def (the
same file the C table is built from) and checks that both documents carry
each one, so an option added to the .hx cannot miss the docs.
"""
import re
import sys

defs = open(sys.argv[1]).read()
rst = open(sys.argv[2]).read()
man = open(sys.argv[3]).read()
failed = 0
names = re.findall(r'^DEF\("([^"]+)",', defs, re.M)
if len(names) < 20:
    sys.exit('too few options found: %d' % len(names))
for m in re.finditer(r'^DEF\("([^"]+)",[^"]*"((?:[^"\\]|\\.)*)"', defs, re.M):
    name, first = m.group(1), m.group(2).split('\\n')[0].rstrip()
    first = bytes(first, 'utf-8').decode('unicode_escape')
    if '    ' + first not in rst:
        print('rst lacks usage line of -%s: %r' % (name, first))
        failed += 1
    troff = first.replace('\\', '\\e').replace('-', '\\-')
    if troff not in man:
        print('man page lacks usage line of -%s: %r' % (name, troff))
        failed += 1
print('%d options checked, %d problems' % (len(names), failed))
sys.exit(1 if failed else 0)
