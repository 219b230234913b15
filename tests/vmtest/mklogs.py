#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a console log and a QEMU trace for one scenario of a kselftest
boot, so that the vmtest's verdict scripts (scripts/vmtest-guest.py,
scripts/vmtest-host.py) can be shown to fail when they should.

The "good" scenarios follow real passing boots (scripts/vmtest.sh): the
main boot (verify, accounting, reset, wrap, cycle, mmio-only, fail,
admin, quirks), the one-queue boot (queues1-*) and the many-queue boot
(pagefit-*): the same spans, marks, declarations,
controller enables, commands sent and accepted, I/O queues created, admin
commands and MMIO doorbell rates (scaled down: a doorbell line stands for
itself, and the I/O counts are small), and the console lines the guest
prints: the driver's counts in the kselftest's form "# MMIO-COUNT pre|post
GEN ASQ ACQ SQ CQ SSQ SCQ", with updates suppressed on armed queues only.  Every other scenario changes one thing, the way a broken driver
or a broken test would.

The trace lines are QEMU 7.2's (hw/nvme/trace-events), without the
"pid@time:" prefix of QEMU's log backend, which the verdicts ignore.

usage: mklogs.py SCENARIO OUTDIR   (writes OUTDIR/console.log, trace.log,
                                    OUTDIR/rc, the guest's exit status, and
                                    OUTDIR/host-args, vmtest-host.py's
                                    arguments after the two logs)
       mklogs.py --list
       mklogs.py run-SCENARIO OUTDIR   (a make run boot, for run-table.py)
       mklogs.py --list-run
"""
import os
import sys

RESETS = 120
CYCLES = 20
FAIL_RESETS = 3
PAGE_QUEUES = 512
MANY_QUEUES = 528
AQ_DEPTH = 32
# I/O queue updates EventIdx suppressed per I/O on armed queues at iodepth
# 32 (the driver's SSQ + SCQ): about one, next to 1.4 MMIO doorbells per
# I/O on the MMIO-only path and 0.2-0.3 on armed queues.
SUPPRESSED = 0.9
MAIN_TESTS = ('verify,accounting,reset,wrap,cycle,mmio-only,fail,'
              'fail-inject,admin,quirks')

SCENARIOS = {
    'good': 'a passing main boot',
    'first-load-no-config': 'the first load sends no Doorbell Buffer Config',
    'stray-enable': 'the driver resets the controller by itself, outside '
                    'any span',
    'driver-reset': 'the driver resets the controller by itself during the '
                    'reset test (a lost doorbell recovered)',
    'reset-no-config': 'one reset without the command (not re-armed)',
    'config-before-queues': 'at one reset the command arrives before the '
                            'I/O queues are created',
    'config-without-queues': 'at one reset the controller ends with no I/O '
                             'queue, and the command is sent all the same',
    'io-before-config': 'at one reset the I/O queues ring MMIO doorbells '
                        'before the command (unquiesced before it, as '
                        'upstream did before 06c59d427017)',
    'queue-past-page': 'at one reset a queue past the shadow doorbell page '
                       'is created, and the command sent',
    'few-resets': 'the reset test made only 20 resets',
    'acct-on-mmio': 'shadow doorbells on, yet the queues stayed on MMIO: '
                    'as many MMIO doorbells as without them, no update '
                    'suppressed',
    'mmio-left': 'after the resets the queues are left on MMIO (no update '
                 'suppressed)',
    'post-cycle-unsuppressed': 'in post-cycle the driver suppressed no '
                               'update, though its MMIO doorbells per I/O '
                               'look armed',
    'baseline-suppressed': 'with no_dbbuf (acct-off, the MMIO-only path) '
                           'the driver suppressed updates',
    'five-field': 'the guest printed the driver counts without the '
                  'suppressed updates (GEN ASQ ACQ SQ CQ only)',
    'fail-io-suppressed': 'in fail-io, after the rejected command, the '
                          'driver suppressed updates (a queue armed), yet '
                          'its MMIO doorbells equal QEMU\'s',
    'missing-span': 'the cycle test never reached its span',
    'missing-ios': 'the post-reset span has no "# IOS" line',
    'kernel-timeout': 'an nvme timeout on the console',
    'kick-in-verify': 'a recovery line during the verify test: an I/O '
                      'completed after an MMIO doorbell kick, as an '
                      'earlier version of the series logged a lost '
                      'doorbell it recovered by itself',
    'bail-out': 'the kselftest bailed out',
    'short-plan': 'a result is missing from the plan',
    'silent-exit': 'the guest exited 1 with every result ok',
    'count-mismatch': "the driver's count of its MMIO doorbells is one short "
                      "of QEMU's in the acct-on span",
    'count-missing': 'the guest printed no driver counts (no debugfs)',
    'uncovered-span': 'no pair of marks in the post-cycle span has driver '
                      'counts to compare',
    'zero-doorbells': 'every pci_nvme_mmio_doorbell line removed from the '
                      'trace, and the console counts zeroed',
    'zero-baseline': 'the MMIO-only baseline span made no MMIO doorbell',
    'fail-once': 'the driver sent the command at the first enable of the '
                 'fail span only, not at its resets',
    'fail-inject-rejected': 'in fail-inject, where the guest fails the '
                            'command by fault injection, QEMU rejected it '
                            '(no injection: the controller refused)',
    'fail-io-silent': 'no MMIO doorbell at all in fail-io: the I/O queues '
                      'were armed on a controller that rejected the buffers',
    'admin-on-mmio': 'with shadow doorbells on, every admin command waited '
                     'for its MMIO doorbell: the admin queue not armed',
    'admin-off-shadow': 'with no_dbbuf, QEMU ran an admin command that no '
                        'MMIO doorbell had announced',
    'admin-io-shadow': 'with ^dbbuf_admin, QEMU ran an admin command that no '
                       'MMIO doorbell had announced',
    'wrap-depth': 'the wrap test ran at the default queue depth, not 32',
    'queues1-good': 'a passing one-queue boot',
    'queues1-two': 'the one-queue boot created two I/O queues at one '
                   'enable',
    'pagefit-good': 'a passing many-queue boot',
    'pagefit-past-page': 'with shadow doorbells the driver created all the '
                         'queues, past the page',
    'pagefit-few-queues': 'the many-queue boot never created a queue that '
                          'reaches the page',
    'pagefit-mmio-suppressed': 'with no_dbbuf the driver suppressed '
                               'updates of the polled I/O past the page',
    'pagefit-five-field': 'the many-queue boot printed the driver counts '
                          'without the suppressed updates',
    'pagefit-poll-mmio': 'polled I/O on the last queues stayed on MMIO '
                         'with shadow doorbells: as many MMIO doorbells as '
                         'without, no update suppressed',
    'quirks-bad-enabled': 'the driver loaded with an unknown quirk: the '
                          'controller was enabled, and got the command, in '
                          'quirks-bad',
}


class Boot:
    """A boot as a list of events, for scenario @s."""

    def __init__(self, s):
        self.s = s
        self.ev = []
        self.loads = 0
        # I/O queues per enable: one in the one-queue boot
        self.queues = 1 if s.startswith('queues1-') else 2

    def con(self, line):
        self.ev.append(('con', line))

    def kernel(self, text):
        self.ev.append(('con', '[   54.637504] ' + text))

    def mark_events(self, name):
        # As the kselftest's mark(): the driver's counts around it, and
        # the Get Features command's own admin doorbells, its SQ doorbell
        # before QEMU traces it and its CQ doorbell after.
        return [('count', 'pre', name), ('con', '# MARK ' + name),
                ('adb', 1, 0), ('mark',), ('adb', 0, 1),
                ('count', 'post', name)]

    def mark(self, name):
        self.ev.extend(self.mark_events(name))

    def span(self, name, enables, configs, body=(), declare=None):
        self.mark(name + '-begin')
        self.ev.extend(body)
        d = (enables, configs) if declare is None else declare
        self.con('# SPAN %s enables=%d configs=%d' % (name, d[0], d[1]))
        self.mark(name + '-end')

    def enable(self, config=True, early=False, queues=None, sent=None,
               depth=1024, extra=(), io_first=False):
        """A controller enable: the I/O queues (and EXTRA qids), then the
        command (sent and accepted, or rejected); EARLY sends the command
        first, IO_FIRST rings I/O doorbells before it."""
        qs = [('createsq', q, depth)
              for q in list(range(1, (queues if queues is not None
                                      else self.queues) + 1)) + list(extra)]
        cmd = [('config',)] if config else []
        if sent:
            cmd = [('reject',)]
        if early:
            return [('enable',)] + cmd + qs
        if io_first:
            qs += self.measure('', 8, 1.0, show=False)
        return [('enable',)] + qs + cmd

    def load(self, **kw):
        """A driver reload, which starts the driver's counts again and is
        followed by a mark."""
        self.loads += 1
        return [('reload',)] + self.enable(**kw) + \
            self.mark_events('loaded-%d' % self.loads)

    def measure(self, name, ios, per_io, qid=1, show=True, sup=0.0):
        """IOS I/Os making PER_IO MMIO doorbells each, and SUP updates
        each that EventIdx suppressed (0 on queues not armed)."""
        n, m = int(ios * per_io), int(ios * sup)
        ev = [('db', n // 2, n - n // 2, qid, m - m * 2 // 5, m * 2 // 5)]
        if show:
            ev.append(('con', '# IOS %s %d' % (name, ios)))
        return ev

    def test(self, name):
        self.con('# test ' + name)


def main_boot(b):
    s = b.s
    results = []
    b.test('verify')
    if s == 'kick-in-verify':
        b.kernel('nvme nvme0: I/O 17 QID 1: completed after an MMIO '
                 'doorbell kick (shadow doorbell stall)')
    results.append('ok 1 fio --verify')
    accounting(b)
    if s == 'stray-enable':
        b.ev += b.enable()
    results.append('ok 2 accounting')
    reset(b)
    results.append('ok 3 resets')
    b.test('wrap')
    b.span('wrap', 2, 2, b.load(depth=1024 if s == 'wrap-depth' else 32) +
           b.load())
    results.append('ok 4 wrap')
    cycle(b)
    results.append('ok 5 cycle')
    b.test('mmio-only')
    b.span('mmio-only', 1, 0, b.load(config=False))
    b.span('mmio-only-restore', 1, 1, b.load())
    results.append('ok 6 mmio-only')
    fail(b)
    results.append('ok 7 fail')
    fail_inject(b)
    results.append('ok 8 fail-inject')
    admin(b)
    results.append('ok 9 admin')
    quirks(b)
    results.append('ok 10 quirks')
    if s == 'kernel-timeout':
        b.kernel('nvme nvme0: I/O 768 (I/O Cmd) QID 2 timeout, aborting')
    return results


def accounting(b):
    b.test('accounting')
    mmio = b.s == 'acct-on-mmio'
    b.span('acct-on', 0, 0, b.measure(
        'acct-on', 1000, 1.3 if mmio else 0.25,
        sup=0 if mmio else SUPPRESSED))
    base = 0 if b.s == 'zero-baseline' else 1.4
    b.span('acct-off', 1, 0, b.load(config=False) +
           b.measure('acct-off', 1000, base,
                     sup=0.01 if b.s == 'baseline-suppressed' else 0))
    b.span('acct-restore', 1, 1, b.load())


def reset(b):
    s = b.s
    b.test('reset')
    body = []
    n = 20 if s == 'few-resets' else RESETS
    for i in range(n):
        body += b.enable(
            config=not (s == 'reset-no-config' and i == 57),
            early=s == 'config-before-queues' and i == 33,
            queues=0 if s == 'config-without-queues' and i == 35 else None,
            io_first=s == 'io-before-config' and i == 37,
            extra=(MANY_QUEUES,) if s == 'queue-past-page' and i == 44
            else ())
    if s == 'driver-reset':
        body += b.enable()
    body += b.measure('reset-io-qd32', 5000, 0.5, sup=SUPPRESSED)
    if s == 'reset-no-config':
        b.span('reset', RESETS, RESETS - 1, body, declare=(RESETS, RESETS))
    else:
        b.span('reset', n, n, body)
    left = s == 'mmio-left'
    b.span('post-reset', 0, 0, b.measure(
        'post-reset', 1000, 1.4 if left else 0.22,
        show=s != 'missing-ios', sup=0 if left else SUPPRESSED))


def cycle(b):
    b.test('cycle')
    if b.s == 'missing-span':
        return
    body = []
    for i in range(CYCLES):
        body += b.load() + b.measure('cycle-%d' % (i + 1), 100, 1.7,
                                     sup=0.3)
    b.span('cycle', CYCLES, CYCLES, body)
    b.span('post-cycle', 0, 0, b.measure(
        'post-cycle', 1000, 0.21,
        sup=0 if b.s == 'post-cycle-unsuppressed' else SUPPRESSED))


def fail_inject(b):
    # nvme-core's fault injection fails FAIL_RESETS + 1 commands that QEMU
    # accepted; one more reset succeeds.
    s = b.s
    b.test('fail-inject')
    body = []
    for i in range(FAIL_RESETS + 2):
        body += b.enable(sent=s == 'fail-inject-rejected' and i <= FAIL_RESETS,
                         config=not (s == 'fail-inject-rejected' and
                                     i <= FAIL_RESETS))
    b.span('fail-inject', FAIL_RESETS + 2, FAIL_RESETS + 2, body)
    b.con('# dbbuf state: active armed=3 admin=1 beyond=0')


def fail(b):
    s = b.s
    b.test('fail')
    body = b.load(config=False, sent=True)
    for i in range(FAIL_RESETS):
        body += b.enable(config=False, sent=s != 'fail-once')
    b.span('fail', 1 + FAIL_RESETS, 0, body)
    b.con('# dbbuf state: failed status=0x4002')
    b.span('fail-io', 0, 0, b.measure(
        'fail-io', 1000, 0 if s == 'fail-io-silent' else 1.4,
        sup=0.01 if s == 'fail-io-suppressed' else 0))
    b.span('fail-restore', 1, 1, b.load())


def admin(b):
    s = b.s
    b.test('admin')
    b.span('admin-on', 0, 0, [('burst', 60, s != 'admin-on-mmio')])
    b.span('admin-io-load', 1, 1, b.load())
    # A queue armed by mistake: one command taken from the shadow slot.
    b.span('admin-io', 0, 0, [('burst', 60, 'once' if s == 'admin-io-shadow'
                                else False)])
    b.span('admin-load', 1, 0, b.load(config=False))
    b.span('admin-off', 0, 0, [('burst', 60, 'once'
                                 if s == 'admin-off-shadow' else False)])
    b.span('admin-restore', 1, 1, b.load())


def quirks(b):
    b.test('quirks')
    # An unknown quirk: the driver does not load, so no enable; then the
    # default driver again.
    b.span('quirks-bad', 1, 1,
           b.load() + b.load() if b.s == 'quirks-bad-enabled' else b.load())
    b.span('quirks-other', 1, 1, b.load())
    b.span('quirks-restore', 1, 1, b.load())


def queues1_boot(b):
    b.test('verify')
    accounting(b)
    b.test('wrap')
    b.span('wrap', 2, 2, b.load(depth=32) + b.load())
    return ['ok 1 fio --verify', 'ok 2 accounting', 'ok 3 wrap']


def pagefit_boot(b):
    s = b.s
    b.test('pagefit')
    reach = 6 if s == 'pagefit-few-queues' else MANY_QUEUES
    b.span('pagefit-mmio', 1, 0, b.load(config=False, queues=reach) +
           b.measure('pagefit-mmio', 1000, 1.4, qid=reach,
                     sup=0.01 if s == 'pagefit-mmio-suppressed' else 0))
    fit = MANY_QUEUES if s == 'pagefit-past-page' else PAGE_QUEUES - 1
    b.span('pagefit', 1, 1, b.load(queues=fit))
    mmio = s == 'pagefit-poll-mmio'
    b.span('pagefit-poll', 0, 0, b.measure(
        'pagefit-poll', 1000, 1.4 if mmio else 0.3, qid=PAGE_QUEUES - 1,
        sup=0 if mmio else SUPPRESSED))
    b.span('pagefit-restore', 1, 1, b.load(queues=PAGE_QUEUES - 1))
    return ['ok 1 pagefit']


def boot(s):
    """The boot as a list of events, changed by scenario @s; vmtest-host's
    extra arguments."""
    b = Boot(s)
    b.con('guest: Linux 6.1.0-56-amd64, 2 CPUs')
    if s.startswith('pagefit-'):
        b.ev += b.enable(queues=PAGE_QUEUES - 1)
        body, args = pagefit_boot, ['pagefit']
    elif s.startswith('queues1-'):
        b.ev += b.enable(queues=2 if s == 'queues1-two' else 1)
        body, args = queues1_boot, ['verify,accounting,wrap',
                                    '--io-queues', '1']
    else:
        b.ev += b.enable(config=s != 'first-load-no-config')
        body, args = main_boot, [MAIN_TESTS]
    head = len(b.ev)
    results = body(b)
    b.ev[head:head] = [('con', 'TAP version 13'),
                       ('con', '1..%d' % len(results))]
    if s == 'short-plan':
        results.pop()
    if s == 'bail-out':
        results = results[:2] + ['Bail out! our nvme.ko did not load']
    for r in results:
        b.con(r)
    if s not in ('bail-out', 'short-plan'):
        b.con('# Totals: pass:%d fail:0 xfail:0 xpass:0 skip:0 error:0'
              % len(results))
    return b.ev, args


class Writer:
    """Turns events into the two logs, counting as the driver does."""

    def __init__(self, s, con, tr):
        self.s, self.con, self.tr = s, con, tr
        self.gen, self.cid, self.atail = 0, 0, 0
        self.cnt = dict(asq=0, acq=0, sq=0, cq=0, ssq=0, scq=0)
        self.tails = {}
        self.short = s == 'count-mismatch'

    def trace(self, line):
        if self.s == 'zero-doorbells' and 'pci_nvme_mmio_doorbell' in line:
            return
        self.tr.write(line + '\n')

    def admin_doorbell(self, n=1):
        self.atail = (self.atail + n) % AQ_DEPTH
        self.trace('pci_nvme_mmio_doorbell_sq sqid 0 new_tail %d'
                   % self.atail)
        self.cnt['asq'] += 1

    def admin_cmd(self, opc, name):
        self.cid += 1
        self.trace("pci_nvme_admin_cmd cid %d sqid 0 opc 0x%x opname '%s'"
                   % (self.cid, opc, name))

    def command(self, opc, name):
        """An admin command announced by its MMIO doorbell, then run."""
        self.admin_doorbell()
        self.admin_cmd(opc, name)

    def count(self, when, name):
        if self.s == 'count-missing' or (
                self.s == 'uncovered-span' and (when, name) in (
                    ('post', 'post-cycle-begin'), ('pre', 'post-cycle-end'))):
            self.con.write('# MMIO-COUNT %s none\n' % when)
            return
        c = self.cnt if self.s != 'zero-doorbells' else \
            dict(asq=0, acq=0, sq=0, cq=0, ssq=0, scq=0)
        # The kselftest's form; make run's (and older kselftests') lacks
        # the suppressed updates.
        keys = ('asq', 'acq', 'sq', 'cq') + \
            (() if self.s.endswith('five-field') else ('ssq', 'scq'))
        self.con.write('# MMIO-COUNT %s %d %s\n'
                       % (when, self.gen, ' '.join(str(c[k]) for k in keys)))

    def burst(self, n, armed):
        """N admin commands; armed, every third one runs from the shadow
        slot before the next MMIO doorbell announces it ('once': only the
        second of the burst)."""
        i = 0
        while i < n:
            if armed and i + 1 < n and (armed is True or i == 1):
                self.admin_doorbell()
                self.admin_cmd(0x6, 'NVME_ADM_CMD_IDENTIFY')
                self.admin_cmd(0x6, 'NVME_ADM_CMD_IDENTIFY')
                self.admin_doorbell(2)
                self.admin_cmd(0x6, 'NVME_ADM_CMD_IDENTIFY')
                i += 3
            else:
                self.command(0x6, 'NVME_ADM_CMD_IDENTIFY')
                i += 1
            self.trace('pci_nvme_mmio_doorbell_cq cqid 0 new_head %d'
                       % self.atail)
            self.cnt['acq'] += 1

    def io_doorbells(self, sq, cq, qid, ssq, scq):
        tail = self.tails.get(qid, 0)
        for _ in range(sq):
            tail = (tail + 1) % 1024
            self.trace('pci_nvme_mmio_doorbell_sq sqid %d new_tail %d'
                       % (qid, tail))
        for _ in range(cq):
            self.trace('pci_nvme_mmio_doorbell_cq cqid %d new_head %d'
                       % (qid, tail))
        self.tails[qid] = tail
        self.cnt['sq'] += sq - (1 if self.short and sq else 0)
        self.cnt['cq'] += cq
        self.cnt['ssq'] += ssq
        self.cnt['scq'] += scq
        self.short = self.short and not sq
        # and one admin command's
        self.command(0x2, 'NVME_ADM_CMD_GET_LOG_PAGE')

    def event(self, e):
        k = e[0]
        if k == 'con':
            self.con.write(e[1] + '\n')
        elif k == 'count':
            self.count(e[1], e[2])
        elif k == 'reload':
            self.gen += 1
            self.cnt = dict(asq=0, acq=0, sq=0, cq=0, ssq=0, scq=0)
        elif k == 'adb':
            if e[1]:
                self.admin_doorbell()
            if e[2]:
                self.trace('pci_nvme_mmio_doorbell_cq cqid 0 new_head %d'
                           % self.atail)
                self.cnt['acq'] += 1
        elif k == 'mark':
            self.admin_cmd(0xa, 'NVME_ADM_CMD_GET_FEATURES')
            self.trace('pci_nvme_getfeat cid %d nsid 0x0 fid 0xe sel 0x0 '
                       'cdw11 0x0' % self.cid)
        elif k == 'enable':
            self.trace('pci_nvme_mmio_aqattr wrote MMIO, admin queue '
                       'attributes=0x%x' % ((AQ_DEPTH - 1) * 0x10001))
            self.trace('pci_nvme_mmio_start_success setting controller '
                       'enable bit succeeded')
            self.atail = 0
        elif k == 'createsq':
            self.command(0x1, 'NVME_ADM_CMD_CREATE_SQ')
            self.trace('pci_nvme_create_sq create submission queue, '
                       'addr=0x1000, sqid=%d, cqid=%d, qsize=%d, qflags=1'
                       % (e[1], e[1], e[2] - 1))
        elif k == 'config':
            self.command(0x7c, 'NVME_ADM_CMD_DBBUF_CONFIG')
            self.trace('pci_nvme_dbbuf_config dbs_addr=0x30454000 '
                       'eis_addr=0x30453000')
        elif k == 'reject':
            self.command(0x7c, 'NVME_ADM_CMD_DBBUF_CONFIG')
        elif k == 'burst':
            self.burst(e[1], e[2])
        elif k == 'db':
            self.io_doorbells(*e[1:])


# make run's boots (scripts/guest/demo.sh), for scripts/run-table.py.
RUN_SCENARIOS = {
    'run-good': 'our driver, counts equal',
    'run-stock': "Debian's stock driver: no counters",
    'run-mismatch': "the driver's count one short of QEMU's",
    'run-no-fio': 'our driver, with counters, but no fio report',
    'run-off': 'our driver with no_dbbuf: counters, but no queue traced',
}


def run_boot(s, out):
    """One demo.sh boot: console.log and trace.log in OUT."""
    ours = s != 'run-stock'
    drv = (0, 0) if s == 'run-off' else (3 - (s == 'run-mismatch'), 2)

    def count(when, gen, asq, sq, cq):
        return 'MMIO-COUNT %s %s' % (when, '%d %d %d %d %d' % (
            gen, asq, asq, sq, cq) if ours else 'none')

    state = 'active armed=2 admin=1 beyond=0'
    if s == 'run-off':
        state = 'disabled'
    con = ['DBBUF-STATE ' + (state if ours else 'n/a (no dbbuf attribute)'),
           count('pre', 1, 10, 0, 0), 'MARK randread-begin',
           count('post', 1, 11, 0, 0), count('pre', 1, 11, drv[0], drv[1]),
           'MARK randread-end',
           count('post', 1, 12, drv[0], drv[1])]
    if s != 'run-no-fio':
        con += ['FIO-JSON-BEGIN randread',
                '{"jobs": [{"read": {"total_ios": 100, "iops": 1000}, '
                '"write": {"total_ios": 0, "iops": 0}}]}',
                'FIO-JSON-END randread']
    if ours:
        # demo.sh's cat of /sys/kernel/debug/nvme_dbbuf/nvme0: the admin
        # queue's row, then the I/O queue's (its counts since the load).
        con += ['== the driver\'s counters (/sys/kernel/debug/nvme_dbbuf/'
                'nvme0)',
                'qid sq_mmio sq_suppressed cq_mmio cq_suppressed',
                '0 12 0 12 0',
                '1 %d %d %d %d' % (drv[0], 100 - drv[0], drv[1],
                                   100 - drv[1])]
    tr = ['pci_nvme_getfeat cid 1 nsid 0x0 fid 0xe sel 0x0 cdw11 0x0']
    tr += ['pci_nvme_mmio_doorbell_sq sqid 1 new_tail %d' % i
           for i in (1, 2, 3)]
    tr += ['pci_nvme_mmio_doorbell_cq cqid 1 new_head %d' % i for i in (1, 2)]
    tr.append('pci_nvme_getfeat cid 2 nsid 0x0 fid 0xe sel 0x0 cdw11 0x0')
    os.makedirs(out, exist_ok=True)
    for name, lines in (('console.log', con), ('trace.log', tr)):
        with open(os.path.join(out, name), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return 0


def main():
    if sys.argv[1:] == ['--list-run']:
        for k, v in RUN_SCENARIOS.items():
            print('%s\t%s' % (k, v))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] in RUN_SCENARIOS:
        return run_boot(sys.argv[1], sys.argv[2])
    if sys.argv[1:] == ['--list']:
        for k, v in SCENARIOS.items():
            print('%s\t%s' % (k, v))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    s, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    events, args = boot(s)
    with open(os.path.join(out, 'console.log'), 'w') as con, \
            open(os.path.join(out, 'trace.log'), 'w') as tr:
        con.write('VM-ACCEL tcg (synthetic)\n')
        w = Writer(s, con, tr)
        for e in events:
            w.event(e)
    with open(os.path.join(out, 'rc'), 'w') as f:
        f.write('1\n' if s == 'silent-exit' else '0\n')
    with open(os.path.join(out, 'host-args'), 'w') as f:
        f.write('\n'.join(args) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
