#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The verdict on a nvme-dbbuf kselftest boot, from its console alone.

The kselftest's own TAP lines say what each test saw.  This checks what
they cannot: that the kselftest finished as planned, and what the kernel
printed on the console (the guest boots with loglevel=8, so every level
reaches it).  Each check is one function, check_<what it checks>.  A boot
fails when:

- check_ran_to_end: the kselftest bailed out ("Bail out!"), or printed no
  plan;
- check_plan: the number of results differs from its "1..N" plan;
- check_exit_status: the guest script exited non-zero, yet no result
  says "not ok";
- check_recovery: the driver recovered from something outside the test
  that provokes it: an I/O completed after an MMIO doorbell kick, shadow
  doorbells given up as stalled, a completion polled, a timeout, an
  abort, a controller reset or a removal.  Only the stall test provokes
  recovery (kicks and the stall warning); the tests reset the controller
  through sysfs, which logs nothing.  A lost doorbell that the driver
  recovers by itself fails the test it happened in;
- check_stall_count: a "stalls N" line (the driver's debugfs count of
  shadow stalls, as the guest prints it) is not zero outside the stall
  test.

Console lines belong to the test whose "# test NAME" line came last
("load" before the first).  Kernel lines are found by their "[ seconds ]"
time stamp anywhere in a console line, since the kernel's output can land
in the middle of the kselftest's; other lines starting with "#" are the
kselftest's own, which quote the kernel log themselves.

usage: vmtest-guest.py CONSOLE_LOG GUEST_EXIT_STATUS
Prints TAP lines (no plan); exit status 1 if any check failed.
"""
import re
import sys

# The driver's recovery, by what it did.  Each needs "nvme" before it.
RECOVERY = [
    ('kick', r'completed after an MMIO doorbell kick'),
    ('stall', r'shadow doorbells stalled'),
    ('polled', r'completion polled'),
    ('timeout', r'timeout'),
    ('abort', r'abort'),
    ('reset', r'reset controller|will reset|after reset failure'),
    ('removal', r'Removing after'),
]
RECOVERY_RE = re.compile(r'nvme.*(%s)' % '|'.join(p for _, p in RECOVERY),
                         re.I)
# Kernel lines that name a timeout without any recovery.
BENIGN = re.compile(r'Shutdown timeout set to', re.I)
# What each test provokes, and may therefore show.
PROVOKES = {'stall': {'kick', 'stall'}}
KERNEL = re.compile(r'\[\s*\d+\.\d+\]\s*(.*)')
STALLS = re.compile(r'^(?:# )?stalls (\d+)\s*$')

results = []


def tap(ok, desc):
    results.append(ok)
    print('%s %d %s' % ('ok' if ok else 'not ok', len(results), desc))


def kernel_texts(line):
    """The kernel's messages in a console line."""
    found = KERNEL.findall(line)
    if found:
        return found
    return [] if line.startswith('#') else [line]


def recovery_kind(text):
    """What recovery a kernel message reports, or None."""
    m = RECOVERY_RE.search(text)
    if not m or BENIGN.search(text):
        return None
    for kind, pat in RECOVERY:
        if re.fullmatch(pat, m.group(1), re.I):
            return kind
    return None


class Console:
    def __init__(self, path):
        self.plan, self.n, self.failed, self.bail = None, 0, 0, None
        self.recovery = []      # (test, kind, text)
        self.stalls = []        # (test, N)
        test = 'load'
        for line in open(path, errors='replace'):
            line = line.rstrip('\n')
            m = re.match(r'^# test (\S+)\s*$', line)
            if m:
                test = m.group(1)
            self.tap_line(line)
            m = STALLS.match(line)
            if m:
                self.stalls.append((test, int(m.group(1))))
            for text in kernel_texts(line):
                kind = recovery_kind(text)
                if kind:
                    self.recovery.append((test, kind, text.strip()))

    def tap_line(self, line):
        m = re.match(r'^1\.\.(\d+)$', line)
        if m and self.plan is None:
            self.plan = int(m.group(1))
        if re.match(r'^(not )?ok \d+ ', line):
            self.n += 1
            self.failed += line.startswith('not ok')
        if line.startswith('Bail out!') and self.bail is None:
            self.bail = line


def check_ran_to_end(c):
    ok = c.bail is None and c.plan is not None
    tap(ok, 'guest: the kselftest ran to its end%s'
        % ('' if ok else ': ' + (c.bail or 'it printed no plan')))


def check_plan(c):
    tap(c.plan is not None and c.n == c.plan,
        'guest: %d results for a plan of %s' % (c.n, c.plan))


def check_exit_status(c, rc):
    tap(rc == 0 or c.failed > 0,
        'guest: exit status %d%s' % (rc, ', yet no result failed'
                                     if rc and not c.failed else ''))


def check_recovery(c):
    bad = [(t, k, x) for t, k, x in c.recovery
           if k not in PROVOKES.get(t, ())]
    tap(not bad,
        'guest: no nvme recovery (MMIO kick, shadow stall, polled '
        'completion, timeout, abort, reset) outside the test that provokes '
        'it%s' % ('' if not bad else ' (%d lines): %s' % (len(bad), ' | '.join(
            '%s: %s' % (t, x) for t, _, x in bad[:3]))))


def check_stall_count(c):
    bad = [(t, n) for t, n in c.stalls if n and t != 'stall']
    tap(not bad,
        'guest: no shadow stall counted outside the stall test (%d "stalls '
        'N" lines)%s' % (len(c.stalls), '' if not bad else ': ' + ', '.join(
            'stalls %d in %s' % (n, t) for t, n in bad[:3])))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    c, rc = Console(sys.argv[1]), int(sys.argv[2])
    check_ran_to_end(c)
    check_plan(c)
    check_exit_status(c, rc)
    check_recovery(c)
    check_stall_count(c)
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
