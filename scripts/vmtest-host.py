#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side checks of a nvme-dbbuf kselftest boot, from QEMU's trace.

The guest test marks its workloads ("# MARK name" on the console, and a
Get Features (Timestamp) command that QEMU traces as pci_nvme_getfeat fid
0xe); the k-th console mark is the k-th such trace line.  Between marks
this counts (scripts/doorbells.py) controller enables, Doorbell Buffer
Config commands and MMIO doorbell writes on I/O queues, and checks them:

- over the whole boot, the controller was enabled exactly as often as the
  guest caused it (the first load, plus what each span declares in its
  "# SPAN name enables=N configs=N" line), and so received the command;
  an enable the guest did not cause is the driver's own recovery;
- at every enable that received the command, it arrived before the
  first Create I/O Submission Queue of that enable: the driver arms an
  I/O queue only as it creates it, once the controller has accepted the
  buffers, so a command after the queues exist would leave them on MMIO
  while the controller reads their shadow slots;
- in each span, exactly the declared enables and commands;
- each span of each test that was meant to run is there (a missing span
  is a failure, not a skip);
- after the resets and the reloads, the same workload as the MMIO-only
  baseline still makes several times fewer MMIO doorbells per I/O;
- no enable that received the command created an I/O queue whose slots
  lie beyond a 4 KiB shadow doorbell page (qid 512 and up at QEMU's
  stride): QEMU would take that queue's tail from, and write its EventIdx
  to, memory past the page;
- a controller that rejects the command (fail): the counted workload
  makes about as many MMIO doorbells per I/O as on the MMIO-only path
  (FAIL_RATIO): no queue was armed;
- the admin queue (admin): a burst of concurrent admin commands makes
  fewer admin-queue SQ MMIO doorbells per command with shadow doorbells
  than with dbbuf=off (ADMIN_RATIO), and no more in all; with dbbuf=io, which sends the command
  but leaves the admin queue on MMIO, and with dbbuf=off, nearly one SQ
  doorbell per command (ADMIN_UNARMED_SQ);
- a driver built without the engine (kconfig-off): no Doorbell Buffer
  Config at all;
- with more queues than the page holds (pagefit): polled I/O on the last
  queues, past the page without shadow doorbells, within it with them,
  makes at least 2x fewer MMIO doorbells per I/O with them;
- the driver's own count of its MMIO doorbells (debugfs, printed around
  each mark as "# MMIO-COUNT pre|post GEN ASQ ACQ SQ CQ") equals QEMU's,
  exactly, admin and I/O queues, SQ and CQ, between every two marks with
  no driver reload between them: each reload is followed by a mark of its
  own, so that every stretch of a span after a reload is compared.  A
  mark's own admin SQ doorbell comes before QEMU's trace of it, and its
  CQ doorbell after, so each falls into the interval on its side.

The console's own verdict (plan, bail-out, kernel log) is
scripts/vmtest-guest.py's.

usage: vmtest-host.py CONSOLE_LOG TRACE_LOG [TESTS]
TESTS: the comma-separated kselftest names that were meant to run
(default: all).  Prints TAP lines (no plan); exit status 1 if any check
failed.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doorbells  # noqa: E402

# The spans each kselftest test marks (nvme_dbbuf_test.c).
SPANS = {
    'verify': [],
    'accounting': ['acct-on', 'acct-off', 'acct-restore'],
    'reset': ['reset', 'post-reset'],
    'wrap': ['wrap'],
    'cycle': ['cycle', 'post-cycle'],
    'mmio-only': ['mmio-only', 'mmio-only-restore'],
    'fail': ['fail', 'fail-io', 'fail-restore'],
    'stall': ['stall', 'stall-restore'],
    'admin': ['admin-on', 'admin-io-load', 'admin-io', 'admin-load',
              'admin-off', 'admin-restore'],
    'pagefit': ['pagefit-mmio', 'pagefit', 'pagefit-poll',
                'pagefit-restore'],
    'kconfig-off': ['kconfig-off'],
}
# Spans that run the MMIO-count workload (iodepth 32, 2 jobs), and the one
# that runs it on the MMIO-only path, as the baseline.
MEASURED = ['acct-on', 'post-reset', 'post-cycle']
BASELINE = 'acct-off'
# Shadow doorbells must cut traps per I/O at least this much at iodepth 32
# with 2 jobs.  Here the MMIO-only path measured 1.1-1.6 and shadow
# doorbells 0.2-0.4; queues left on MMIO give a ratio near 1.
MIN_TRAP_RATIO = 2.0
# After a rejected Doorbell Buffer Config, the counted workload must make at
# least this fraction of the MMIO-only path's doorbells per I/O (shadow
# doorbells make a fifth of them).
FAIL_RATIO = 0.75
# With shadow doorbells, a burst of concurrent admin commands must make at
# most this fraction of the admin queue's SQ MMIO doorbells per command of
# the same burst on the MMIO-only path (measured: 0.74-0.88x; unarmed,
# 0.99 SQ doorbells per command), and no more doorbells in all.  The CQ
# doorbells per command follow how completions batch into interrupts, so
# the SQ alone says whether the queue is armed.
ADMIN_RATIO = 0.93
# With the admin queue unarmed (dbbuf=io or off), nearly every admin command
# of the burst rings the SQ doorbell by MMIO (the stock driver, which never
# arms it, measured 0.99); armed, the burst measured 0.74-0.86.
ADMIN_UNARMED_SQ = 0.95
# The reset span must hold at least this many controller resets.
MIN_RESETS = 100

results = []


def tap(ok, desc):
    results.append(ok)
    print('%s %d %s' % ('ok' if ok else 'not ok', len(results), desc))


def config_order(trace):
    """Doorbell Buffer Config commands, and those of them that arrived
    after their enable's first Create I/O Submission Queue; also the
    number of such creations seen at all."""
    configs = late = creates = beyond = 0
    created = configured = past = False
    with doorbells.open_log(trace) as f:
        for line in f:
            if 'pci_nvme_mmio_start_success' in line:
                beyond += configured and past
                created = configured = past = False
            elif 'pci_nvme_create_sq' in line:
                m = re.search(r'sqid=(\d+)', line)
                if m and int(m.group(1)) != 0:
                    created = True
                    creates += 1
                    past |= int(m.group(1)) >= doorbells.PAGE_QUEUES
            elif 'pci_nvme_dbbuf_config' in line:
                configs += 1
                late += created
                configured = True
    beyond += configured and past
    return configs, late, creates, beyond


def check_mmio_counts(console, per, marks, spans):
    """The driver's MMIO doorbell counts against QEMU's, between every
    two marks with no reload between them; each of @spans must hold at
    least one such pair."""
    counts = doorbells.parse_counts(console)
    if len(counts) != len(marks):
        tap(False, 'host: driver MMIO counts: %d marks with counts, %d '
            'marks' % (len(counts), len(marks)))
        return
    if not any(pre or post for pre, post in counts):
        tap(False, 'host: driver MMIO counts: the guest printed none '
            '(no /sys/kernel/debug/nvme_dbbuf: CONFIG_DEBUG_FS off?)')
        return
    keys = ('asq', 'acq', 'sq', 'cq')
    compared = mismatched = skipped = 0
    first_bad = None
    done = set()
    # Interval k lies between mark k and mark k + 1: per[k + 1].
    for k in range(len(marks) - 1):
        pre_k, post_k = counts[k]
        pre_n, post_n = counts[k + 1]
        if not (pre_k and post_k and pre_n and post_n) or \
                not (pre_k[0] == post_k[0] == pre_n[0] == post_n[0]):
            skipped += 1
            continue
        g = dict(zip(keys, (pre_n[i] - post_k[i] for i in range(1, 5))))
        g['acq'] += post_k[2] - pre_k[2]   # mark k's CQ doorbell
        g['asq'] += post_n[1] - pre_n[1]   # mark k + 1's SQ doorbell
        c = per[k + 1]
        q = dict(asq=c['asq'] + c['bad_asq'], acq=c['acq'] + c['bad_acq'],
                 sq=c['sq'] + c['bad_sq'], cq=c['cq'] + c['bad_cq'])
        compared += 1
        ok = g == q and c['bad_db'] == 0
        if not ok:
            mismatched += 1
            if first_bad is None:
                first_bad = ('between marks %s and %s: driver %s, QEMU %s%s'
                             % (marks[k], marks[k + 1],
                                ' '.join('%s=%d' % (x, g[x]) for x in keys),
                                ' '.join('%s=%d' % (x, q[x]) for x in keys),
                                ', %d misaligned' % c['bad_db']
                                if c['bad_db'] else ''))
        done.add(k)
    tap(compared > 0 and mismatched == 0,
        'host: the driver counted exactly the MMIO doorbells QEMU saw, admin '
        'and I/O queues, SQ and CQ, between %d of %d pairs of marks (%d '
        'more with a driver reload between them)%s'
        % (compared - mismatched, compared, skipped,
           '; first difference ' + first_bad if first_bad else ''))
    uncovered = []
    for name in spans:
        try:
            b, e = marks.index(name + '-begin'), marks.index(name + '-end')
        except ValueError:
            continue    # reported missing already
        if not any(k in done for k in range(b, e)):
            uncovered.append(name)
    tap(not uncovered,
        'host: every span had its MMIO doorbells compared with the '
        "driver's count%s" % (': not ' + ', '.join(uncovered)
                              if uncovered else ''))


def main():
    console, trace = sys.argv[1], sys.argv[2]
    tests = list(SPANS)
    if len(sys.argv) > 3 and sys.argv[3]:
        tests = sys.argv[3].split(',')
        unknown = [t for t in tests if t not in SPANS]
        if unknown:
            sys.exit('vmtest-host.py: unknown tests: %s' % ', '.join(unknown))
    marks, _ = doorbells.parse_console(console)
    ios, declared = {}, {}
    for line in open(console, errors='replace'):
        m = re.match(r'^# IOS (\S+) (-?\d+)', line)
        if m:
            ios[m.group(1)] = int(m.group(2))
        m = re.match(r'^# SPAN (\S+) enables=(\d+) configs=(\d+)', line)
        if m:
            declared[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    per, k = doorbells.count_events(trace, len(marks))
    if k != len(marks):
        sys.exit('vmtest-host.py: %d marks on the console, %d in the trace'
                 % (len(marks), k))

    def span(name):
        """Counts between NAME-begin and NAME-end, or None."""
        try:
            b, e = marks.index(name + '-begin'), marks.index(name + '-end')
        except ValueError:
            return None
        tot = dict(enable=0, config=0, sq=0, cq=0, sqhi=0, cqhi=0, asq=0,
                   acq=0, acmd=0)
        for c in per[b + 1:e + 1]:
            for key in tot:
                tot[key] += c[key]
        return tot

    # The whole boot: the first load, then what the spans declare.
    total = dict(enable=0, config=0)
    for c in per:
        total['enable'] += c['enable']
        total['config'] += c['config']
    # A driver built without the engine (the kconfig-off boot) never
    # sends the command.
    engine = 'kconfig-off' not in tests
    want_en = 1 + sum(d[0] for d in declared.values())
    want_cf = int(engine) + sum(d[1] for d in declared.values())
    tap(per[0]['enable'] == 1 and per[0]['config'] == int(engine),
        'host: the first load enabled the controller once and sent the '
        'command %s (%d enables, %d commands)'
        % ('once' if engine else 'never, CONFIG_NVME_PCI_DBBUF=n',
           per[0]['enable'], per[0]['config']))
    tap(total['enable'] == want_en and total['config'] == want_cf,
        'host: controller enables over the whole boot: %d, the guest caused '
        '%d; Doorbell Buffer Config: %d, expected %d'
        % (total['enable'], want_en, total['config'], want_cf))

    configs, late, creates, beyond = config_order(trace)
    if not engine:
        tap(configs == 0,
            'host: CONFIG_NVME_PCI_DBBUF=n: no Doorbell Buffer Config in '
            'the whole boot (%d)' % configs)
    tap(creates > 0 and late == 0,
        'host: each Doorbell Buffer Config arrived before its enable\'s '
        'first I/O queue: %d of %d did (%d I/O queues created)'
        % (configs - late, configs, creates))
    tap(beyond == 0,
        'host: no enable with the command created an I/O queue past the '
        'shadow doorbell page (qid %d and up): %d did'
        % (doorbells.PAGE_QUEUES, beyond))

    for t in tests:
        for name in SPANS[t]:
            s = span(name)
            if s is None or name not in declared:
                tap(False, 'host: span %s of test %s is missing: the test '
                    'did not get there' % (name, t))
                continue
            en, cf = declared[name]
            if name == 'reset' and en < MIN_RESETS:
                tap(False, 'host: reset: the guest declares %d resets, '
                    'fewer than %d' % (en, MIN_RESETS))
            tap(s['enable'] == en and s['config'] == cf,
                'host: %s: %d controller enables and %d commands, '
                'expected %d and %d' % (name, s['enable'], s['config'],
                                        en, cf))

    if 'fail' in tests:
        f, base = span('fail-io'), span(BASELINE)
        if not (f and base and ios.get('fail-io') and ios.get(BASELINE)):
            tap(False, 'host: fail: no I/O counted in fail-io and %s (the '
                'fail test needs the accounting test in the same boot)'
                % BASELINE)
        else:
            pf = (f['sq'] + f['cq']) / ios['fail-io']
            pb = (base['sq'] + base['cq']) / ios[BASELINE]
            tap(pf >= FAIL_RATIO * pb,
                'host: fail: after the rejected command the counted '
                'workload made %.3f MMIO doorbells per I/O, the MMIO-only '
                'path %.3f: no queue armed (need at least %.2fx)'
                % (pf, pb, FAIL_RATIO))

    if 'admin' in tests:
        on, off = span('admin-on'), span('admin-off')
        if not (on and off and on['acmd'] and off['acmd']):
            tap(False, 'host: admin: no admin commands counted in admin-on '
                'and admin-off')
        else:
            pon = (on['asq'] + on['acq']) / on['acmd']
            poff = (off['asq'] + off['acq']) / off['acmd']
            son, soff = on['asq'] / on['acmd'], off['asq'] / off['acmd']
            tap(son <= ADMIN_RATIO * soff and pon <= poff,
                'host: admin: a burst of %d concurrent admin commands made '
                '%.3f admin-queue SQ MMIO doorbells per command with shadow '
                'doorbells, %.3f with dbbuf=off (need at most %.2fx), and '
                '%.3f in all (CQ %.3f), %.3f with dbbuf=off (need no more)'
                % (on['acmd'], son, soff, ADMIN_RATIO, pon,
                   on['acq'] / on['acmd'], poff))
        for name, mode in (('admin-io', 'io'), ('admin-off', 'off')):
            s = span(name)
            if not (s and s['acmd']):
                tap(False, 'host: admin: no admin commands counted in %s'
                    % name)
                continue
            tap(s['asq'] >= ADMIN_UNARMED_SQ * s['acmd'],
                'host: admin: dbbuf=%s: the admin queue stayed on MMIO: '
                '%.3f SQ doorbells per admin command (need at least %.2f), '
                '%.3f in all' % (mode, s['asq'] / s['acmd'],
                                 ADMIN_UNARMED_SQ,
                                 (s['asq'] + s['acq']) / s['acmd']))

    if 'pagefit' in tests:
        mmio, poll = span('pagefit-mmio'), span('pagefit-poll')
        nmmio, npoll = ios.get('pagefit-mmio'), ios.get('pagefit-poll')
        if not (mmio and poll and nmmio and npoll):
            tap(False, 'host: pagefit: no I/O counted in pagefit-mmio and '
                'pagefit-poll')
        else:
            pm = (mmio['sq'] + mmio['cq']) / nmmio
            pp = (poll['sq'] + poll['cq']) / npoll
            tap(mmio['sqhi'] > 0,
                'host: pagefit: dbbuf=off: polled I/O ran on queues past '
                'the page (%d SQ doorbells there)' % mmio['sqhi'])
            tap(poll['sqhi'] + poll['cqhi'] == 0 and 2 * pp <= pm,
                'host: pagefit: polled I/O on the last queues: %.3f MMIO '
                'doorbells per I/O with shadow doorbells (%d past the page), '
                '%.3f without; need 2x fewer'
                % (pp, poll['sqhi'] + poll['cqhi'], pm))

    if engine:
        check_mmio_counts(console, per, marks,
                          [n for t in tests for n in SPANS[t]])

    measured = [n for t in tests for n in SPANS[t] if n in MEASURED]
    if measured:
        base = span(BASELINE)
        if base is None or not ios.get(BASELINE):
            tap(False, 'host: no MMIO-only baseline (span %s) to compare '
                '%s with' % (BASELINE, ', '.join(measured)))
            measured = []
        else:
            poff = (base['sq'] + base['cq']) / ios[BASELINE]
    for name in measured:
        s = span(name)
        if s is None or not ios.get(name):
            continue    # reported missing above
        pon = (s['sq'] + s['cq']) / ios[name]
        tap(pon * MIN_TRAP_RATIO <= poff,
            'host: %s: shadow doorbells cut MMIO traps per I/O at iodepth '
            '32, 2 jobs: %.3f (SQ %.3f, CQ %.3f) vs %.3f MMIO-only, %.1fx '
            'fewer, need %.0fx'
            % (name, pon, s['sq'] / ios[name], s['cq'] / ios[name], poff,
               poff / pon if pon else float('inf'), MIN_TRAP_RATIO))
    # The reset and reload spans' own workloads differ from the baseline's
    # (verifying writes, lower depths); their rates are shown, not judged.
    for name, jobs in (('reset', ('reset-io-qd32', 'reset-io-qd4')),
                       ('cycle', tuple('cycle-%d' % i for i in range(1, 21)))):
        s = span(name)
        n = sum(ios.get(j, 0) for j in jobs)
        if s and n:
            print('# %s span: %d I/Os, %.3f MMIO doorbells per I/O '
                  '(SQ %.3f, CQ %.3f)' % (name, n, (s['sq'] + s['cq']) / n,
                                          s['sq'] / n, s['cq'] / n))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
