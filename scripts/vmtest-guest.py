#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The verdict on a nvme-dbbuf kselftest boot, from its console alone.

The kselftest's own TAP lines say what each test saw.  This checks what
they cannot: that the kselftest finished as planned, and what the kernel
printed on the console (the guest boots with loglevel=5, so warnings and
errors reach it).  A boot fails when:

- the kselftest bailed out ("Bail out!"), or printed no plan;
- the number of results differs from its "1..N" plan;
- the guest script exited non-zero, yet no result says "not ok";
- nvme printed a timeout, an abort, a controller reset, "completion
  polled" or "Removing after ..." anywhere in the boot: the driver
  recovering from something, a lost doorbell most likely.  The tests
  reset the controller through sysfs, which logs nothing.

usage: vmtest-guest.py CONSOLE_LOG GUEST_EXIT_STATUS
Prints TAP lines (no plan); exit status 1 if any check failed.
"""
import re
import sys

TROUBLE = re.compile(r'nvme.*(timeout|abort|reset controller|'
                     r'completion polled|Removing after)', re.I)

results = []


def tap(ok, desc):
    results.append(ok)
    print('%s %d %s' % ('ok' if ok else 'not ok', len(results), desc))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    console, rc = sys.argv[1], int(sys.argv[2])
    plan, n, failed, bail, trouble = None, 0, 0, None, []
    for line in open(console, errors='replace'):
        line = line.rstrip('\n')
        m = re.match(r'^1\.\.(\d+)$', line)
        if m and plan is None:
            plan = int(m.group(1))
        if re.match(r'^(not )?ok \d+ ', line):
            n += 1
            failed += line.startswith('not ok')
        if line.startswith('Bail out!') and bail is None:
            bail = line
        # The kselftest's diagnostics ("# ...") quote the kernel log
        # themselves; the kernel's own lines are what counts here.
        if not line.startswith('#') and TROUBLE.search(line):
            trouble.append(line.strip())
    tap(bail is None and plan is not None,
        'guest: the kselftest ran to its end%s'
        % ('' if bail is None and plan is not None else
           ': ' + (bail or 'it printed no plan')))
    tap(plan is not None and n == plan,
        'guest: %d results for a plan of %s' % (n, plan))
    tap(rc == 0 or failed > 0,
        'guest: exit status %d%s' % (rc, ', yet no result failed'
                                     if rc and not failed else ''))
    tap(not trouble,
        'guest: no nvme timeout, abort or reset on the console%s'
        % ('' if not trouble else ' (%d lines): %s'
           % (len(trouble), ' | '.join(trouble[:3]))))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
