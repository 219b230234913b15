#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a console log and a QEMU trace for one scenario of a kselftest
boot, so that the vmtest's verdict scripts (scripts/vmtest-guest.py,
scripts/vmtest-host.py) can be shown to fail when they should.

The "good" scenario follows a real passing boot of all six tests: the same
spans, marks, declarations, controller enables and commands, and MMIO
doorbell rates (scaled down: a doorbell line stands for itself, and the
I/O counts are small).  Every other scenario changes one thing, the way a
broken driver or a broken test would.

usage: mklogs.py SCENARIO OUTDIR   (writes OUTDIR/console.log, trace.log,
                                    and OUTDIR/rc, the guest's exit status)
       mklogs.py --list
"""
import os
import sys

RESETS = 120
CYCLES = 20


def boot(s):
    """The boot as a list of events, changed by scenario @s."""
    ev = []     # ('con', line) | ('enable',) | ('config',) | ('db', sq, cq)
    ev += [('con', 'guest: Linux 6.1.0-56-amd64, 2 CPUs'),
           ('enable',)]
    if s != 'first-load-no-config':
        ev.append(('config',))
    ev += [('createsq', 1), ('createsq', 2)]
    ev += [('con', 'TAP version 13'), ('con', '1..6')]

    def mark_events(name):
        # As the kselftest's mark(): the driver's counts around it, and
        # the Get Features command's own admin doorbells, its SQ doorbell
        # before QEMU traces it and its CQ doorbell after.
        return [('count', 'pre'), ('con', '# MARK ' + name),
                ('adb', 1, 0), ('mark',), ('adb', 0, 1), ('count', 'post')]

    def mark(name):
        ev.extend(mark_events(name))

    def span(name, enables, configs, body=(), declare=None):
        mark(name + '-begin')
        ev.extend(body)
        d = declare if declare is not None else enables
        ev.append(('con', '# SPAN %s enables=%d configs=%d'
                   % (name, d, configs if declare is None else d)))
        mark(name + '-end')

    loads = [0]

    def load(config=True, late=False, reload=True):
        """A controller enable: a driver reload, which starts the driver's
        counts again and is followed by a mark, or a controller reset."""
        queues = [('createsq', 1), ('createsq', 2)]
        if late:
            ev = [('enable',)] + queues + [('config',)]
        else:
            ev = [('enable',)] + ([('config',)] if config else []) + queues
        if not reload:
            return ev
        loads[0] += 1
        return [('reload',)] + ev + mark_events('loaded-%d' % loads[0])

    def measure(name, ios, per_io):
        n = int(ios * per_io)
        return [('db', n // 2, n - n // 2),
                ('con', '# IOS %s %d' % (name, ios))]

    results = []
    # verify
    if s == 'stray-enable':
        # the driver resets the controller by itself
        ev += load(reload=False)
    results.append('ok 1 fio --verify')
    # accounting
    span('acct-on', 0, 0,
         measure('acct-on', 1000, 1.3 if s == 'acct-on-mmio' else 0.25))
    span('acct-off', 1, 0, load(False) + measure('acct-off', 1000, 1.4))
    span('acct-restore', 1, 1, load())
    results.append('ok 2 accounting')
    # reset
    body = []
    for i in range(RESETS if s != 'few-resets' else 20):
        body += load(not (s == 'reset-no-config' and i == 57),
                     s == 'config-after-queues' and i == 33, reload=False)
        if s == 'queue-past-page' and i == 44:
            body.append(('createsq', 528))
    if s == 'driver-reset':
        body += load(reload=False)
    body += measure('reset-io-qd32', 5000, 0.5)
    if s == 'reset-no-config':
        span('reset', RESETS, RESETS - 1, body, declare=RESETS)
    elif s == 'few-resets':
        span('reset', 20, 20, body)
    else:
        span('reset', RESETS, RESETS, body)
    span('post-reset', 0, 0,
         measure('post-reset', 1000, 1.4 if s == 'mmio-left' else 0.22))
    results.append('ok 3 resets')
    # wrap
    span('wrap', 2, 2, load() + load())
    results.append('ok 4 wrap')
    # cycle
    if s != 'missing-span':
        body = []
        for i in range(CYCLES):
            body += load() + measure('cycle-%d' % (i + 1), 100, 1.7)
        span('cycle', CYCLES, CYCLES, body)
        span('post-cycle', 0, 0, measure('post-cycle', 1000, 0.21))
    results.append('ok 5 cycle')
    # mmio-only
    span('mmio-only', 1, 0, load(False))
    span('mmio-only-restore', 1, 1, load())
    results.append('ok 6 mmio-only')

    if s == 'kernel-timeout':
        ev.append(('con', '[   54.637504] nvme nvme0: I/O 768 (I/O Cmd) '
                   'QID 2 timeout, aborting'))
    if s == 'short-plan':
        results.pop()
    if s == 'bail-out':
        results = results[:2]
        results.append('Bail out! our nvme.ko did not load')
    for r in results:
        ev.append(('con', r))
    if s not in ('bail-out', 'short-plan'):
        ev.append(('con', '# Totals: pass:6 fail:0 xfail:0 xpass:0 '
                   'skip:0 error:0'))
    return ev


SCENARIOS = {
    'good': 'a passing boot',
    'first-load-no-config': 'the first load sends no Doorbell Buffer Config',
    'stray-enable': 'the driver resets the controller by itself, outside '
                    'any span',
    'driver-reset': 'the driver resets the controller by itself during the '
                    'reset test (a lost doorbell recovered)',
    'reset-no-config': 'one reset without the command (not re-armed)',
    'config-after-queues': 'at one reset the command arrives after the '
                           'I/O queues were created',
    'queue-past-page': 'at one reset a queue past the shadow doorbell page '
                       'is created after the command',
    'few-resets': 'the reset test made only 20 resets',
    'acct-on-mmio': 'shadow doorbells on, yet as many MMIO doorbells as '
                    'without them',
    'mmio-left': 'after the resets the queues are left on MMIO',
    'missing-span': 'the cycle test never reached its span',
    'kernel-timeout': 'an nvme timeout on the console',
    'bail-out': 'the kselftest bailed out',
    'short-plan': 'a result is missing from the plan',
    'silent-exit': 'the guest exited 1 with every result ok',
    'count-mismatch': "the driver's count of its MMIO doorbells is one short "
                      "of QEMU's in the acct-on span",
    'count-missing': 'the guest printed no driver counts (no debugfs)',
}


def main():
    if sys.argv[1:] == ['--list']:
        for k, v in SCENARIOS.items():
            print('%s\t%s' % (k, v))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    s, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cid = 0
    gen, cnt, short = 0, dict(asq=0, acq=0, sq=0, cq=0), s == 'count-mismatch'
    with open(os.path.join(out, 'console.log'), 'w') as con, \
            open(os.path.join(out, 'trace.log'), 'w') as tr:
        con.write('VM-ACCEL tcg (synthetic)\n')
        tail = 0
        for e in boot(s):
            if e[0] == 'con':
                con.write(e[1] + '\n')
            elif e[0] == 'count':
                if s == 'count-missing':
                    con.write('# MMIO-COUNT %s none\n' % e[1])
                else:
                    con.write('# MMIO-COUNT %s %d %d %d %d %d\n'
                              % (e[1], gen, cnt['asq'], cnt['acq'],
                                 cnt['sq'], cnt['cq']))
            elif e[0] == 'reload':
                gen += 1
                cnt = dict(asq=0, acq=0, sq=0, cq=0)
            elif e[0] == 'adb':
                if e[1]:
                    tr.write('pci_nvme_mmio_doorbell_sq sqid 0 new_tail 1\n')
                if e[2]:
                    tr.write('pci_nvme_mmio_doorbell_cq cqid 0 new_head 1\n')
                cnt['asq'] += e[1]
                cnt['acq'] += e[2]
            elif e[0] == 'mark':
                cid += 1
                tr.write('pci_nvme_getfeat cid %d nsid 0x0 fid 0xe sel 0x0 '
                         'cdw11 0x0\n' % cid)
            elif e[0] == 'enable':
                tr.write('pci_nvme_mmio_start_success setting controller '
                         'enable bit succeeded\n')
            elif e[0] == 'createsq':
                tr.write('pci_nvme_create_sq create submission queue, '
                         'addr=0x1000, sqid=%d, cqid=%d, qsize=1023, '
                         'qflags=1\n' % (e[1], e[1]))
            elif e[0] == 'config':
                tr.write('pci_nvme_dbbuf_config dbs_addr=0x30454000 '
                         'eis_addr=0x30453000\n')
            else:
                for _ in range(e[1]):
                    tail = (tail + 1) % 1024
                    tr.write('pci_nvme_mmio_doorbell_sq sqid 1 new_tail %d\n'
                             % tail)
                for _ in range(e[2]):
                    tr.write('pci_nvme_mmio_doorbell_cq cqid 1 new_head %d\n'
                             % tail)
                # and one admin command's
                tr.write('pci_nvme_mmio_doorbell_sq sqid 0 new_tail 1\n')
                cnt['sq'] += e[1] - (1 if short and e[1] else 0)
                cnt['cq'] += e[2]
                cnt['asq'] += 1
                short = short and not e[1]
    with open(os.path.join(out, 'rc'), 'w') as f:
        f.write('1\n' if s == 'silent-exit' else '0\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
