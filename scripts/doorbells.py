#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count MMIO doorbell writes per I/O from a guest run.

The guest brackets each fio job with marks (scripts/guest/lib.sh: mark,
run_fio): a "MARK name" line on the console and a Get Features (Timestamp)
admin command, which QEMU traces as pci_nvme_getfeat fid 0xe.  The k-th
mark on the console is the k-th such trace line, so the doorbells QEMU saw
between NAME-begin and NAME-end belong to fio job NAME, whose JSON report
the guest printed between FIO-JSON-BEGIN/END lines.

usage: doorbells.py CONSOLE_LOG TRACE_LOG [--tsv]
(either log may be gzip-compressed, named *.gz)
Prints, per job: I/Os, IOPS, SQ and CQ doorbells on I/O queues (qid > 0),
their sum per I/O, and the SQ and CQ doorbells the driver itself counted
on its I/O queues (its tracepoints; "-" for a driver without them).
"""
import gzip
import json
import re
import sys


# Queue pairs whose slots fit in one 4 KiB page at the smallest stride.
PAGE_QUEUES = 512


def open_log(path):
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', errors='replace')
    return open(path, errors='replace')


# A kernel message on the console (loglevel=8), which may land between the
# lines of fio's report as the guest prints it.
KMSG = re.compile(r'^\[\s*\d+\.\d+\] ')


def parse_console(path):
    marks, jobs, cur, buf = [], {}, None, []
    with open_log(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if cur is not None:
                if line == 'FIO-JSON-END ' + cur:
                    text = '\n'.join(buf)
                    # fio may print notes before the JSON object.
                    jobs[cur] = json.JSONDecoder().raw_decode(
                        text, text.index('{'))[0]
                    cur, buf = None, []
                elif not KMSG.match(line):
                    buf.append(line)
                continue
            # guest-lib.sh prints "MARK x", the kselftest "# MARK x".
            m = re.match(r'^(?:# )?MARK (\S+)\s*$', line)
            if m:
                marks.append(m.group(1))
            m = re.match(r'^FIO-JSON-BEGIN (\S+)$', line)
            if m:
                cur = m.group(1)
    return marks, jobs


def parse_counts(path):
    """Per console mark, the driver's own counts printed just before and
    just after it, from its tracepoints: [pre, post] pairs of tuples, or None
    where the guest printed "none" or nothing (a driver without
    counters).  Two forms: the kselftest's "MMIO-COUNT pre|post GEN ASQ
    ACQ SQ CQ SSQ SCQ", a 7-tuple, and make run's (scripts/guest/lib.sh)
    and older kselftests' "... GEN ASQ ACQ SQ CQ", a 5-tuple.  GEN counts
    driver loads; ASQ ACQ SQ CQ are MMIO doorbells, of the admin queue
    and summed over the I/O queues; SSQ SCQ are the I/O queues' SQ and CQ
    updates that EventIdx suppressed (never rung on MMIO).  All but GEN
    are cumulative since that load."""
    out, pre = [], None
    with open_log(path) as f:
        for line in f:
            m = re.match(r'^(?:# )?MMIO-COUNT (pre|post) (none|-?\d+(?: \d+)'
                         r'{4}(?: \d+ \d+)?)\s*$', line)
            if m:
                val = None if m.group(2) == 'none' else \
                    tuple(int(x) for x in m.group(2).split())
                if m.group(1) == 'pre':
                    pre = val
                elif out:
                    out[-1][1] = val
                continue
            if re.match(r'^(?:# )?MARK (\S+)\s*$', line):
                out.append([pre, None])
                pre = None
    return out


def driver_io_doorbells(counts, b, e):
    """The I/O queues' SQ and CQ doorbells the driver counted between marks
    b and e (indices), or None if it counted none there or was reloaded
    in between.  Marks ring only the admin queue."""
    if e >= len(counts):
        return None
    post_b, pre_e = counts[b][1], counts[e][0]
    if not (post_b and pre_e) or post_b[0] != pre_e[0]:
        return None
    return pre_e[3] - post_b[3], pre_e[4] - post_b[4]


def has_suppressed(val):
    """Whether a parse_counts() tuple holds the suppressed updates (the
    7-number form)."""
    return bool(val) and len(val) == 7


def driver_suppressed(counts, b, e):
    """The I/O queues' SQ and CQ updates that EventIdx suppressed, as the
    driver counted them, between marks b and e (indices): (SSQ, SCQ), or
    None if the guest printed no such counts there (no counters, or the
    5-number form) or the driver was reloaded in between."""
    if e >= len(counts):
        return None
    post_b, pre_e = counts[b][1], counts[e][0]
    if not (has_suppressed(post_b) and has_suppressed(pre_e)) or \
            post_b[0] != pre_e[0]:
        return None
    return pre_e[5] - post_b[5], pre_e[6] - post_b[6]


def count_events(path, nmarks):
    """Per interval between marks (index k: after the k-th mark), the
    events QEMU traced: MMIO doorbells on I/O queues ('sq', 'cq'),
    controller enables ('enable') and Doorbell Buffer Config commands
    ('config'); of the doorbells, those of queues whose slots lie beyond
    a 4 KiB shadow doorbell page ('sqhi', 'cqhi'); the admin queue's
    doorbells ('asq', 'acq') and the admin commands ('acmd'); doorbell
    writes QEMU ignored, by side and admin or I/O ('bad_asq', 'bad_acq',
    'bad_sq', 'bad_cq'), and misaligned ones ('bad_db').  Returns the list and the number of marks in the trace."""
    counts = [dict(sq=0, cq=0, sqhi=0, cqhi=0, asq=0, acq=0, acmd=0,
                   enable=0, config=0, bad_asq=0, bad_acq=0, bad_sq=0,
                   bad_cq=0, bad_db=0)
              for _ in range(nmarks + 1)]
    k = 0
    with open_log(path) as f:
        for line in f:
            if 'pci_nvme_getfeat' in line and 'fid 0xe ' in line:
                k += 1
                continue
            c = counts[min(k, nmarks)]
            if 'pci_nvme_mmio_start_success' in line:
                c['enable'] += 1
            elif 'pci_nvme_dbbuf_config' in line:
                c['config'] += 1
            elif 'pci_nvme_admin_cmd ' in line:
                c['acmd'] += 1
            elif 'pci_nvme_ub_db_wr_' in line:
                # A doorbell write QEMU ignored (no such queue, a value
                # out of range): still one the driver made.
                m = re.search(r'pci_nvme_ub_db_wr_invalid_(sq|cq)\S* .*'
                              r'[sc]qid=(\d+)', line)
                if m:
                    side = m.group(1)
                    c['bad_' + ('a' if int(m.group(2)) == 0 else '')
                      + side] += 1
                else:
                    c['bad_db'] += 1
            else:
                m = re.search(r'pci_nvme_mmio_doorbell_(sq|cq) [sc]qid (\d+)',
                              line)
                if m and int(m.group(2)) == 0:
                    c['a' + m.group(1)] += 1
                elif m:
                    c[m.group(1)] += 1
                    if int(m.group(2)) >= PAGE_QUEUES:
                        c[m.group(1) + 'hi'] += 1
    return counts, k


def parse_trace(path, nmarks):
    """Per interval between marks: [SQ, CQ] doorbells on I/O queues."""
    counts, k = count_events(path, nmarks)
    return [[c['sq'], c['cq']] for c in counts], k


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    marks, jobs = parse_console(sys.argv[1])
    counts, seen = parse_trace(sys.argv[2], len(marks))
    if seen != len(marks):
        sys.exit('doorbells.py: %d marks on the console but %d in the trace'
                 % (len(marks), seen))
    tsv = '--tsv' in sys.argv
    drv = parse_counts(sys.argv[1])
    if len(drv) != len(marks):
        drv = []
    if not tsv:
        print('%-14s %9s %9s %9s %9s %8s %11s' %
              ('job', 'I/Os', 'IOPS', 'SQ MMIO', 'CQ MMIO', 'per I/O',
               'driver SQ/CQ'))
    for name, rep in jobs.items():
        try:
            b = marks.index(name + '-begin')
            e = marks.index(name + '-end')
        except ValueError:
            sys.exit('doorbells.py: no marks around job ' + name)
        sq = sum(counts[i][0] for i in range(b + 1, e + 1))
        cq = sum(counts[i][1] for i in range(b + 1, e + 1))
        ios = sum(j[d]['total_ios'] for j in rep['jobs']
                  for d in ('read', 'write'))
        iops = sum(j[d]['iops'] for j in rep['jobs'] for d in ('read', 'write'))
        per = (sq + cq) / ios if ios else float('nan')
        d = driver_io_doorbells(drv, b, e) if drv else None
        if tsv:
            print('%s\t%d\t%.0f\t%d\t%d\t%.4f\t%s\t%s'
                  % (name, ios, iops, sq, cq, per,
                     d[0] if d else '-', d[1] if d else '-'))
        else:
            print('%-14s %9d %9.0f %9d %9d %8.3f %11s'
                  % (name, ios, iops, sq, cq, per,
                     '%d/%d' % d if d else '-'))


if __name__ == '__main__':
    main()
