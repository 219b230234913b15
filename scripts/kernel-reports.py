#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""List the kernel's own bug reports in a guest console log.

  kernel-reports.py CONSOLE [--expect CLASS]

Classes: lockdep, atomic-sleep, kasan, dma-api, kmemleak, bug, warn.
Prints one line per report found ("CLASS: first line").  Without
--expect, exit status 1 if any report was found.  With --expect CLASS,
exit status 0 only if a report of that class was found.

The debug kernel (tests/kernel/debug.config) has lockdep, KASAN, DMA-API
debugging and kmemleak; each prints a report of its own shape, and any
of them in a boot of the real series is a bug.
"""

import re
import sys

# (class, pattern), first match wins: a lockdep report is also a WARNING.
PATTERNS = [
    ("atomic-sleep", r"BUG: (sleeping function called from invalid context"
                     r"|scheduling while atomic)"),
    ("kasan", r"BUG: KASAN: "),
    ("lockdep", r"WARNING: (possible (recursive|circular) locking|inconsistent lock state"
                r"|suspicious RCU usage|bad unlock balance|held lock freed"
                r"|lock held when returning|possible irq lock inversion)"),
    ("lockdep", r"INFO: (possible recursive locking|lockdep is turned off)"),
    # Not the notices DMA-API debugging prints at boot.
    ("dma-api", r"DMA-API: (?!preallocated \d+ debug entries|debugging "
                r"(enabled|disabled))"),
    ("kmemleak", r"kmemleak: \d+ new suspected memory leaks|unreferenced object 0x"),
    ("bug", r"(?<![A-Za-z])BUG: |Oops: |Kernel panic|general protection fault"),
    ("warn", r"WARNING: CPU: \d+ PID: "),
]


def reports(lines):
    found = []
    for line in lines:
        # The console may prefix a time stamp; the kselftest's kernel-log
        # echo ("# kernel log: <4> ...") is the same report seen again.
        if line.startswith("#"):
            continue
        for cls, pat in PATTERNS:
            if re.search(pat, line):
                found.append((cls, line.strip()))
                break
    return found


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    with open(argv[1], errors="replace") as f:
        found = reports(f)
    for cls, line in found:
        print("%s: %s" % (cls, line[:200]))
    if len(argv) == 4 and argv[2] == "--expect":
        return 0 if any(c == argv[3] for c, _ in found) else 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
