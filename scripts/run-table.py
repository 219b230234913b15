#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table `make run` ends with: boots side by side, one column each.

usage: run-table.py LABEL CONSOLE TRACE [LABEL CONSOLE TRACE...]

Per boot: the dbbuf state the guest read in sysfs, the Doorbell Buffer
Config commands QEMU received, the fio job's IOPS, the MMIO doorbells on
the I/O queues as QEMU trapped them and as the driver counted them
(its tracepoints), per I/O, and, against the last column, how many fewer.  Then
what was compared: for each boot with the driver's counters and every
I/O queue armed (state "active ... beyond=0"), its count against QEMU's
over the fio job.  The driver traces only the updates published in a
shadow slot, so a boot without counters (Debian's stock nvme.ko), or with
queues that had none (shadow doorbells off), is named as not compared.
Exit status 1 if a count differs, or a boot with counters and armed
queues has no fio report to compare.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doorbells  # noqa: E402

JOB = 'randread'


def boot(console, trace):
    marks, jobs = doorbells.parse_console(console)
    counts, seen = doorbells.count_events(trace, len(marks))
    if seen != len(marks):
        sys.exit('run-table.py: %d marks on the console, %d in %s'
                 % (len(marks), seen, trace))
    drv = doorbells.parse_counts(console)
    state = '?'
    for line in open(console, errors='replace'):
        m = re.match(r'^DBBUF-STATE (.*)$', line.rstrip())
        if m:
            state = m.group(1)
    r = {'state': state, 'config': sum(c['config'] for c in counts),
         'counters': any(pre or post for pre, post in drv)}
    if JOB not in jobs:
        return r
    b, e = marks.index(JOB + '-begin'), marks.index(JOB + '-end')
    rep = jobs[JOB]
    r['ios'] = sum(j[d]['total_ios'] for j in rep['jobs']
                   for d in ('read', 'write'))
    r['iops'] = sum(j[d]['iops'] for j in rep['jobs']
                    for d in ('read', 'write'))
    r['sq'] = sum(counts[i]['sq'] for i in range(b + 1, e + 1))
    r['cq'] = sum(counts[i]['cq'] for i in range(b + 1, e + 1))
    d = doorbells.driver_io_doorbells(drv, b, e) if len(drv) == len(marks) \
        else None
    r['dsq'], r['dcq'] = d if d else (None, None)
    return r


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    labels = args[0::3]
    boots = [boot(c, t) for c, t in zip(args[1::3], args[2::3])]

    def cell(b, key, fmt):
        v = b.get(key)
        return 'n/a' if v is None else fmt(v)

    def per_io(b, sq, cq):
        if b.get(sq) is None or not b.get('ios'):
            return None
        return (b[sq] + b[cq]) / b['ios']

    rows = [('', labels),
            ('state (/sys/kernel/debug/nvme_dbbuf/nvme0)',
             [b['state'] for b in boots]),
            ('Doorbell Buffer Config, as QEMU saw it',
             [str(b['config']) for b in boots]),
            ('fio 4 KiB randread QD32 x2, IOPS',
             [cell(b, 'iops', '{:,.0f}'.format) for b in boots]),
            ('MMIO doorbells, SQ + CQ, QEMU trapped',
             ['n/a' if b.get('sq') is None else '%d + %d' % (b['sq'], b['cq'])
              for b in boots]),
            ("MMIO doorbells, SQ + CQ, driver's count",
             ['n/a (no counters)' if b.get('dsq') is None else
              'n/a (shadow slots only)' if not armed(b) else
              '%d + %d' % (b['dsq'], b['dcq']) for b in boots]),
            ('MMIO doorbells per I/O (QEMU)',
             [cell({'v': per_io(b, 'sq', 'cq')}, 'v', '{:.3f}'.format)
              for b in boots])]
    ref = per_io(boots[-1], 'sq', 'cq')
    saving = []
    for b in boots:
        p = per_io(b, 'sq', 'cq')
        saving.append('-' if b is boots[-1] or not p or not ref
                      else '%.1fx fewer' % (ref / p))
    rows.append(('traps per I/O against ' + labels[-1], saving))
    w0 = max(len(r[0]) for r in rows)
    ws = [max(len(r[1][i]) for r in rows) for i in range(len(boots))]
    for name, vals in rows:
        print('  %-*s  %s' % (w0, name, '  '.join(
            '%-*s' % (w, v) for w, v in zip(ws, vals))))
    ok = True
    for label, b in zip(labels, boots):
        ok &= compared(label, b)
    return 0 if ok else 1


def armed(b):
    """Whether every I/O queue of boot B had shadow slots: the driver
    traces only those, so only then is its count QEMU's."""
    return bool(re.match(r'active .*\bbeyond=0$', b['state']))


def compared(label, b):
    """Say what was compared for boot LABEL, B; False if it failed."""
    if not b['counters']:
        print('  %s: the driver\'s count not compared: no counters '
              '(no nvme_dbbuf tracepoints)' % label)
        return True
    if not armed(b):
        print('  %s: the driver\'s count not compared: it traces only '
              'queues with shadow slots, and not every I/O queue had them '
              '(state: %s)' % (label, b['state']))
        return True
    if b.get('dsq') is None:
        print('  %s: NOT compared: the driver has counters, but no %s fio '
              'report or no counts around it' % (label, JOB))
        return False
    same = (b['dsq'], b['dcq']) == (b['sq'], b['cq'])
    print('  %s: the driver counted %s the %d + %d SQ + CQ MMIO doorbells '
          'QEMU trapped during fio (driver: %d + %d)'
          % (label, 'exactly' if same else 'NOT', b['sq'], b['cq'],
             b['dsq'], b['dcq']))
    return same


if __name__ == '__main__':
    sys.exit(main())
