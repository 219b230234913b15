#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render the results of `make bench` from its raw data.

usage: bench-report.py [RAW_DIR] [--out DIR] [--no-plot]

RAW_DIR (default build/bench/raw) holds what scripts/bench.sh saved:
bench.env (the run's settings and labels), bench-jobs (the jobs, in
order) and one directory per boot with meta.env, console.log (first line
"VM-ACCEL kvm|tcg (why)" from vm.sh, fio JSON, marks), and
trace.log[.gz] (QEMU trace: all doorbell events in traced boots, only
pci_nvme_dbbuf_config in untraced ones) plus doorbells.tsv
(scripts/doorbells.py's counts) in traced boots.

Writes DIR/bench.md, DIR/bench.csv and, with gnuplot, DIR/bench.png
(DIR defaults to RAW_DIR's parent), prints the tables and a summary.
Per job and driver: IOPS median, min and max over the untraced boots;
SQ and CQ MMIO doorbells per I/O on the I/O queues from the traced boots
(median when several); ratios of ours against stock and against off,
next to stock2 against stock: the stock driver against itself (A/A), from
which each job's noise floor is derived (see noise_floors(); the report
explains the method in its own text).  A ratio is called better or worse
only outside that floor.

Exit status: 0; 3 when the data is INVALID (a driver's shadow doorbells
were not in the state it stands for, or a boot ran the wrong module);
1 on errors, such as boots run under different accelerators.
"""
import csv
import glob
import math
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import doorbells  # noqa: E402

# The drivers, in the order of the tables and the chart (scripts/bench.sh
# boots them stock, ours, off, stock2 in every round).
DRIVERS = ['stock', 'stock2', 'ours', 'off']
DESC = {'stock': "Debian's stock nvme.ko (upstream shadow doorbells)",
        'stock2': "Debian's stock nvme.ko again, in boots of its own "
                  "(the A/A comparison)",
        'ours': 'our nvme.ko',
        'off': None}  # set by load_run(), from OFF_DESC
# How "off" was set, by the console line of the parameter that its boots'
# guest printed (scripts/guest/bench.sh): the no_dbbuf quirk on QEMU's
# controller (BENCH-QUIRKS); in raw data from before that, nvme.dbbuf=off
# (BENCH-DBBUF) or, from before the dbbuf parameter, use_dbbuf=0
# (BENCH-USE-DBBUF).  Older raw data keep their own wording.
PARAM_LINES = {'BENCH-QUIRKS': 'quirks', 'BENCH-DBBUF': 'dbbuf',
               'BENCH-USE-DBBUF': 'use_dbbuf'}
# The parameter as the off boots set it ('current': the key of the one
# the loaded boots used, the quirk without any such line).
OFF_PARAM = {'quirks': 'nvme.quirks=1b36:0010:no_dbbuf', 'dbbuf': 'dbbuf=off',
             'use_dbbuf': 'use_dbbuf=0', 'current': 'quirks'}
# What the chart calls it ("ours with ...", "off (...)").
OFF_SHORT = {'quirks': ('the no_dbbuf quirk', 'no_dbbuf quirk'),
             'dbbuf': ('dbbuf=off', 'dbbuf=off'),
             'use_dbbuf': ('use_dbbuf=0', 'use_dbbuf=0')}
OFF_DESC = {'quirks': 'our nvme.ko with the no_dbbuf quirk '
                      '(nvme.quirks=1b36:0010:no_dbbuf; MMIO doorbells only)',
            'dbbuf': 'our nvme.ko with dbbuf=off (MMIO doorbells only)',
            'use_dbbuf': 'our nvme.ko with use_dbbuf=0 (MMIO doorbells only)'}
# The boots table's column of the parameter's value as the guest read it.
PARAM_COLUMN = {'quirks': 'quirks parameter', 'dbbuf': 'dbbuf parameter',
                'use_dbbuf': 'dbbuf parameter'}
# QEMU's NVMe controller, the one the off boots set the quirk on.
QEMU_NVME = (0x1b36, 0x0010)
# A boot during which other processes took at least this share of the
# host's CPU (percent; bench.sh measures it) is listed as sharing the host.
BUSY = 5
# The metrics compared: key, label, whether higher is better.
METRICS = [('iops', 'IOPS', True), ('mmio', 'MMIO/IO', False)]
# Ratios are printed with two decimals: a noise floor below half a unit of
# the last digit would call better or worse a ratio printed as 1.00.  Floors
# are factors on a log scale (see noise_floors), so this one is ln(1.005).
RESOLUTION = math.log(1.005)


# The run's data goes through three stages, each in its own part of this
# file: load (parse_args, load_run, load_boot: the raw data, and the
# problems and notes each boot shows), aggregate (analyse: the accelerator
# check, the per-job cells, noise floors, verdicts, the INVALID line and
# the summary's figures, into one dict, the run) and render (the tables
# and texts made from the run, bench.md, bench.csv, the chart and the
# terminal).  Rendering computes no figure and judges nothing.


# --- load --------------------------------------------------------------------


def die(msg, code=1):
    sys.stderr.write('bench-report.py: error: %s\n' % msg)
    sys.exit(code)


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if '=' in line:
                k, v = line.split('=', 1)
                env[k] = v
    return env


def first(*paths):
    for p in paths:
        if os.path.exists(p):
            return p
    return None


def parse_args(argv):
    """RAW_DIR, the output directory and whether to plot, from ARGV; None
    for --help."""
    args = [a for a in argv[1:] if not a.startswith('--')]
    out = None
    if '--out' in argv:
        i = argv.index('--out')
        out = argv[i + 1]
        args = [a for a in args if a != out]
    if '-h' in argv or '--help' in argv:
        return None
    raw = args[0] if args else os.path.join(HERE, '..', 'build', 'bench', 'raw')
    raw = os.path.abspath(raw)
    out = os.path.abspath(out or os.path.dirname(raw))
    return raw, out, '--no-plot' not in argv


def read_jobs(raw):
    """The jobs of RAW/bench-jobs, in order, and {job: (drive, fio
    arguments)}."""
    order, jobargs = [], {}
    jf = os.path.join(raw, 'bench-jobs')
    if os.path.exists(jf):
        with open(jf) as f:
            for line in f:
                p = line.split(None, 2)
                if p and not p[0].startswith('#'):
                    order.append(p[0])
                    jobargs[p[0]] = (p[1], p[2].strip() if len(p) > 2 else '')
    return order, jobargs


def load_run(raw):
    """bench.env, the jobs' order and arguments and the boots of RAW_DIR;
    exits 1 when it is not the raw data of make bench or has no boots."""
    if not os.path.exists(os.path.join(raw, 'bench.env')):
        die('%s has no bench.env: not the raw data of make bench' % raw)
    env = read_env(os.path.join(raw, 'bench.env'))
    order, jobargs = read_jobs(raw)
    boots = [load_boot(os.path.dirname(m), env)
             for m in sorted(glob.glob(os.path.join(raw, '*', 'meta.env')))]
    if not boots:
        die('no boots under %s' % raw)
    # Every boot of a run printed the same line; the first one found.
    OFF_PARAM['current'] = next((b['param'] for b in boots if b.get('param')),
                                'quirks')
    DESC['off'] = OFF_DESC[OFF_PARAM['current']]
    return env, order, jobargs, boots


def fio_iops(rep):
    """IOPS and I/Os of one fio JSON report, or None when the job failed."""
    if any(j.get('error', 0) for j in rep['jobs']):
        return None
    iops = sum(j[d]['iops'] for j in rep['jobs'] for d in ('read', 'write'))
    ios = sum(j[d]['total_ios'] for j in rep['jobs'] for d in ('read', 'write'))
    return iops, ios


def load_boot(d, env):
    """One boot of directory D: its settings, fio results and doorbell
    counts, the problems that make its data INVALID ('problems') and what
    else the report should say about it ('notes')."""
    meta = read_env(os.path.join(d, 'meta.env'))
    rnd = meta.get('ROUND', '')
    b = {'dir': d, 'name': os.path.basename(d), 'kind': meta.get('KIND'),
         'driver': meta.get('DRIVER'),
         'round': int(rnd) if rnd.isdigit() else None,
         'accel': None, 'accel_why': None,
         'rc': int(meta.get('RC', '1') or 1),
         'seconds': meta.get('SECONDS', '?'), 'problems': [], 'notes': [],
         'other_cpu': int(meta['OTHER_CPU']) if meta.get('OTHER_CPU') else None,
         'jobs': {}, 'doorbells': {}, 'driver_doorbells': {}}
    console = first(os.path.join(d, 'console.log'),
                    os.path.join(d, 'console.log.gz'))
    if b['rc'] != 0:
        b['notes'].append('guest exit %d' % b['rc'])
    if (b['other_cpu'] or 0) >= BUSY:
        b['notes'].append('other processes took %d%% of the host CPU'
                          % b['other_cpu'])
    if not console:
        b['notes'].append('no console log')
        b['accel'] = meta.get('ACCEL') or None
        return b
    marks, jobs = read_console(b, console)
    if b['accel'] is None:
        # raw data of a bench.sh older than vm.sh's VM-ACCEL line
        b['accel'] = meta.get('ACCEL') or None
    trace = first(os.path.join(d, 'trace.log'), os.path.join(d, 'trace.log.gz'))
    b['dbbuf_config'] = count_dbbuf_config(trace)
    check_boot(b, env)
    if b['kind'] == 'traced':
        read_doorbells(b, trace, marks, jobs)
    return b


def read_console(b, console):
    """Boot B's fio results and what the guest and vm.sh printed on the
    console: accelerator, srcversion, the parameter that turns shadow
    doorbells off (the quirks, or dbbuf in older raw data), kernel
    complaints.
    Returns the marks and the fio reports, for the doorbell counts."""
    try:
        marks, jobs = doorbells.parse_console(console)
    except (ValueError, KeyError) as e:
        b['notes'].append('unreadable console log (%s)' % e)
        marks, jobs = [], {}
    for name, rep in jobs.items():
        r = fio_iops(rep)
        if r is None:
            b['notes'].append('fio job %s failed' % name)
        else:
            b['jobs'][name] = r
    src = use = None
    dmesg = []
    with doorbells.open_log(console) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('VM-ACCEL ') and b['accel'] is None:
                # vm.sh's first line: VM-ACCEL kvm|tcg (why)
                m = re.match(r'^VM-ACCEL (\S+)(?: \((.*)\))?\s*$', line)
                if m:
                    b['accel'], b['accel_why'] = m.group(1), m.group(2)
            elif line.startswith('NVME-SRCVERSION '):
                src = line.split(' ', 1)[1].strip()
            elif line.split(' ', 1)[0] in PARAM_LINES:
                # BENCH-QUIRKS; BENCH-DBBUF or BENCH-USE-DBBUF in raw
                # data of a bench.sh from before the quirk
                key, _, use = line.partition(' ')
                b['param'] = PARAM_LINES[key]
                use = use.strip()
                if not use and b['param'] == 'quirks':
                    use = 'none'  # an empty quirks parameter
            elif line.startswith('BENCH-DMESG '):
                dmesg.append(line.split(' ', 1)[1].strip())
    b['srcversion'], b['use_dbbuf'], b['dmesg'] = src, use, dmesg
    return marks, jobs


def count_dbbuf_config(trace):
    """The Doorbell Buffer Config commands QEMU traced, None without a
    trace."""
    if not trace:
        return None
    ndb = 0
    with doorbells.open_log(trace) as f:
        for line in f:
            if 'pci_nvme_dbbuf_config' in line:
                ndb += 1
    return ndb


def sets_no_dbbuf(quirks):
    """Whether a value of nvme.quirks= (VID:DID:name[,name...], entries
    joined by '-', ^name clears, the first entry of a device counts) sets
    the no_dbbuf quirk on QEMU's controller."""
    for entry in quirks.split('-'):
        p = entry.split(':', 2)
        try:
            dev = (int(p[0], 16), int(p[1], 16))
        except (ValueError, IndexError):
            continue
        if dev == QEMU_NVME and len(p) == 3:
            return 'no_dbbuf' in p[2].split(',')
    return False


def check_boot(b, env):
    """Whether boot B ran the module it should and had shadow doorbells in
    the state its driver stands for: the problems that make it INVALID."""
    src, use, ndb = b['srcversion'], b['use_dbbuf'], b['dbbuf_config']
    want = env.get('SRC_' + (b['driver'] or ''))
    if src is None:
        b['notes'].append('no srcversion on the console')
    elif want and src != want:
        b['problems'].append('ran nvme.ko srcversion %s, not %s' % (src, want))
    if b['driver'] == 'off':
        param = b.get('param') or OFF_PARAM['current']
        if ndb:
            b['problems'].append('shadow doorbells on: QEMU got Doorbell '
                                 'Buffer Config with %s' % OFF_PARAM[param])
        if param == 'quirks':
            if use not in (None, 'n/a') and not sets_no_dbbuf(use):
                b['problems'].append('quirks reads %s, which does not set '
                                     'no_dbbuf on %04x:%04x'
                                     % (use, QEMU_NVME[0], QEMU_NVME[1]))
        elif use not in (None, 'N', '0', 'off', 'n/a'):
            b['problems'].append('%s reads %s' % (param, use))
        if use == 'n/a':
            b['problems'].append('the driver has no %s parameter' % param)
        for m in b['dmesg']:
            b['problems'].append('kernel: ' + m)
    elif ndb == 0 and b['jobs']:
        b['problems'].append('shadow doorbells off: QEMU never got '
                             'Doorbell Buffer Config')
    if ndb is None:
        b['notes'].append('no trace: shadow doorbell state unchecked')


def read_doorbells(b, trace, marks, jobs):
    """Traced boot B's SQ and CQ MMIO doorbells per I/O, per job, from
    doorbells.tsv or else from its trace; and the driver's own counts."""
    tsv = os.path.join(b['dir'], 'doorbells.tsv')
    rows = []
    if os.path.exists(tsv) and os.path.getsize(tsv) > 0:
        with open(tsv) as f:
            rows = [ln.rstrip('\n').split('\t') for ln in f if ln.strip()]
        # Columns 7 and 8 (newer doorbells.py): the I/O queues' SQ and
        # CQ doorbells the driver itself counted, or "-".
        for r in rows:
            if len(r) >= 8 and r[6] != '-' and int(r[1]) > 0:
                dsq, dcq = int(r[6]), int(r[7])
                b['driver_doorbells'][r[0]] = (dsq / int(r[1]),
                                               dcq / int(r[1]))
                if (dsq, dcq) != (int(r[3]), int(r[4])):
                    b['notes'].append(
                        '%s: the driver counted %d SQ and %d CQ MMIO '
                        'doorbells, QEMU %s and %s'
                        % (r[0], dsq, dcq, r[3], r[4]))
        rows = [(r[0], int(r[1]), int(r[3]), int(r[4])) for r in rows]
    elif trace and marks:
        counts, seen = doorbells.parse_trace(trace, len(marks))
        if seen != len(marks):
            b['notes'].append('%d marks on the console, %d in the trace'
                              % (len(marks), seen))
        else:
            for name, rep in jobs.items():
                if name + '-begin' not in marks or name + '-end' not in marks:
                    continue
                i0 = marks.index(name + '-begin')
                i1 = marks.index(name + '-end')
                sq = sum(counts[i][0] for i in range(i0 + 1, i1 + 1))
                cq = sum(counts[i][1] for i in range(i0 + 1, i1 + 1))
                r = fio_iops(rep)
                if r:
                    rows.append((name, r[1], sq, cq))
    else:
        b['notes'].append('no doorbell counts')
    for name, ios, sq, cq in rows:
        if name in b['jobs'] and ios > 0:
            b['doorbells'][name] = (sq / ios, cq / ios)


# --- aggregate ---------------------------------------------------------------


def check_accel(boots):
    """The accelerator of every boot that measured something, or exit 1
    when they differ (or one is unknown): such boots are not comparable."""
    used = [b for b in boots if b['jobs']]
    unknown = [b['name'] for b in used if not b['accel']]
    if unknown:
        die('no accelerator recorded for boot(s) %s (no VM-ACCEL line in '
            'the console log, no ACCEL in meta.env), so they cannot be put '
            'in one comparison with the others; run make bench again'
            % ', '.join(unknown))
    groups = {}
    for b in used:
        groups.setdefault(b['accel'], []).append(b['name'])
    if len(groups) > 1:
        order = sorted(groups, key=lambda a: (len(groups[a]), a))
        desc = []
        for a in order:
            names = groups[a]
            if a == order[-1] and len(names) > 8:
                desc.append('%s: the other %d boots (%s ... %s)'
                            % (a.upper(), len(names), names[0], names[-1]))
            else:
                desc.append('%s: %s' % (a.upper(), ', '.join(names)))
        die('the boots ran under different accelerators, and boots of '
            'different accelerators cannot be put in one comparison: %s. '
            'Run make bench again (ACCEL=kvm or ACCEL=tcg makes every boot '
            'use one).' % '; '.join(desc))
    if not groups:
        return '?', []
    accel = next(iter(groups))
    whys = list(dict.fromkeys(b['accel_why'] for b in used if b['accel_why']))
    return accel, whys


def med(xs):
    return statistics.median(xs) if xs else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def gmean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None



VALUE = {'iops': 'iops_med', 'mmio': 'mmio'}


def aggregate(boots, jobs):
    """Per job and driver, the figures of the tables: {(job, driver):
    cell}, with IOPS from the untraced boots, MMIO doorbells per I/O from
    the traced ones, and the ratios of ours against stock and off and of
    stock2 against stock."""
    cells = {}
    for job in jobs:
        for drv in DRIVERS:
            # INVALID boots count too: their rows are flagged, not hidden.
            bs = [b for b in boots if b['driver'] == drv]
            un = [b for b in bs if b['kind'] == 'untraced' and job in b['jobs']]
            iops = [b['jobs'][job][0] for b in un]
            tr = [b for b in bs if b['kind'] == 'traced' and job in b['doorbells']]
            sq = med([b['doorbells'][job][0] for b in tr])
            cq = med([b['doorbells'][job][1] for b in tr])
            tot = [sum(b['doorbells'][job]) for b in tr]
            gtot = [sum(b['driver_doorbells'][job]) for b in tr
                    if job in b['driver_doorbells']]
            tiops = med([b['jobs'][job][0] for b in tr])
            cells[job, drv] = {
                'iops_med': med(iops), 'iops_min': min(iops) if iops else None,
                'iops_max': max(iops) if iops else None, 'n': len(iops),
                'sq': sq, 'cq': cq, 'mmio': med(tot), 'gmmio': med(gtot),
                'mmio_min': min(tot) if tot else None,
                'mmio_max': max(tot) if tot else None,
                'ntraced': len(tr), 'iops_traced': tiops,
                # per round, for the per-boot A/A pairs
                'iops_rounds': {b['round']: b['jobs'][job][0] for b in un},
                'mmio_rounds': {b['round']: sum(b['doorbells'][job])
                                for b in tr}}
    for job in jobs:
        for drv, ref in (('ours', 'stock'), ('ours', 'off'),
                         ('stock2', 'stock')):
            for m, _, _ in METRICS:
                cells[job, drv]['%s_vs_%s' % (m, ref)] = ratio(
                    cells[job, drv][VALUE[m]], cells[job, ref][VALUE[m]])
    return cells


def noise_floors(cells, jobs):
    """Per job and metric, the noise floor derived from the A/A comparison
    (stock2 against stock); method_text() says the same in words.  All on a
    log scale, so that a ratio r and 1/r are equally far from 1:
      dev   = |ln(stock2/stock)|, the ratio of medians (as ours/stock is)
      pairs = stock2/stock of each round's two boots (per-boot ratios)
      half  = (ln max(pairs) - ln min(pairs)) / 2, 0 with fewer than two
      own   = dev + half
      floor = max(own, RESOLUTION) with two pairs or more; with fewer,
              max(own, the largest dev of any job of the run, RESOLUTION)
    Returns {(job, metric): {...}} and {metric: (largest dev, its job)}."""
    nf, worst = {}, {}
    for m, _, _ in METRICS:
        for job in jobs:
            s1 = cells[job, 'stock'][m + '_rounds']
            s2 = cells[job, 'stock2'][m + '_rounds']
            pairs = [s2[r] / s1[r] for r in sorted(set(s1) & set(s2),
                                                   key=lambda r: r or 0)
                     if s1[r]]
            aa = cells[job, 'stock2'][m + '_vs_stock']
            dev = None if not aa else abs(math.log(aa))
            half = (math.log(max(pairs) / min(pairs)) / 2
                    if len(pairs) >= 2 and min(pairs) > 0 else 0.0)
            nf[job, m] = {'aa': aa, 'pairs': pairs, 'dev': dev, 'half': half,
                          'own': None if dev is None else dev + half}
        devs = [(nf[j, m]['dev'], j) for j in jobs
                if nf[j, m]['dev'] is not None]
        worst[m] = max(devs) if devs else (None, None)
        for job in jobs:
            e = nf[job, m]
            if e['own'] is None:
                e['floor'], e['set_by'] = None, None
                continue
            guard = worst[m][0] if len(e['pairs']) < 2 else 0.0
            e['floor'] = max(e['own'], guard, RESOLUTION)
            e['set_by'] = ('this job' if e['floor'] == e['own'] else
                           'largest (a) of the run' if e['floor'] == guard
                           else 'resolution')
    return nf, worst


def verdict(r, floor, higher_better):
    if r is None:
        return 'n/a'
    if floor is None:
        return 'no floor'
    if r <= 0:
        return 'n/a'
    if abs(math.log(r)) <= floor:
        return 'within noise'
    return 'better' if (r > 1) == higher_better else 'worse'


def judge(cells, nf, jobs):
    """The verdicts on ours: {(job, metric, reference): verdict}, against
    stock and against off, within the job's noise floor for the metric."""
    vd = {}
    for job in jobs:
        for m, _, up in METRICS:
            for ref in ('stock', 'off'):
                vd[job, m, ref] = verdict(
                    cells[job, 'ours']['%s_vs_%s' % (m, ref)],
                    nf[job, m]['floor'], up)
    return vd


def invalidity(boots):
    """The drivers with boots whose data is INVALID, in table order, and
    the INVALID line that says why ('' when there are none)."""
    bad = [b for b in boots if b['problems']]
    bad_drv = sorted({b['driver'] for b in bad},
                     key=lambda d: DRIVERS.index(d) if d in DRIVERS else 9)
    if not bad:
        return bad_drv, ''
    why = []
    for d in bad_drv:
        nd = len([b for b in boots if b['driver'] == d])
        probs = [p for b in bad if b['driver'] == d for p in b['problems']]
        for p in dict.fromkeys(probs):
            why.append('%s: %s (%d of %d boots)'
                       % (d, p, probs.count(p), nd))
    return bad_drv, 'INVALID: ' + '; '.join(why)


def boots_made(boots, kind):
    """The boots of KIND the run made per driver (the most of any driver),
    which may be fewer than it planned (a run stopped early)."""
    return max([len([b for b in boots if b['kind'] == kind and
                     b['driver'] == d]) for d in DRIVERS] or [0])


def largest_saving(cells, jobs):
    """The job where ours traps the most fewer MMIO doorbells per I/O than
    off: (job, saving, ours, off), or None."""
    best = None
    for j in jobs:
        s, o = cells[j, 'off']['mmio'], cells[j, 'ours']['mmio']
        if s and o is not None and (best is None or s - o > best[1]):
            best = (j, s - o, o, s)
    return best


def summary_figures(cells, nf, jobs, boots):
    """The figures the summary quotes: the geometric means and ranges of
    ours' ratios ('gmean', 'range'), the A/A IOPS ratios, the median MMIO
    doorbells per I/O of each driver, the boot-to-boot IOPS spreads, the
    traced boots' slowdown, the largest saving, the noise floors per
    metric, and the boots on a busy or unmeasured host."""
    keys = ('iops_vs_stock', 'iops_vs_off', 'mmio_vs_stock', 'mmio_vs_off')
    return {
        'gmean': {k: gmean([cells[j, 'ours'][k] for j in jobs]) for k in keys},
        'range': {k: [cells[j, 'ours'][k] for j in jobs
                      if cells[j, 'ours'][k] is not None] for k in keys},
        'aa_iops': [cells[j, 'stock2']['iops_vs_stock'] for j in jobs
                    if cells[j, 'stock2']['iops_vs_stock'] is not None],
        'mmio': {d: med([cells[j, d]['mmio'] for j in jobs
                         if cells[j, d]['mmio'] is not None])
                 for d in DRIVERS},
        'spreads': [(c['iops_max'] - c['iops_min']) / c['iops_med']
                    for c in cells.values() if c['n'] >= 2 and c['iops_med']],
        'slow': [c['iops_traced'] / c['iops_med'] for c in cells.values()
                 if c['iops_traced'] and c['iops_med']],
        'best': largest_saving(cells, jobs),
        'floors': {m: [nf[j, m]['floor'] for j in jobs
                       if nf[j, m]['floor'] is not None]
                   for m, _, _ in METRICS},
        'busy': [b for b in boots if (b['other_cpu'] or 0) >= BUSY],
        'unmeasured': [b for b in boots if b['other_cpu'] is None]}


def analyse(env, order, jobargs, boots):
    """Everything the report says, as figures and verdicts: the run.
    Exits 1 when the boots ran under different accelerators."""
    accel, whys = check_accel(boots)
    seen = {j for b in boots for j in b['jobs']}
    jobs = [j for j in order if j in seen] + sorted(seen - set(order))
    cells = aggregate(boots, jobs)
    nf, worst = noise_floors(cells, jobs)
    bad_drv, invalid = invalidity(boots)
    return {'env': env, 'jobargs': jobargs, 'boots': boots, 'jobs': jobs,
            'accel': accel.upper(), 'whys': whys,
            'nused': len([b for b in boots if b['jobs']]),
            'made': {k: boots_made(boots, k) for k in ('untraced', 'traced')},
            'cells': cells, 'nf': nf, 'worst': worst,
            'verdicts': judge(cells, nf, jobs),
            'bad_drv': bad_drv, 'invalid': invalid,
            'figures': summary_figures(cells, nf, jobs, boots)}


# --- render ------------------------------------------------------------------


def f_iops(v):
    return 'n/a' if v is None else '{:,.0f}'.format(v)


def f_num(v, nd=3):
    return 'n/a' if v is None else '%.*f' % (nd, v)


def f_ratio(v):
    return 'n/a' if v is None else '%.2f' % v


def f_factor(v):
    """A distance on the log scale, as the factor it stands for."""
    return 'n/a' if v is None else 'x%.2f' % math.exp(v)


def f_band(v):
    """The noise band of a floor: ratios from 1/f to f are within noise."""
    if v is None:
        return 'n/a'
    nd = 3 if math.exp(v) < 1.05 else 2
    return '%.*f-%.*f' % (nd, math.exp(-v), nd, math.exp(v))


def md_table(head, rows, text=1):
    """A markdown table; the first TEXT columns left-aligned, the rest right."""
    out = ['| ' + ' | '.join(head) + ' |',
           '|' + '|'.join('---' if i < text else '---:'
                          for i in range(len(head))) + '|']
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return out


def f_judged(r, v):
    """A ratio for the markdown tables, bold when outside the noise floor."""
    s = f_ratio(r)
    return '**%s**' % s if v in ('better', 'worse') else s


def pair_counts(nf, jobs, m):
    ns = sorted({len(nf[j, m]['pairs']) for j in jobs})
    if not ns:
        return '0'
    return str(ns[0]) if len(ns) == 1 else '%d-%d' % (ns[0], ns[-1])


def method_text(nf, worst, jobs):
    """How the noise floor is derived, with this run's numbers."""
    n_u, n_t = pair_counts(nf, jobs, 'iops'), pair_counts(nf, jobs, 'mmio')
    t = ('stock2 is Debian\'s stock nvme.ko again, booted as a fourth driver '
         'in every round (stock, ours, off, stock2) through exactly the same '
         'pipeline, so stock2 against stock is an A/A comparison: whatever '
         'separates the two is the bench\'s own noise. Distances from 1 are '
         'taken as factors, so that a ratio r and 1/r are equally far (0.80 '
         'as far below 1 as 1.25 is above). Per job, for IOPS (untraced '
         'boots; %s pair(s) of stock and stock2 boots per job in this run) '
         'and for MMIO doorbells per I/O (traced boots; %s pair(s)), the '
         'noise floor is the product of (a) the factor by which stock2/stock, '
         'taken as a ratio of medians the way ours/stock is, misses 1, and '
         '(b) half the range, on a log scale, of the per-boot ratios '
         'stock2/stock of each round\'s two boots (the square root of the '
         'largest over the smallest): the boot-to-boot scatter that one '
         'ratio of medians can hide. A job with fewer than two pairs has no '
         'measure of (b), and its single pair can agree by chance, so its '
         'floor is at least the largest factor (a) of any job of the run for '
         'that metric' % (n_u, n_t))
    ws = []
    for m, label, _ in METRICS:
        if worst[m][0] is not None:
            ws.append('%s for %s, on %s' % (f_factor(worst[m][0]), label,
                                            worst[m][1]))
    t += (' (%s here)' % '; '.join(ws)) if ws else ''
    t += ('. No floor is below x%.3f, the resolution of the ratios as '
          'printed. A ratio of ours against stock or against off is called '
          'better or worse only when it lies outside the job\'s noise band '
          'for that metric, 1/floor to floor; otherwise it is within noise.'
          % math.exp(RESOLUTION))
    single = {label: len([j for j in jobs if len(nf[j, m]['pairs']) < 2])
              for m, label, _ in METRICS}
    if any(single.values()):
        t += (' In this run %s.' % ' and '.join(
            '%d of %d job(s) had fewer than two %s pairs' % (n, len(jobs), lab)
            for lab, n in single.items() if n))
    if all(worst[m][0] is None for m, _, _ in METRICS):
        t = ('There is no A/A data (no stock2 boots with results), so no '
             'noise floor can be derived and no ratio is called better or '
             'worse.')
    return t


def gp_str(s):
    return "'" + s.replace("'", "''") + "'"



def plot(out, run, label):
    """The chart, drawn by gnuplot with scripts/bench.gp: (its path, None),
    or (None, why there is none).  Its data and labels stay in OUT."""
    env, jobs, cells = run['env'], run['jobs'], run['cells']
    invalid, bad_drv = run['invalid'], run['bad_drv']
    dat = os.path.join(out, 'bench-plot.dat')
    with open(dat, 'w') as f:
        f.write('# idx\tjob\t' + '\t'.join(
            '%s_%s' % (d, k) for d in DRIVERS for k in ('med', 'min', 'max'))
            + '\t' + '\t'.join('%s_%s' % (d, k) for d in DRIVERS
                               for k in ('sq', 'mmio'))
            + '\t' + '\t'.join('%s_%s' % (d, k) for d in DRIVERS
                               for k in ('mmio_min', 'mmio_max')) + '\n')
        for i, job in enumerate(jobs):
            row = [str(i), job]
            for d in DRIVERS:
                c = cells[job, d]
                row += ['?' if c[k] is None else '%.1f' % c[k]
                        for k in ('iops_med', 'iops_min', 'iops_max')]
            for d in DRIVERS:
                c = cells[job, d]
                row += ['?' if c[k] is None else '%.4f' % c[k]
                        for k in ('sq', 'mmio')]
            for d in DRIVERS:
                c = cells[job, d]
                row += ['?' if c[k] is None else '%.4f' % c[k]
                        for k in ('mmio_min', 'mmio_max')]
            f.write('\t'.join(row) + '\n')
    png = os.path.join(out, 'bench.png')
    var = os.path.join(out, 'bench-plot.vars.gp')
    with open(var, 'w') as f:
        f.write('datafile = %s\n' % gp_str(dat))
        f.write('outfile = %s\n' % gp_str(png))
        f.write('njobs = %d\n' % len(jobs))
        f.write('title1 = %s\n' % gp_str(
            'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: '
            'A/A) vs ours vs ours with '
            + OFF_SHORT[OFF_PARAM['current']][0]))
        f.write('title2 = %s\n' % gp_str(label))
        short = ''
        if invalid:
            short = invalid if len(invalid) <= 150 else \
                invalid[:140].rsplit(' ', 1)[0] + ' ... (see bench.md)'
        f.write('title3 = %s\n' % gp_str(short))
        for d, name in (('stock', 'stock'), ('stock2', 'stock2 (A/A)'),
                        ('ours', 'ours'),
                        ('off', 'off (%s)'
                         % OFF_SHORT[OFF_PARAM['current']][1])):
            f.write('%slabel = %s\n' % (d, gp_str(
                name + (' INVALID' if d in bad_drv else ''))))
        f.write('iopsnote = %s\n' % gp_str(
            'bars: median over %s untraced boot(s); whiskers: min and max'
            % (max([cells[j, d]['n'] for j in jobs for d in DRIVERS] or [0]))))
        vals = [cells[j, d][k] for j in jobs for d in DRIVERS
                for k in ('iops_max', 'iops_med')]
        f.write('iopsmax = %f\n' % max([v for v in vals if v] or [0]))
        vals = [cells[j, d][k] for j in jobs for d in DRIVERS
                for k in ('mmio', 'mmio_max')]
        f.write('mmiomax = %f\n' % max([v for v in vals if v] or [0]))
        f.write('mmionote = %s\n' % gp_str(
            'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by '
            'QEMU: median over %s traced boot(s); whiskers: min and max of '
            'SQ+CQ' % env.get('TRACED', '?')))
    try:
        r = subprocess.run(['gnuplot', var, os.path.join(HERE, 'bench.gp')],
                           capture_output=True, text=True)
    except FileNotFoundError:
        return None, 'gnuplot is not installed (Debian: gnuplot-nox)'
    if r.returncode != 0:
        return None, 'gnuplot failed: ' + r.stderr.strip()[-500:]
    return png, None



def verdict_phrase(jobs, vd, ref, m):
    """The verdicts on ours against REF for metric M, job by job, in a
    phrase: the jobs better and worse, how many within noise and not
    judged."""
    by = {}
    for j in jobs:
        by.setdefault(vd[j, m, ref], []).append(j)
    out = []
    for v in ('better', 'worse'):
        if v in by:
            out.append('%s on %s' % (v, ', '.join(by[v])))
    if 'within noise' in by:
        out.append('within noise on %d job(s)' % len(by['within noise']))
    rest = len(by.get('n/a', [])) + len(by.get('no floor', []))
    if rest:
        out.append('not judged on %d job(s) (no data or no floor)' % rest)
    return ', '.join(out)


def run_label(run):
    """The label of every table and of the chart: accelerator, host,
    date and command."""
    env = run['env']
    return '%s, %s host cores, %s guest vCPUs, %s, `%s`' % (
        run['accel'], env.get('HOST_CORES', '?'), env.get('GUEST_CPUS', '?'),
        env.get('DATE', '?'), env.get('COMMAND', '?'))


def accel_text(run):
    """The accelerator line: which one, in how many boots, and why."""
    return 'Accelerator: %s in all %d boots with results (%s).' % (
        run['accel'], run['nused'],
        '; '.join(run['whys']) if run['whys'] else 'reason not recorded')


def table_drivers(run):
    """Per job and driver: IOPS and MMIO doorbells per I/O."""
    head = ['job', 'driver', 'IOPS median', 'IOPS min', 'IOPS max', 'boots',
            'SQ MMIO/IO', 'CQ MMIO/IO', 'MMIO/IO', "driver's MMIO/IO"]
    rows = []
    for job in run['jobs']:
        for d in DRIVERS:
            c = run['cells'][job, d]
            rows.append([job, d + (' INVALID' if d in run['bad_drv'] else ''),
                         f_iops(c['iops_med']), f_iops(c['iops_min']),
                         f_iops(c['iops_max']), c['n'], f_num(c['sq']),
                         f_num(c['cq']), f_num(c['mmio']),
                         '—' if c['gmmio'] is None else f_num(c['gmmio'])])
    return md_table(head, rows, 2)


def table_vs_stock(run):
    """Per job: ours against stock, next to stock2 against stock (A/A)."""
    cells, nf, vd = run['cells'], run['nf'], run['verdicts']
    head = ['job', 'IOPS ours/stock', 'IOPS stock2/stock (A/A)',
            'IOPS noise band', 'IOPS verdict', 'MMIO/IO ours/stock',
            'MMIO/IO stock2/stock (A/A)', 'MMIO/IO noise band',
            'MMIO/IO verdict']
    rows = []
    for job in run['jobs']:
        o, s2 = cells[job, 'ours'], cells[job, 'stock2']
        row = [job]
        for m, _, _ in METRICS:
            row += [f_judged(o[m + '_vs_stock'], vd[job, m, 'stock']),
                    f_ratio(s2[m + '_vs_stock']), f_band(nf[job, m]['floor']),
                    vd[job, m, 'stock']]
        rows.append(row)
    return md_table(head, rows)


def table_vs_off(run):
    """Per job: ours against off."""
    cells, nf, vd = run['cells'], run['nf'], run['verdicts']
    head = ['job', 'IOPS ours/off', 'IOPS noise band', 'IOPS verdict',
            'MMIO/IO ours/off', 'MMIO/IO noise band', 'MMIO/IO verdict']
    rows = []
    for job in run['jobs']:
        o = cells[job, 'ours']
        row = [job]
        for m, _, _ in METRICS:
            row += [f_judged(o[m + '_vs_off'], vd[job, m, 'off']),
                    f_band(nf[job, m]['floor']), vd[job, m, 'off']]
        rows.append(row)
    return md_table(head, rows)


def table_floors(run):
    """Per job and metric: how the noise floor came about."""
    head = ['job', 'metric', 'floor set by', 'stock2/stock (medians)',
            'per-boot pairs', '(a) factor off 1', '(b) half range',
            '(a) x (b)', 'floor', 'noise band']
    rows = []
    for job in run['jobs']:
        for m, lab, _ in METRICS:
            e = run['nf'][job, m]
            rows.append([job, lab, e['set_by'] or '-', f_ratio(e['aa']),
                         ', '.join('%.3f' % p for p in e['pairs']) or '-',
                         f_factor(e['dev']),
                         f_factor(e['half']) if len(e['pairs']) >= 2 else '-',
                         f_factor(e['own']), f_factor(e['floor']),
                         f_band(e['floor'])])
    return md_table(head, rows, 3)


def table_boots(boots):
    """Per boot: what it was, how it went, its problems and notes."""
    return md_table(['boot', 'kind', 'driver', 'accel', 'seconds', 'exit',
                     'other CPU %', 'Doorbell Buffer Config',
                     PARAM_COLUMN[OFF_PARAM['current']],
                     'problems and notes'],
                    [[b['name'], b['kind'], b['driver'], b['accel'] or '?',
                      b['seconds'], b['rc'],
                      '?' if b['other_cpu'] is None else b['other_cpu'],
                      '-' if b.get('dbbuf_config') is None
                      else b['dbbuf_config'],
                      b.get('use_dbbuf') or '?',
                      '; '.join(b['problems'] + b['notes']) or 'ok']
                     for b in boots], 10)


def table_jobs(run):
    """Per job: its drive and fio arguments."""
    args = run['jobargs']
    return md_table(['job', 'drive', 'fio arguments'],
                    [[j, args.get(j, ('?', ''))[0],
                      '`%s`' % args.get(j, ('?', ''))[1]]
                     for j in run['jobs']], 3)


def f_made(n, planned):
    """N boots made per driver, against the PLANNED ones."""
    if str(n) == str(planned):
        return str(n)
    return '%d (of %s planned: the run was stopped early)' % (n, planned)


def summary_ratios(run):
    """The summary's first sentence: the run, and ours against stock and
    against off (and stock against itself) in IOPS."""
    env, fg = run['env'], run['figures']
    g, rng, aa = fg['gmean'], fg['range'], fg['aa_iops']
    s = ('Under %s (%s host cores, %s vCPUs, %s), over %d fio job(s)'
         % (run['accel'], env.get('HOST_CORES', '?'),
            env.get('GUEST_CPUS', '?'), env.get('DATE', '?'),
            len(run['jobs'])))
    if g['iops_vs_stock'] is not None:
        s += (', our nvme.ko reached %.2fx the IOPS of Debian\'s stock '
              'driver (geometric mean of the per-job median ratios, '
              '%.2f-%.2f)' % (g['iops_vs_stock'], min(rng['iops_vs_stock']),
                              max(rng['iops_vs_stock'])))
        if aa:
            s += (', where the stock driver reached %.2fx its own IOPS '
                  '(stock2/stock, %.2f-%.2f)' % (gmean(aa), min(aa), max(aa)))
    if g['iops_vs_off'] is not None:
        s += (', and %.2fx that of its own MMIO-only path (%.2f-%.2f)'
              % (g['iops_vs_off'], min(rng['iops_vs_off']),
                 max(rng['iops_vs_off'])))
    return s + '.'


def summary_verdicts(run):
    """The summary's sentences on the noise floor and the verdicts."""
    jobs, nf, fl = run['jobs'], run['nf'], run['figures']['floors']
    if not (fl['iops'] or fl['mmio']):
        return ['There is no A/A data (no stock2 boots with results), '
                'so no ratio is called better or worse.']
    desc = []
    for m, lab, _ in METRICS:
        if fl[m]:
            desc.append('%s for %s%s' % (
                '%.2f' % math.exp(min(fl[m])) if min(fl[m]) == max(fl[m])
                else '%.2f-%.2f' % (math.exp(min(fl[m])),
                                    math.exp(max(fl[m]))),
                'IOPS' if m == 'iops' else 'MMIO doorbells per I/O',
                '' if min(fl[m]) == max(fl[m]) else
                ' (median %.2f)' % math.exp(med(fl[m]))))
    out = ['The A/A comparison (stock2 against stock; %s untraced and %s '
           'traced boot pair(s) per job) puts the noise floor at a factor of '
           '%s: a ratio within 1/floor to floor of 1 is within noise.'
           % (pair_counts(nf, jobs, 'iops'), pair_counts(nf, jobs, 'mmio'),
              ' and '.join(desc))]
    for ref in ('stock', 'off'):
        out.append('Ours against %s: IOPS %s; MMIO doorbells per I/O %s.'
                   % (ref, verdict_phrase(jobs, run['verdicts'], ref, 'iops'),
                      verdict_phrase(jobs, run['verdicts'], ref, 'mmio')))
    return out


def summary_conditions(run):
    """The summary's sentences on doorbells trapped, boot-to-boot spread,
    the traced boots' slowdown and the host's load."""
    fg, boots, out = run['figures'], run['boots'], []
    mm, best = fg['mmio'], fg['best']
    if all(mm[d] is not None for d in ('ours', 'stock', 'off')):
        s = ('QEMU trapped a median of %.2f MMIO doorbells per I/O with '
             'ours, %.2f with stock and %.2f with shadow doorbells off'
             % (mm['ours'], mm['stock'], mm['off']))
        if best and best[1] > 0:
            s += ('; the largest saving is on %s (%.3f against %.3f per '
                  'I/O)' % (best[0], best[2], best[3]))
        out.append(s + '.')
    if fg['spreads']:
        out.append('Boot-to-boot spread of IOPS (max-min over median) is '
                   '%.0f%% at the median cell and %.0f%% at worst.'
                   % (100 * med(fg['spreads']), 100 * max(fg['spreads'])))
    if fg['slow']:
        out.append('The traced boots ran at %.0f%% of the untraced IOPS '
                   '(median over jobs and drivers); IOPS are taken from '
                   'untraced boots only.' % (100 * med(fg['slow'])))
    busy = fg['busy']
    if busy:
        pc = [b['other_cpu'] for b in busy]
        out.append('%d of %d boots shared the host with other work, which '
                   'took %s of its CPU (%s).'
                   % (len(busy), len(boots),
                      '%d%%' % pc[0] if len(pc) == 1 else
                      '%d-%d%%' % (min(pc), max(pc)),
                      ', '.join(b['name'] for b in busy)
                      if len(busy) <= 4 else 'see bench.md'))
    if fg['unmeasured']:
        out.append('The host\'s load was not measured in %d boot(s).'
                   % len(fg['unmeasured']))
    return out


def summary_text(run):
    """The summary of bench.md and of the terminal, in one paragraph."""
    parts = [summary_ratios(run)] + summary_verdicts(run) + \
        summary_conditions(run)
    if run['invalid']:
        parts.append('THE RESULTS ARE %s' % run['invalid'] + '.')
    return ' '.join(parts)


def render_text(run):
    """The texts and tables that bench.md, the chart and the terminal
    share."""
    return {'label': run_label(run), 'accel': accel_text(run),
            'drivers': table_drivers(run), 'vs_stock': table_vs_stock(run),
            'vs_off': table_vs_off(run), 'floors': table_floors(run),
            'method': method_text(run['nf'], run['worst'], run['jobs']),
            'summary': summary_text(run)}


def md_header(run, text, png):
    """bench.md's title, chart, run description, drivers and INVALID
    line."""
    env = run['env']
    md = ['# make bench: NVMe shadow doorbells', '']
    if png:
        md += ['![IOPS and MMIO doorbells per I/O](bench.png)', '']
    md += ['%s.  ' % text['label'],
           '%s  ' % text['accel'],
           'QEMU %s, guest kernel %s, %s.  ' % (
               env.get('QEMU', '?'), env.get('KVER', '?'),
               env.get('FIO', 'fio')),
           'Host CPU: %s.  ' % env.get('HOST_CPU', '?'),
           'Boots per driver: %s untraced (IOPS) and %s traced (doorbells), '
           'interleaved stock, ours, off, stock2; %s s per job, with a %s s '
           'ramp in untraced boots and none in traced ones.' % (
               f_made(run['made']['untraced'], env.get('BOOTS', '?')),
               f_made(run['made']['traced'], env.get('TRACED', '?')),
               env.get('RUNTIME', '?'), env.get('RAMP', '?')), '',
           'Drivers: **stock** = %s (srcversion %s); **stock2** = %s '
           '(srcversion %s); **ours** = %s (srcversion %s); **off** = %s.' % (
               DESC['stock'], env.get('SRC_stock', '?'), DESC['stock2'],
               env.get('SRC_stock2', '?'), DESC['ours'],
               env.get('SRC_ours', '?'), DESC['off']), '']
    if run['invalid']:
        md += ['**%s.** The rows of %s below include those boots and do not '
               'measure what their label claims.' % (
                   run['invalid'], ', '.join(run['bad_drv'])), '']
    return md


def write_md(out, run, text, png):
    """OUT/bench.md."""
    md = md_header(run, text, png)
    md += ['## Per job and driver', '',
           'IOPS over the untraced boots; MMIO doorbells per I/O on the I/O '
           'queues as QEMU trapped them (trace events) in the traced boots, '
           'medians of SQ, CQ and their sum each (so SQ + CQ may differ '
           'from the sum\'s median).', ''] + text['drivers']
    md += ['', '## Ours against stock, next to stock against itself (A/A)',
           '',
           'Ratios of medians (IOPS: higher is better; MMIO/IO: lower is '
           'better). stock2/stock is the same driver against itself; the '
           'noise floor derived from it (next section) decides the verdict, '
           'and ratios outside it are in bold.', ''] + text['vs_stock']
    md += ['', '## Ours against off', '',
           'The same noise floors, since both comparisons are between two '
           'drivers\' boots in the same pipeline.', ''] + text['vs_off']
    md += ['', '## Noise floor', '', text['method'], ''] + text['floors']
    md += ['', '## Summary', '', text['summary']]
    md += ['', '## Boots', ''] + table_boots(run['boots'])
    md += ['', '## Jobs', '',
           'Every job: `--bs=4k --direct=1 --time_based --group_reporting '
           '--runtime=%s`, plus `--ramp_time` in untraced boots.' %
           run['env'].get('RUNTIME', '?'), ''] + table_jobs(run)
    md += ['', 'null: QEMU null-co drive (/dev/nvme0n1); file: raw file on '
           'the host\'s tmpfs (/dev/nvme1n1, a second controller).']
    with open(os.path.join(out, 'bench.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')


def f_csv(v, fmt='%.4f'):
    return 'n/a' if v is None else fmt % v


def csv_row(run, job, d):
    """The CSV row of JOB and driver D.  Ratios are on the row of the
    driver compared (ours: against stock and off; stock2: against stock,
    the A/A); on every row, the job's noise floors as factors f (within
    noise: 1/f <= ratio <= f)."""
    env, c, nf = run['env'], run['cells'][job, d], run['nf']
    rat = []
    for m, _, _ in METRICS:
        for ref in ('stock', 'off'):
            k = '%s_vs_%s' % (m, ref)
            if d == 'ours':
                rat += [f_csv(c[k]), run['verdicts'][job, m, ref]]
            elif d == 'stock2' and ref == 'stock':
                rat += [f_csv(c[k]), 'A/A']
            else:
                rat += ['', '']
    floors = [f_csv(None if nf[job, m]['floor'] is None
                    else math.exp(nf[job, m]['floor']))
              for m in ('iops', 'mmio')]
    return ([job, d, 'INVALID' if d in run['bad_drv'] else 'ok',
             f_csv(c['iops_med'], '%.0f'), f_csv(c['iops_min'], '%.0f'),
             f_csv(c['iops_max'], '%.0f'), c['n'], f_csv(c['sq']),
             f_csv(c['cq']), f_csv(c['mmio']), f_csv(c['mmio_min']),
             f_csv(c['mmio_max']), c['ntraced'],
             f_csv(c['iops_traced'], '%.0f')] + rat + floors +
            [run['accel'], env.get('HOST_CORES', '?'),
             env.get('GUEST_CPUS', '?'), env.get('DATE', '?'),
             env.get('COMMAND', '?')])


def write_csv(out, run):
    """OUT/bench.csv: a row per job and driver."""
    with open(os.path.join(out, 'bench.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['job', 'driver', 'valid', 'iops_median', 'iops_min',
                    'iops_max', 'untraced_boots', 'sq_mmio_per_io',
                    'cq_mmio_per_io', 'mmio_per_io', 'mmio_per_io_min',
                    'mmio_per_io_max', 'traced_boots',
                    'iops_traced_median',
                    'iops_vs_stock', 'iops_vs_stock_verdict',
                    'iops_vs_off', 'iops_vs_off_verdict',
                    'mmio_vs_stock', 'mmio_vs_stock_verdict',
                    'mmio_vs_off', 'mmio_vs_off_verdict',
                    'iops_noise_floor', 'mmio_noise_floor',
                    'accel', 'host_cores', 'guest_cpus', 'date', 'command'])
        for job in run['jobs']:
            for d in DRIVERS:
                w.writerow(csv_row(run, job, d))


def print_report(run, text, out, png, err):
    """The terminal's part: labels, the first three tables, the boots'
    notes, where the results are, the noise floor's method, the summary."""
    print(text['label'])
    print(text['accel'])
    if run['invalid']:
        print('\n*** ' + run['invalid'] + ' ***')
    for t in ('drivers', 'vs_stock', 'vs_off'):
        print()
        print('\n'.join(text[t]))
    print()
    for b in run['boots']:
        if b['notes']:
            print('note: %s: %s' % (b['name'], '; '.join(b['notes'])))
    top = os.path.dirname(HERE)
    rel = os.path.relpath(out, top) if out.startswith(top + '/') else out
    print('results: %s/bench.md, %s/bench.csv%s' % (
        rel, rel, ', %s/bench.png' % rel if png else ''))
    if err:
        print('no chart: ' + err)
    print()
    print('Noise floor: ' + text['method'])
    print()
    print('Summary: ' + text['summary'])


def main():
    opts = parse_args(sys.argv)
    if opts is None:
        print(__doc__)
        return 0
    raw, out, want_plot = opts
    run = analyse(*load_run(raw))
    text = render_text(run)
    os.makedirs(out, exist_ok=True)
    png, err = plot(out, run, text['label']) if want_plot else (None, None)
    write_md(out, run, text, png)
    write_csv(out, run)
    print_report(run, text, out, png, err)
    return 3 if run['invalid'] else 0


if __name__ == '__main__':
    sys.exit(main())
