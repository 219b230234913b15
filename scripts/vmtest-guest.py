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
- check_recovery: the driver recovered from something, in any test or
  before the first: a completion polled, a timeout, an abort, a
  controller reset or a removal.  No test provokes any of these: the
  tests reset the controller through sysfs, which logs nothing, so a lost
  doorbell that the driver recovers by itself fails the boot; each line is
  named with the test it happened in.  The shadow doorbell stall recovery
  of earlier versions of the series (an I/O completed after an MMIO
  doorbell kick, shadow doorbells given up as stalled) is gone from the
  driver; its lines still count as recovery, so a module built from such
  a version fails too.

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
# 'kick' and 'stall' are the lines of the shadow doorbell stall recovery
# that earlier versions of the series had: the driver prints neither now.
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
KERNEL = re.compile(r'\[\s*\d+\.\d+\]\s*(.*)')

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


def recovery_kinds(text):
    """What recovery a kernel message reports ("timeout, aborting": both),
    or an empty list."""
    m = RECOVERY_RE.search(text)
    if not m or BENIGN.search(text):
        return []
    rest = text[re.search('nvme', text, re.I).end():]
    return [kind for kind, pat in RECOVERY if re.search(pat, rest, re.I)]


class Console:
    def __init__(self, path):
        self.plan, self.n, self.failed, self.bail = None, 0, 0, None
        self.recovery = []      # (test, kinds, text)
        test = 'load'
        for line in open(path, errors='replace'):
            line = line.rstrip('\n')
            m = re.match(r'^# test (\S+)\s*$', line)
            if m:
                test = m.group(1)
            self.tap_line(line)
            for text in kernel_texts(line):
                kinds = recovery_kinds(text)
                if kinds:
                    self.recovery.append((test, kinds, text.strip()))

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
    r = c.recovery
    tap(not r,
        'guest: no nvme recovery (polled completion, timeout, abort, reset, '
        "removal, or an earlier version's MMIO doorbell kick or shadow "
        'stall) anywhere in the boot%s'
        % ('' if not r else ' (%d lines, %s): %s' % (
            len(r), ', '.join(sorted({k for _, ks, _ in r for k in ks})),
            ' | '.join('%s: %s' % (t, x) for t, _, x in r[:3]))))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    c, rc = Console(sys.argv[1]), int(sys.argv[2])
    check_ran_to_end(c)
    check_plan(c)
    check_exit_status(c, rc)
    check_recovery(c)
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
