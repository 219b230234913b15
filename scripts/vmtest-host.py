#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side checks of a nvme-dbbuf kselftest boot, from QEMU's trace.

The guest test marks its workloads ("# MARK name" on the console, and a
Get Features (Timestamp) command that QEMU traces as pci_nvme_getfeat fid
0xe); the k-th console mark is the k-th such trace line.  Between marks
this counts (scripts/doorbells.py, and trace_events() here) controller
enables, Doorbell Buffer Config commands sent (pci_nvme_admin_cmd opc
0x7c) and accepted (pci_nvme_dbbuf_config), admin commands run, I/O queues
created, and MMIO doorbell writes.  Each check is one function, named
check_<what it checks>, and prints one or more TAP lines:

- check_first_load, check_boot_enables: the first load enabled the
  controller once and sent the command once; over the whole boot the
  controller was enabled exactly as often as the guest caused it (the
  first load, plus what each span declares in "# SPAN name enables=N
  configs=N"): an enable the guest did not cause is the driver's own
  recovery;
- check_spans: each span of each test meant to run is there (a missing
  span is a failure, not a skip), with exactly its declared enables and
  accepted commands; the reset span holds at least MIN_RESETS;
- check_config_order: at every enable that received the command, it
  arrived after the enable's last Create I/O Submission Queue and before
  any MMIO doorbell of an I/O queue, as upstream has sent it since
  commit 06c59d427017 ("nvme-pci: set doorbell config before
  unquiescing"); and no enable that created no I/O queue received it;
- check_page_fit: no enable that received the command created an I/O
  queue whose slots lie beyond a 4 KiB shadow doorbell page; run only in
  boots where some enable created a queue that reaches the page, so that
  it can fail (the pagefit test must create one);
- check_armed_span (acct-on, post-reset, post-cycle: the counted
  workload, iodepth 32, 2 jobs, with shadow doorbells): the span ran I/O,
  QEMU trapped at least one I/O queue MMIO doorbell there, and the driver
  suppressed at least one I/O queue update there (EventIdx: SSQ + SCQ of
  "# MMIO-COUNT"): the queues were armed and the controller was served
  through the shadow slots (fio verified the data; check_mmio_counts
  proves that no suppressed update reached MMIO).  The MMIO doorbells per
  I/O against the MMIO-only path are shown, not judged: under TCG they
  move with host load, a performance figure for make bench;
- check_baseline_span (acct-off, no_dbbuf, the MMIO-only path): the span
  ran I/O, QEMU trapped at least one I/O doorbell, and the driver
  suppressed no update (check_shadow_spans runs both);
- check_fail: at each enable of the fail span the driver sent the command
  (one opcode 0x7c per enable) and the controller accepted none; in
  fail-io, where no queue may be armed, the driver's count of its I/O
  MMIO doorbells equals QEMU's, and is not zero, and it suppressed no
  update (a queue armed on a controller that reads no shadow slot loses
  doorbells: timeouts and the driver's recovery, which the console's
  verdict fails);
- check_fail_inject: at each enable of the fail-inject span (nvme-core's
  fault injection fails the command in the guest) the driver sent the
  command once and QEMU accepted it; check_spans holds the span to the
  enables and commands it declares;
- check_admin_unarmed (^dbbuf_admin and no_dbbuf): every admin command QEMU
  ran had been announced by an MMIO doorbell before it ran, and every
  announced one ran: the controller learned nothing from a shadow slot;
- check_admin_armed (the default quirks, dbbuf_admin among them): QEMU
  ran at least one admin command
  before any MMIO doorbell announced it (the shadow doorbell did), and
  the burst made fewer admin SQ MMIO doorbells per command than with
  no_dbbuf;
- check_pagefit: without shadow doorbells (pagefit-mmio) polled I/O rang
  MMIO doorbells on queues past the page and the driver suppressed no
  update; with them (pagefit-poll, on the last queues that fit the page)
  it rang no doorbell past the page, at least one MMIO doorbell, and the
  driver suppressed at least one update.  The doorbells per I/O of the
  two are shown, not judged;
- check_wrap_depth: the wrap test's io_queue_depth=32 took effect: the
  I/O queues of its first enable have 32 entries;
- check_io_queue_count (with --io-queues N): every enable created
  exactly the I/O queues 1..N;
- check_mmio_counts, check_span_coverage: the driver's own count of its
  MMIO doorbells (its tracepoints, "# MMIO-COUNT pre|post GEN ASQ ACQ SQ CQ
  [SSQ SCQ]" around each mark) equals QEMU's, exactly, admin and I/O
  queues, SQ and CQ, between every two marks with no driver reload
  between them, and every span had at least one such pair compared.  A
  mark's own admin SQ doorbell comes before QEMU's trace of it, and its
  CQ doorbell after, so each falls into the interval on its side.

A check that needs the suppressed updates (SSQ SCQ, which the kselftest
prints; an older one printed only GEN ASQ ACQ SQ CQ) fails, saying so,
where the guest printed none around its span.

The console's own verdict (plan, bail-out, driver recovery) is
scripts/vmtest-guest.py's.

usage: vmtest-host.py CONSOLE_LOG TRACE_LOG [TESTS [--io-queues N]]
TESTS: the comma-separated kselftest names that were meant to run
(default: all).  Prints TAP lines (no plan) and "# " notes; exit status 1
if any check failed.
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
    'fail-inject': ['fail-inject'],
    'admin': ['admin-on', 'admin-io-load', 'admin-io', 'admin-load',
              'admin-off', 'admin-restore'],
    'pagefit': ['pagefit-mmio', 'pagefit', 'pagefit-poll',
                'pagefit-restore'],
    'quirks': ['quirks-bad', 'quirks-other', 'quirks-restore'],
}
# Spans that run the MMIO-count workload (iodepth 32, 2 jobs) on armed
# queues, and the one that runs it on the MMIO-only path, as the baseline.
# Their doorbells per I/O differ several times over, but by how much
# depends on timing under TCG (host load): shown, not judged.
MEASURED = ['acct-on', 'post-reset', 'post-cycle']
BASELINE = 'acct-off'
# The reset span must hold at least this many controller resets (the
# kselftest's NR_RESETS_QD32).
MIN_RESETS = 100
# Doorbell Buffer Config's admin opcode.
OPC_DBBUF = 0x7c
# The wrap test's nvme.io_queue_depth.
WRAP_DEPTH = 32
# Admin queue entries when the trace has no AQA write (Linux's
# NVME_AQ_DEPTH).
AQ_DEPTH = 32

results = []


def tap(ok, desc):
    results.append(ok)
    print('%s %d %s' % ('ok' if ok else 'not ok', len(results), desc))


def note(text):
    print('# ' + text)


# --- reading the logs -----------------------------------------------------

class Enable:
    """One controller enable, as QEMU traced it."""

    def __init__(self, interval):
        self.interval = interval    # the mark interval it began in
        self.sent = 0               # Doorbell Buffer Config commands run
        self.accepted = 0           # ... that QEMU accepted
        self.sqs = []               # (sqid, entries) of I/O SQs created
        self.sqs_at_config = None   # len(sqs) when the command was accepted
        self.io_first = 0           # I/O SQ doorbells before that


class AdminQueue:
    """The admin SQ's MMIO tail against the commands QEMU ran from it:
    per mark interval, commands announced by MMIO doorbells, commands
    run, and commands that ran before any MMIO doorbell announced them."""

    def __init__(self, nintervals):
        self.depth = AQ_DEPTH
        self.tail = self.announced = self.ran = 0
        self.per = [dict(announced=0, ran=0, ahead=0)
                    for _ in range(nintervals)]

    def enable(self):
        self.tail = self.announced = self.ran = 0

    def doorbell(self, k, new_tail):
        n = (new_tail - self.tail) % self.depth
        self.tail = new_tail
        self.announced += n
        self.per[k]['announced'] += n

    def command(self, k):
        self.ran += 1
        self.per[k]['ran'] += 1
        if self.ran > self.announced:
            self.per[k]['ahead'] += 1


def trace_events(trace, nmarks):
    """What doorbells.count_events() does not count: the enables (with
    their commands and I/O queues) and the admin queue's MMIO tail against
    the admin commands run."""
    enables = []
    admin = AdminQueue(nmarks + 1)
    k = 0
    with doorbells.open_log(trace) as f:
        for line in f:
            k = trace_line(line, k, nmarks, enables, admin)
    return enables, admin


def trace_line(line, k, nmarks, enables, admin):
    """Account one trace line; the mark interval after it."""
    if 'pci_nvme_getfeat' in line and 'fid 0xe ' in line:
        return k + 1
    k = min(k, nmarks)
    cur = enables[-1] if enables else None
    if 'pci_nvme_mmio_start_success' in line:
        enables.append(Enable(k))
        admin.enable()
    elif 'pci_nvme_mmio_aqattr' in line:
        m = re.search(r'attributes=0x([0-9a-f]+)', line)
        if m:
            admin.depth = (int(m.group(1), 16) & 0xfff) + 1
    elif 'pci_nvme_admin_cmd ' in line:
        m = re.search(r' sqid (\d+) opc 0x([0-9a-f]+)', line)
        if m and int(m.group(1)) == 0:
            admin.command(k)
        if m and int(m.group(2), 16) == OPC_DBBUF and cur:
            cur.sent += 1
    elif 'pci_nvme_dbbuf_config' in line and cur:
        cur.accepted += 1
        if cur.sqs_at_config is None:
            cur.sqs_at_config = len(cur.sqs)
    elif 'pci_nvme_create_sq' in line and cur:
        m = re.search(r'sqid=(\d+), cqid=\d+, qsize=(\d+)', line)
        if m and int(m.group(1)):
            cur.sqs.append((int(m.group(1)), int(m.group(2)) + 1))
    elif 'pci_nvme_mmio_doorbell_sq sqid 0 ' in line:
        m = re.search(r'new_tail (\d+)', line)
        if m:
            admin.doorbell(k, int(m.group(1)))
    elif 'pci_nvme_mmio_doorbell_sq sqid ' in line and cur:
        if cur.sqs_at_config is None:
            cur.io_first += 1
    return k


def parse_console(console):
    """The console's "# IOS name N" and "# SPAN name enables=N configs=N"
    lines."""
    ios, declared = {}, {}
    for line in open(console, errors='replace'):
        m = re.match(r'^# IOS (\S+) (-?\d+)', line)
        if m:
            ios[m.group(1)] = int(m.group(2))
        m = re.match(r'^# SPAN (\S+) enables=(\d+) configs=(\d+)', line)
        if m:
            declared[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return ios, declared


class Boot:
    """Everything the checks read, from the two logs."""

    def __init__(self, console, trace, tests, io_queues):
        self.console, self.tests, self.io_queues = console, tests, io_queues
        self.marks, _ = doorbells.parse_console(console)
        self.ios, self.declared = parse_console(console)
        self.per, k = doorbells.count_events(trace, len(self.marks))
        if k != len(self.marks):
            sys.exit('vmtest-host.py: %d marks on the console, %d in the '
                     'trace' % (len(self.marks), k))
        self.enables, self.admin = trace_events(trace, len(self.marks))
        self.counts = doorbells.parse_counts(console)

    def span_range(self, name):
        """Mark indices (begin, end) of span NAME, or None."""
        try:
            return (self.marks.index(name + '-begin'),
                    self.marks.index(name + '-end'))
        except ValueError:
            return None

    def span(self, name):
        """QEMU's counts between NAME-begin and NAME-end, or None."""
        r = self.span_range(name)
        if r is None:
            return None
        tot = dict(enable=0, config=0, sq=0, cq=0, sqhi=0, cqhi=0, asq=0,
                   acq=0, acmd=0)
        for c in self.per[r[0] + 1:r[1] + 1]:
            for key in tot:
                tot[key] += c[key]
        return tot

    def span_enables(self, name):
        """The enables that began in span NAME."""
        r = self.span_range(name)
        if r is None:
            return []
        return [e for e in self.enables if r[0] < e.interval <= r[1]]

    def span_admin(self, name):
        """The admin queue's announced, run and ahead commands in NAME."""
        r = self.span_range(name)
        tot = dict(announced=0, ran=0, ahead=0)
        for c in self.admin.per[r[0] + 1:r[1] + 1] if r else []:
            for key in tot:
                tot[key] += c[key]
        return tot

    def spans(self):
        return [n for t in self.tests for n in SPANS[t]]


def per_io(s, n):
    """MMIO doorbells per I/O on the I/O queues of span counts S."""
    return (s['sq'] + s['cq']) / n


# --- the checks -----------------------------------------------------------

def check_first_load(b):
    c = b.per[0]
    tap(c['enable'] == 1 and c['config'] == 1,
        'host: the first load enabled the controller once and sent the '
        'command once (%d enables, %d commands)'
        % (c['enable'], c['config']))


def check_boot_enables(b):
    en = sum(c['enable'] for c in b.per)
    cf = sum(c['config'] for c in b.per)
    want_en = 1 + sum(d[0] for d in b.declared.values())
    want_cf = 1 + sum(d[1] for d in b.declared.values())
    tap(en == want_en and cf == want_cf,
        'host: controller enables over the whole boot: %d, the guest caused '
        '%d; Doorbell Buffer Config: %d, expected %d'
        % (en, want_en, cf, want_cf))


def check_spans(b):
    for t in b.tests:
        for name in SPANS[t]:
            s = b.span(name)
            if s is None or name not in b.declared:
                tap(False, 'host: span %s of test %s is missing: the test '
                    'did not get there' % (name, t))
                continue
            en, cf = b.declared[name]
            if name == 'reset' and en < MIN_RESETS:
                tap(False, 'host: reset: the guest declares %d resets, '
                    'fewer than %d' % (en, MIN_RESETS))
            tap(s['enable'] == en and s['config'] == cf,
                'host: %s: %d controller enables and %d commands, '
                'expected %d and %d' % (name, s['enable'], s['config'],
                                        en, cf))


def check_config_order(b):
    got = [e for e in b.enables if e.accepted]
    early = [e for e in got if len(e.sqs) > e.sqs_at_config]
    bare = [e for e in got if not e.sqs]
    io_first = [e for e in got if e.io_first]
    creates = sum(len(e.sqs) for e in b.enables)
    bad = len(set(map(id, early + bare + io_first)))
    tap(got and creates > 0 and not bad,
        "host: each Doorbell Buffer Config arrived after its enable's I/O "
        'queues were created and before their first MMIO doorbell: %d of '
        '%d did (%d I/O queues created; before a queue was created: %d, in '
        'an enable with no I/O queue: %d, after I/O: %d)'
        % (len(got) - bad, len(got), creates, len(early), len(bare),
           len(io_first)))


def check_page_fit(b):
    top = max((q for e in b.enables for q, _ in e.sqs), default=0)
    if top < doorbells.PAGE_QUEUES:
        if 'pagefit' in b.tests:
            tap(False, 'host: pagefit: no enable created an I/O queue that '
                'reaches past the shadow doorbell page (highest qid %d, '
                'need %d): the page check cannot fail here'
                % (top, doorbells.PAGE_QUEUES))
        else:
            note('the page check is not run: no enable created a queue '
                 'past the shadow doorbell page (highest qid %d)' % top)
        return
    beyond = [e for e in b.enables if e.accepted and
              any(q >= doorbells.PAGE_QUEUES for q, _ in e.sqs)]
    tap(not beyond,
        'host: no enable with the command created an I/O queue past the '
        'shadow doorbell page (qid %d and up; qid %d was created): %d did'
        % (doorbells.PAGE_QUEUES, top, len(beyond)))


def baseline(b):
    """The MMIO-only path's doorbells per I/O, or None: it must hold I/O
    and at least one doorbell.  Information only."""
    s, n = b.span(BASELINE), b.ios.get(BASELINE)
    if s is None or not n or not s['sq'] + s['cq']:
        return None
    return per_io(s, n)


def span_suppressed(b, name):
    """The I/O queue updates EventIdx suppressed in span NAME, as the
    driver counted them: ((SSQ, SCQ), how), or (None, why not).  If the
    driver was reloaded in the span, the last load lies in it, and so do
    all that driver's updates up to the span's end: those are taken."""
    r = b.span_range(name)
    if r is None or len(b.counts) != len(b.marks):
        return None, 'no span or no counts around its marks'
    post_b, pre_e = b.counts[r[0]][1], b.counts[r[1]][0]
    if not (post_b and pre_e):
        return None, 'the guest printed no driver counts around it'
    if not (doorbells.has_suppressed(post_b) and
            doorbells.has_suppressed(pre_e)):
        return None, ('the guest printed only "MMIO-COUNT pre|post GEN ASQ '
                      'ACQ SQ CQ", without the suppressed updates SSQ SCQ')
    if post_b[0] == pre_e[0]:
        return doorbells.driver_suppressed(b.counts, r[0], r[1]), ''
    return (pre_e[5], pre_e[6]), ' since the reload in the span'


def suppressed_or_fail(b, name, what):
    """span_suppressed()'s counts, or a failure saying why there are
    none, and None."""
    d, how = span_suppressed(b, name)
    if d is None:
        tap(False, 'host: %s: no suppressed updates to judge in span %s: %s'
            % (what, name, how))
    return d, how


def span_ios(b, name):
    """The span's I/Os ("# IOS NAME N"), or None after a failure."""
    n = b.ios.get(name)
    if not n:
        tap(False, 'host: %s: no "# IOS %s" line or no I/O: nothing ran '
            'to judge' % (name, name))
    return n


def check_shadow_spans(b):
    spans = b.spans()
    poff = baseline(b)
    if BASELINE in spans:
        check_baseline_span(b)
    for name in MEASURED:
        if name in spans:
            check_armed_span(b, name, poff)


def check_baseline_span(b):
    """no_dbbuf: every I/O queue update of the driver was an MMIO
    doorbell, and there were some."""
    s = b.span(BASELINE)
    if s is None:
        return      # check_spans reports it
    n = span_ios(b, BASELINE)
    if not n:
        return
    d, how = suppressed_or_fail(b, BASELINE, BASELINE)
    if d is None:
        return
    tap(s['sq'] + s['cq'] > 0 and d == (0, 0),
        'host: %s: no_dbbuf, the MMIO-only path: the driver suppressed '
        '%d + %d SQ + CQ I/O queue updates%s (need none), QEMU trapped %d '
        'I/O MMIO doorbells (need some) for %d I/Os, %.3f per I/O'
        % (BASELINE, d[0], d[1], how, s['sq'] + s['cq'], n, per_io(s, n)))


def check_armed_span(b, name, poff):
    """Armed I/O queues: the driver left updates to the shadow slots,
    and the controller still needed some MMIO doorbells."""
    s = b.span(name)
    if s is None:
        return      # check_spans reports it
    n = span_ios(b, name)
    if not n:
        return
    pon = per_io(s, n)
    ratio = ('vs %.3f MMIO-only, %.1fx fewer' % (poff, poff / pon)
             if poff and pon else 'no MMIO-only rate to compare')
    d, how = suppressed_or_fail(b, name, name)
    if d is None:
        note('%s: %d I/O MMIO doorbells for %d I/Os, %.3f per I/O %s: '
             'not judged' % (name, s['sq'] + s['cq'], n, pon, ratio))
        return
    tap(s['sq'] + s['cq'] > 0 and sum(d) > 0,
        'host: %s: the I/O queues were armed at iodepth 32, 2 jobs: the '
        'driver suppressed %d + %d SQ + CQ updates%s (need some), QEMU '
        'trapped %d I/O MMIO doorbells (need some) for %d I/Os; %.3f per '
        'I/O (SQ %.3f, CQ %.3f) %s: timing under TCG, not judged'
        % (name, d[0], d[1], how, s['sq'] + s['cq'], n, pon, s['sq'] / n,
           s['cq'] / n, ratio))


def check_sent_once(b, name, what, accepted_all):
    """One Doorbell Buffer Config per controller enable in span NAME, all
    of them accepted by QEMU (ACCEPTED_ALL) or none."""
    en = b.span_enables(name)
    sent = [e.sent for e in en]
    accepted = sum(e.accepted for e in en)
    want = len(en) if accepted_all else 0
    tap(en and all(x == 1 for x in sent) and accepted == want,
        'host: %s: one Doorbell Buffer Config sent per enable, %s: %d '
        'enables, commands sent %s, %d accepted%s'
        % (name, what, len(en), '/'.join(map(str, sent)) or 'none', accepted,
           ' (need all)' if accepted_all else ''))


def check_fail(b):
    check_sent_once(b, 'fail', 'each rejected', False)
    check_unarmed_io(b, 'fail-io', 'fail: after the rejected command')


def check_fail_inject(b):
    check_sent_once(b, 'fail-inject',
                    'each accepted by QEMU (the guest failed it)', True)


def driver_span_io(b, name):
    """The driver's own I/O-queue MMIO doorbells (SQ, CQ) in span NAME,
    or None."""
    r = b.span_range(name)
    if r is None or len(b.counts) != len(b.marks):
        return None
    return doorbells.driver_io_doorbells(b.counts, r[0], r[1])


def check_unarmed_io(b, name, what):
    """No I/O queue armed in span NAME: the driver suppressed no update,
    it counted each of its I/O queue doorbell updates as an MMIO
    doorbell, and QEMU saw exactly those, at least one."""
    s, d = b.span(name), driver_span_io(b, name)
    if s is None or d is None:
        tap(False, 'host: %s: no driver count or no span %s to compare'
            % (what, name))
        return
    sup, how = suppressed_or_fail(b, name, what)
    if sup is None:
        return
    tap(s['sq'] + s['cq'] > 0 and (s['sq'], s['cq']) == d and
        sup == (0, 0),
        'host: %s the I/O queues stayed on MMIO in %s: the driver '
        'suppressed %d + %d SQ + CQ updates%s (need none) and counted '
        '%d + %d SQ + CQ MMIO doorbells, QEMU saw %d + %d (need equal, '
        'not zero)' % (what, name, sup[0], sup[1], how, d[0], d[1],
                       s['sq'], s['cq']))


def check_admin_unarmed(b, name, mode):
    s, a = b.span(name), b.span_admin(name)
    if s is None:
        return      # check_spans reports it
    tap(s['asq'] > 0 and a['ran'] > 0 and a['ahead'] == 0 and
        a['announced'] == a['ran'],
        'host: admin: %s: the admin queue stayed on MMIO: QEMU ran '
        '%d admin commands, %d announced by %d MMIO SQ doorbells, %d before '
        'their doorbell (need all announced, none ahead, not zero)'
        % (mode, a['ran'], a['announced'], s['asq'], a['ahead']))


def check_admin_armed(b):
    on, off = b.span('admin-on'), b.span('admin-off')
    a = b.span_admin('admin-on')
    if not (on and off and on['acmd'] and off['acmd'] and off['asq']):
        tap(False, 'host: admin: no admin commands or no MMIO doorbell '
            'counted in admin-on and admin-off')
        return
    son, soff = on['asq'] / on['acmd'], off['asq'] / off['acmd']
    tap(a['ahead'] > 0 and on['asq'] > 0 and son < soff,
        'host: admin: a burst of %d concurrent admin commands with shadow '
        'doorbells: %d ran before any MMIO doorbell announced them (need '
        'some), %.3f SQ MMIO doorbells per command, %.3f with no_dbbuf '
        '(need fewer, not zero)' % (on['acmd'], a['ahead'], son, soff))


def check_admin(b):
    check_admin_armed(b)
    check_admin_unarmed(b, 'admin-io', '^dbbuf_admin')
    check_admin_unarmed(b, 'admin-off', 'no_dbbuf')


def check_pagefit(b):
    mmio, poll = b.span('pagefit-mmio'), b.span('pagefit-poll')
    nmmio, npoll = b.ios.get('pagefit-mmio'), b.ios.get('pagefit-poll')
    if not (mmio and poll and nmmio and npoll):
        tap(False, 'host: pagefit: no I/O counted in pagefit-mmio and '
            'pagefit-poll')
        return
    pm, pp = per_io(mmio, nmmio), per_io(poll, npoll)
    dm, hm = suppressed_or_fail(b, 'pagefit-mmio', 'pagefit: no_dbbuf')
    if dm is not None:
        tap(mmio['sqhi'] > 0 and dm == (0, 0),
            'host: pagefit: no_dbbuf: polled I/O ran on queues past '
            'the page (%d SQ doorbells there), and the driver suppressed '
            '%d + %d SQ + CQ updates%s (need none)'
            % (mmio['sqhi'], dm[0], dm[1], hm))
    dp, hp = suppressed_or_fail(b, 'pagefit-poll', 'pagefit: polled I/O')
    if dp is not None:
        tap(poll['sqhi'] + poll['cqhi'] == 0 and
            poll['sq'] + poll['cq'] > 0 and sum(dp) > 0,
            'host: pagefit: polled I/O on the last queues with shadow '
            'doorbells: the driver suppressed %d + %d SQ + CQ updates%s '
            '(need some), QEMU trapped %d MMIO doorbells (need some), %d '
            'past the page (need none); %.3f per I/O, %.3f without: not '
            'judged' % (dp[0], dp[1], hp, poll['sq'] + poll['cq'],
                        poll['sqhi'] + poll['cqhi'], pp, pm))


def check_wrap_depth(b):
    en = b.span_enables('wrap')
    sizes = sorted({n for _, n in en[0].sqs}) if en else []
    tap(sizes == [WRAP_DEPTH],
        'host: wrap: nvme.io_queue_depth=%d took effect: the I/O queues of '
        "the span's first enable have %s entries"
        % (WRAP_DEPTH, '/'.join(map(str, sizes)) or 'no'))


def check_io_queue_count(b):
    bad = [sorted(q for q, _ in e.sqs) for e in b.enables
           if sorted(q for q, _ in e.sqs) != list(range(1, b.io_queues + 1))]
    tap(b.enables and not bad,
        'host: each of %d enables created I/O queues 1..%d%s'
        % (len(b.enables), b.io_queues,
           '; one created qids %s' % bad[0] if bad else ''))


def interval_diff(b, k):
    """Driver and QEMU counts for the interval after mark K, or None if
    a reload lies between marks K and K + 1."""
    pre_k, post_k = b.counts[k]
    pre_n, post_n = b.counts[k + 1]
    if not (pre_k and post_k and pre_n and post_n) or \
            not (pre_k[0] == post_k[0] == pre_n[0] == post_n[0]):
        return None
    keys = ('asq', 'acq', 'sq', 'cq')
    g = dict(zip(keys, (pre_n[i] - post_k[i] for i in range(1, 5))))
    g['acq'] += post_k[2] - pre_k[2]   # mark k's CQ doorbell
    g['asq'] += post_n[1] - pre_n[1]   # mark k + 1's SQ doorbell
    c = b.per[k + 1]
    q = {x: c[x] + c['bad_' + x] for x in keys}
    return g, q, c['bad_db']


def check_mmio_counts(b):
    """The driver's MMIO doorbell counts against QEMU's between every two
    marks with no reload between them; the pairs compared, or None."""
    if len(b.counts) != len(b.marks):
        tap(False, 'host: driver MMIO counts: %d marks with counts, %d '
            'marks' % (len(b.counts), len(b.marks)))
        return None
    if not any(pre or post for pre, post in b.counts):
        tap(False, 'host: driver MMIO counts: the guest printed none '
            '(no nvme_dbbuf tracepoints counted: CONFIG_HIST_TRIGGERS off?)')
        return None
    keys = ('asq', 'acq', 'sq', 'cq')
    done, bad, total = set(), [], 0
    for k in range(len(b.marks) - 1):
        d = interval_diff(b, k)
        if d is None:
            continue
        g, q, misaligned = d
        done.add(k)
        total += sum(q.values())
        if g != q or misaligned:
            bad.append('between marks %s and %s: driver %s, QEMU %s%s'
                       % (b.marks[k], b.marks[k + 1],
                          ' '.join('%s=%d' % (x, g[x]) for x in keys),
                          ' '.join('%s=%d' % (x, q[x]) for x in keys),
                          ', %d misaligned' % misaligned
                          if misaligned else ''))
    skipped = len(b.marks) - 1 - len(done)
    tap(done and not bad and total > 0,
        'host: the driver counted exactly the MMIO doorbells QEMU saw, admin '
        'and I/O queues, SQ and CQ, between %d of %d pairs of marks (%d '
        'more with a driver reload between them; %d doorbells compared)%s'
        % (len(done) - len(bad), len(done), skipped, total,
           '; first difference ' + bad[0] if bad else ''))
    return done


def check_span_coverage(b, done):
    uncovered = []
    for name in b.spans():
        r = b.span_range(name)
        if r is None:
            continue    # check_spans reports it
        if not any(k in done for k in range(r[0], r[1])):
            uncovered.append(name)
    tap(not uncovered,
        'host: every span had its MMIO doorbells compared with the '
        "driver's count%s" % (': not ' + ', '.join(uncovered)
                              if uncovered else ''))


def show_rates(b):
    """The reset and reload spans' own workloads differ from the
    baseline's (verifying writes, lower depths); their rates are shown,
    not judged."""
    for name, jobs in (('reset', ('reset-io-qd32', 'reset-io-qd4')),
                       ('cycle', tuple('cycle-%d' % i for i in range(1, 21)))):
        s = b.span(name)
        n = sum(b.ios.get(j, 0) for j in jobs)
        if s and n:
            note('%s span: %d I/Os, %.3f MMIO doorbells per I/O (SQ %.3f, '
                 'CQ %.3f)' % (name, n, per_io(s, n), s['sq'] / n,
                               s['cq'] / n))


def run_checks(b):
    check_first_load(b)
    check_boot_enables(b)
    check_config_order(b)
    check_page_fit(b)
    check_spans(b)
    if 'fail' in b.tests:
        check_fail(b)
    if 'fail-inject' in b.tests:
        check_fail_inject(b)
    if 'admin' in b.tests:
        check_admin(b)
    if 'pagefit' in b.tests:
        check_pagefit(b)
    if 'wrap' in b.tests:
        check_wrap_depth(b)
    if b.io_queues:
        check_io_queue_count(b)
    done = check_mmio_counts(b)
    if done is not None:
        check_span_coverage(b, done)
    check_shadow_spans(b)
    show_rates(b)


def parse_args(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    tests, io_queues = list(SPANS), 0
    rest = argv[3:]
    if rest and not rest[0].startswith('--'):
        if rest[0]:
            tests = rest[0].split(',')
        rest = rest[1:]
    if rest[:1] == ['--io-queues'] and len(rest) == 2:
        io_queues = int(rest[1])
    elif rest:
        sys.exit(__doc__)
    unknown = [t for t in tests if t not in SPANS]
    if unknown:
        sys.exit('vmtest-host.py: unknown tests: %s' % ', '.join(unknown))
    return argv[1], argv[2], tests, io_queues


def main():
    console, trace, tests, io_queues = parse_args(sys.argv)
    run_checks(Boot(console, trace, tests, io_queues))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
