#!/usr/bin/env python3
"""sieve.elf, the CPU-bound benchmark guest: a smoke test of its result.

usage: test-sieve.py qemu|minivm

The prime counts are mathematical facts (pi(10^5) = 9592, pi(10^6) = 78498),
so they check the emulator's CPU, not just agreement with another one.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestrun  # noqa: E402

EMULATOR = 'qemu'


class SieveTest(unittest.TestCase):
    def run_sieve(self, append):
        rc, out, err = guestrun.run_guest(EMULATOR, guestrun.SIEVE_ELF, ['-append', append])
        lines = guestrun.guest_transcript(out, 'sieve:')
        print('--- %s -append %r: exit %d\n%s%s' % (EMULATOR, append, rc, '\n'.join(lines), err))
        return rc, lines

    def test_small(self):
        rc, lines = self.run_sieve('n=100000 rounds=1')
        self.assertEqual(lines[:1], ['sieve: 9592 primes below 100000 (1 rounds)'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)

    def test_million(self):
        rc, lines = self.run_sieve('n=1000000 rounds=2')
        self.assertEqual(lines[:1], ['sieve: 78498 primes below 1000000 (2 rounds)'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_PASSED)

    def test_bad_argument_fails(self):
        rc, lines = self.run_sieve('n=1')
        self.assertEqual(lines[:1], ['sieve: n must be 2..8000000'])
        self.assertEqual(rc, guestrun.EXIT_GUEST_FAILED)


if __name__ == '__main__':
    EMULATOR = guestrun.emulator_from_argv(__doc__)
    unittest.main(argv=sys.argv[:1], verbosity=2)
