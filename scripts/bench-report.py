#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render the results of `make bench` from its raw data.

usage: bench-report.py [RAW_DIR] [--out DIR] [--no-plot]

RAW_DIR (default build/bench/raw) holds what scripts/bench.sh saved:
bench.env (the run's settings and labels), bench-jobs (the jobs, in
order) and one directory per boot with meta.env, console.log (fio JSON,
marks), and trace.log[.gz] (QEMU trace: all doorbell events in traced
boots, only pci_nvme_dbbuf_config in untraced ones) plus doorbells.tsv
(scripts/doorbells.py's counts) in traced boots.

Writes DIR/bench.md, DIR/bench.csv and, with gnuplot, DIR/bench.png
(DIR defaults to RAW_DIR's parent), prints the tables and a summary.
Per job and driver: IOPS median, min and max over the untraced boots;
SQ and CQ MMIO doorbells per I/O on the I/O queues from the traced boots
(median when several); the guest's own counters where the driver prints
them (scripts/guest/bench.sh: bench_counters), else n/a; ratios of ours
against stock and against off.

Exit status: 0; 3 when the data is INVALID (a driver's shadow doorbells
were not in the state it stands for, or a boot ran the wrong module);
1 on errors, such as raw data from more than one accelerator.
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

DRIVERS = ['stock', 'ours', 'off']
# A boot during which other processes took this share of the host's CPU
# (percent; bench.sh measures it) is reported as noisy.
NOISY = 5
DESC = {'stock': "Debian's stock nvme.ko (upstream shadow doorbells)",
        'ours': 'our nvme.ko',
        'off': 'our nvme.ko with use_dbbuf=0 (MMIO doorbells only)'}


def die(msg, code=1):
    sys.stderr.write('bench-report.py: %s\n' % msg)
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


def fio_iops(rep):
    """IOPS and I/Os of one fio JSON report, or None when the job failed."""
    if any(j.get('error', 0) for j in rep['jobs']):
        return None
    iops = sum(j[d]['iops'] for j in rep['jobs'] for d in ('read', 'write'))
    ios = sum(j[d]['total_ios'] for j in rep['jobs'] for d in ('read', 'write'))
    return iops, ios


def load_boot(d, env):
    meta = read_env(os.path.join(d, 'meta.env'))
    b = {'dir': d, 'name': os.path.basename(d), 'kind': meta.get('KIND'),
         'driver': meta.get('DRIVER'), 'accel': meta.get('ACCEL') or '?',
         'rc': int(meta.get('RC', '1') or 1),
         'seconds': meta.get('SECONDS', '?'), 'problems': [], 'notes': [],
         'other_cpu': int(meta['OTHER_CPU']) if meta.get('OTHER_CPU') else None,
         'jobs': {}, 'doorbells': {}, 'counters': {}}
    console = first(os.path.join(d, 'console.log'),
                    os.path.join(d, 'console.log.gz'))
    if b['rc'] != 0:
        b['notes'].append('guest exit %d' % b['rc'])
    if (b['other_cpu'] or 0) >= NOISY:
        b['notes'].append('other processes took %d%% of the host CPU'
                          % b['other_cpu'])
    if not console:
        b['notes'].append('no console log')
        return b
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
            if line.startswith('NVME-SRCVERSION '):
                src = line.split(' ', 1)[1].strip()
            elif line.startswith('BENCH-USE-DBBUF '):
                use = line.split(' ', 1)[1].strip()
            elif line.startswith('BENCH-DMESG '):
                dmesg.append(line.split(' ', 1)[1].strip())
            elif line.startswith('DBBUF-COUNTERS '):
                f2 = line.split()
                if len(f2) >= 2:
                    b['counters'][f2[1]] = {
                        k: int(v) for k, v in
                        (x.split('=', 1) for x in f2[2:] if '=' in x)
                        if re.match(r'^-?\d+$', v)}
    b['use_dbbuf'] = use
    # Was it the module it should be?
    want = env.get('SRC_' + (b['driver'] or ''))
    if src is None:
        b['notes'].append('no srcversion on the console')
    elif want and src != want:
        b['problems'].append('ran nvme.ko srcversion %s, not %s' % (src, want))
    # Were shadow doorbells in the state this driver stands for?
    trace = first(os.path.join(d, 'trace.log'), os.path.join(d, 'trace.log.gz'))
    ndb = None
    if trace:
        ndb = 0
        with doorbells.open_log(trace) as f:
            for line in f:
                if 'pci_nvme_dbbuf_config' in line:
                    ndb += 1
    b['dbbuf_config'] = ndb
    if b['driver'] == 'off':
        if ndb:
            b['problems'].append('shadow doorbells on: QEMU got Doorbell '
                                 'Buffer Config with use_dbbuf=0')
        if use not in (None, 'N', '0', 'n/a'):
            b['problems'].append('use_dbbuf reads %s' % use)
        if use == 'n/a':
            b['problems'].append('the driver has no use_dbbuf parameter')
        for m in dmesg:
            b['problems'].append('kernel: ' + m)
    elif ndb == 0 and b['jobs']:
        b['problems'].append('shadow doorbells off: QEMU never got '
                             'Doorbell Buffer Config')
    if ndb is None:
        b['notes'].append('no trace: shadow doorbell state unchecked')
    # Doorbell counts of traced boots.
    if b['kind'] == 'traced':
        tsv = os.path.join(d, 'doorbells.tsv')
        rows = []
        if os.path.exists(tsv) and os.path.getsize(tsv) > 0:
            with open(tsv) as f:
                rows = [ln.rstrip('\n').split('\t') for ln in f if ln.strip()]
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
    return b


def med(xs):
    return statistics.median(xs) if xs else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def gmean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def f_iops(v):
    return 'n/a' if v is None else '{:,.0f}'.format(v)


def f_num(v, nd=3):
    return 'n/a' if v is None else '%.*f' % (nd, v)


def f_ratio(v):
    return 'n/a' if v is None else '%.2f' % v


def md_table(head, rows, text=1):
    """A markdown table; the first TEXT columns left-aligned, the rest right."""
    out = ['| ' + ' | '.join(head) + ' |',
           '|' + '|'.join('---' if i < text else '---:'
                          for i in range(len(head))) + '|']
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return out


def aggregate(boots, jobs):
    cells = {}
    for job in jobs:
        for drv in DRIVERS:
            # INVALID boots count too: their rows are flagged, not hidden.
            bs = [b for b in boots if b['driver'] == drv]
            iops = [b['jobs'][job][0] for b in bs
                    if b['kind'] == 'untraced' and job in b['jobs']]
            tr = [b for b in bs if b['kind'] == 'traced' and job in b['doorbells']]
            sq = med([b['doorbells'][job][0] for b in tr])
            cq = med([b['doorbells'][job][1] for b in tr])
            tot = [sum(b['doorbells'][job]) for b in tr]
            tiops = med([b['jobs'][job][0] for b in tr])
            # Guest counters: traced boots, whose fio runs have no ramp, so
            # they count the same I/Os as QEMU's trace.
            gsq, gcq = [], []
            for b in tr:
                c0 = b['counters'].get(job + '-begin')
                c1 = b['counters'].get(job + '-end')
                ios = b['jobs'][job][1]
                if c0 and c1 and ios:
                    if 'sq_mmio' in c0 and 'sq_mmio' in c1:
                        gsq.append((c1['sq_mmio'] - c0['sq_mmio']) / ios)
                    if 'cq_mmio' in c0 and 'cq_mmio' in c1:
                        gcq.append((c1['cq_mmio'] - c0['cq_mmio']) / ios)
            cells[job, drv] = {
                'iops_med': med(iops), 'iops_min': min(iops) if iops else None,
                'iops_max': max(iops) if iops else None, 'n': len(iops),
                'sq': sq, 'cq': cq, 'mmio': med(tot),
                'mmio_min': min(tot) if tot else None,
                'mmio_max': max(tot) if tot else None,
                'ntraced': len(tr), 'iops_traced': tiops,
                'gsq': med(gsq), 'gcq': med(gcq)}
    for job in jobs:
        o = cells[job, 'ours']
        for ref in ('stock', 'off'):
            r = cells[job, ref]
            o['iops_vs_' + ref] = ratio(o['iops_med'], r['iops_med'])
            o['mmio_vs_' + ref] = ratio(o['mmio'], r['mmio'])
    return cells


def gp_str(s):
    return "'" + s.replace("'", "''") + "'"


def plot(out, env, jobs, cells, label, invalid, bad_drv):
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
            'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko vs ours vs ours with use_dbbuf=0'))
        f.write('title2 = %s\n' % gp_str(label))
        short = ''
        if invalid:
            short = invalid if len(invalid) <= 150 else \
                invalid[:140].rsplit(' ', 1)[0] + ' ... (see bench.md)'
        f.write('title3 = %s\n' % gp_str(short))
        for d, name in (('stock', 'stock'), ('ours', 'ours'),
                        ('off', 'off (use_dbbuf=0)')):
            f.write('%slabel = %s\n' % (d, gp_str(
                name + (' INVALID' if d in bad_drv else ''))))
        f.write('iopsnote = %s\n' % gp_str(
            'bars: median over %s untraced boot(s); whiskers: min and max'
            % env.get('BOOTS', '?')))
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


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    out = None
    if '--out' in sys.argv:
        i = sys.argv.index('--out')
        out = sys.argv[i + 1]
        args = [a for a in args if a != out]
    if '-h' in sys.argv or '--help' in sys.argv:
        print(__doc__)
        return 0
    raw = args[0] if args else os.path.join(HERE, '..', 'build', 'bench', 'raw')
    raw = os.path.abspath(raw)
    out = os.path.abspath(out or os.path.dirname(raw))
    if not os.path.exists(os.path.join(raw, 'bench.env')):
        die('%s has no bench.env: not the raw data of make bench' % raw)
    env = read_env(os.path.join(raw, 'bench.env'))
    order = []
    jf = os.path.join(raw, 'bench-jobs')
    jobargs = {}
    if os.path.exists(jf):
        with open(jf) as f:
            for line in f:
                p = line.split(None, 2)
                if p and not p[0].startswith('#'):
                    order.append(p[0])
                    jobargs[p[0]] = (p[1], p[2].strip() if len(p) > 2 else '')
    boots = [load_boot(os.path.dirname(m), env)
             for m in sorted(glob.glob(os.path.join(raw, '*', 'meta.env')))]
    if not boots:
        die('no boots under %s' % raw)
    accels = sorted({b['accel'] for b in boots} | {env.get('ACCEL', '?')})
    accels = [a for a in accels if a != '?'] or ['?']
    if len(accels) > 1:
        die('the raw data mixes accelerators (%s): results are not comparable; '
            'run make bench again' % ', '.join(accels))
    accel = accels[0].upper()
    seen = {j for b in boots for j in b['jobs']}
    jobs = [j for j in order if j in seen] + sorted(seen - set(order))
    cells = aggregate(boots, jobs)

    cmd = env.get('COMMAND', '?')
    label = '%s, %s host cores, %s guest vCPUs, %s, `%s`' % (
        accel, env.get('HOST_CORES', '?'), env.get('GUEST_CPUS', '?'),
        env.get('DATE', '?'), cmd)
    bad = [b for b in boots if b['problems']]
    invalid = ''
    bad_drv = sorted({b['driver'] for b in bad},
                     key=lambda d: DRIVERS.index(d) if d in DRIVERS else 9)
    if bad:
        why = []
        for d in bad_drv:
            nd = len([b for b in boots if b['driver'] == d])
            probs = [p for b in bad if b['driver'] == d for p in b['problems']]
            for p in dict.fromkeys(probs):
                why.append('%s: %s (%d of %d boots)'
                           % (d, p, probs.count(p), nd))
        invalid = 'INVALID: ' + '; '.join(why)

    # --- markdown -----------------------------------------------------------
    md = ['# make bench: NVMe shadow doorbells', '',
          '%s.  ' % label,
          'QEMU %s, guest kernel %s, %s.  ' % (
              env.get('QEMU', '?'), env.get('KVER', '?'), env.get('FIO', 'fio')),
          'Host CPU: %s.  ' % env.get('HOST_CPU', '?'),
          'Boots per driver: %s untraced (IOPS) and %s traced (doorbells), '
          'interleaved stock, ours, off; %s s per job, with a %s s ramp in '
          'untraced boots and none in traced ones.' % (
              env.get('BOOTS', '?'), env.get('TRACED', '?'),
              env.get('RUNTIME', '?'), env.get('RAMP', '?')), '',
          'Drivers: **stock** = %s (srcversion %s); **ours** = %s '
          '(srcversion %s); **off** = %s.' % (
              DESC['stock'], env.get('SRC_stock', '?'), DESC['ours'],
              env.get('SRC_ours', '?'), DESC['off']), '']
    if invalid:
        md += ['**%s.** The rows of %s below include those boots and do not '
               'measure what their label claims.' % (
                   invalid, ', '.join(bad_drv)), '']
    head = ['job', 'driver', 'IOPS median', 'IOPS min', 'IOPS max', 'boots',
            'SQ MMIO/IO', 'CQ MMIO/IO', 'MMIO/IO', 'guest SQ/IO',
            'guest CQ/IO']
    rows = []
    for job in jobs:
        for d in DRIVERS:
            c = cells[job, d]
            rows.append([job, d + (' INVALID' if d in bad_drv else ''),
                         f_iops(c['iops_med']), f_iops(c['iops_min']),
                         f_iops(c['iops_max']), c['n'], f_num(c['sq']),
                         f_num(c['cq']), f_num(c['mmio']), f_num(c['gsq']),
                         f_num(c['gcq'])])
    t1 = md_table(head, rows, 2)
    head2 = ['job', 'IOPS ours/stock', 'IOPS ours/off', 'MMIO/IO ours/stock',
             'MMIO/IO ours/off']
    rows2 = []
    for job in jobs:
        o = cells[job, 'ours']
        rows2.append([job, f_ratio(o['iops_vs_stock']), f_ratio(o['iops_vs_off']),
                      f_ratio(o['mmio_vs_stock']), f_ratio(o['mmio_vs_off'])])
    t2 = md_table(head2, rows2)
    md += ['## Per job and driver', '',
           'IOPS over the untraced boots; MMIO doorbells per I/O on the I/O '
           'queues as QEMU trapped them (trace events) in the traced boots, '
           'medians of SQ, CQ and their sum each (so SQ + CQ may differ '
           'from the sum\'s median); '
           'guest columns: the driver\'s own counters in the same boots '
           '(n/a: the driver exposes none).', ''] + t1
    md += ['', '## Ours against stock and against off', '',
           'Ratios of medians (IOPS: higher is better; MMIO/IO: lower is '
           'better).', ''] + t2

    # --- summary ------------------------------------------------------------
    g = {k: gmean([cells[j, 'ours'][k] for j in jobs])
         for k in ('iops_vs_stock', 'iops_vs_off', 'mmio_vs_stock',
                   'mmio_vs_off')}
    rng = {k: [cells[j, 'ours'][k] for j in jobs
               if cells[j, 'ours'][k] is not None]
           for k in ('iops_vs_stock', 'iops_vs_off')}
    mm = {d: med([cells[j, d]['mmio'] for j in jobs
                  if cells[j, d]['mmio'] is not None]) for d in DRIVERS}
    spreads = [(c['iops_max'] - c['iops_min']) / c['iops_med']
               for c in cells.values() if c['n'] >= 2 and c['iops_med']]
    slow = [c['iops_traced'] / c['iops_med'] for c in cells.values()
            if c['iops_traced'] and c['iops_med']]
    best = None
    for j in jobs:
        s, o = cells[j, 'off']['mmio'], cells[j, 'ours']['mmio']
        if s and o is not None and (best is None or s - o > best[1]):
            best = (j, s - o, o, s)
    gsq_any = any(c['gsq'] is not None for c in cells.values())
    parts = []
    parts.append('Under %s (%s host cores, %s vCPUs, %s), over %d fio job(s)'
                 % (accel, env.get('HOST_CORES', '?'),
                    env.get('GUEST_CPUS', '?'), env.get('DATE', '?'),
                    len(jobs)))
    if g['iops_vs_stock'] is not None:
        parts[-1] += (', our nvme.ko reached %.2fx the IOPS of Debian\'s stock '
                      'driver (geometric mean of the per-job median ratios, '
                      '%.2f-%.2f)' % (g['iops_vs_stock'],
                                      min(rng['iops_vs_stock']),
                                      max(rng['iops_vs_stock'])))
    if g['iops_vs_off'] is not None:
        parts[-1] += (' and %.2fx that of its own MMIO-only path (%.2f-%.2f)'
                      % (g['iops_vs_off'], min(rng['iops_vs_off']),
                         max(rng['iops_vs_off'])))
    parts[-1] += '.'
    if all(mm[d] is not None for d in DRIVERS):
        parts.append('QEMU trapped a median of %.2f MMIO doorbells per I/O '
                     'with ours, %.2f with stock and %.2f with shadow '
                     'doorbells off' % (mm['ours'], mm['stock'], mm['off']))
        if best and best[1] > 0:
            parts[-1] += ('; the largest saving is on %s (%.3f against %.3f '
                          'per I/O)' % (best[0], best[2], best[3]))
        parts[-1] += '.'
    if spreads:
        parts.append('Boot-to-boot spread of IOPS (max-min over median) is '
                     '%.0f%% at the median cell and %.0f%% at worst, so '
                     'smaller differences are noise.'
                     % (100 * med(spreads), 100 * max(spreads)))
    else:
        parts.append('With one untraced boot per driver there is no spread '
                     'estimate; TCG varies 10-20% between boots, so '
                     'differences below that are noise.')
    if slow:
        parts.append('The traced boots ran at %.0f%% of the untraced IOPS '
                     '(median over jobs and drivers); IOPS are taken from '
                     'untraced boots only.' % (100 * med(slow)))
    busy = [b for b in boots if (b['other_cpu'] or 0) >= NOISY]
    if busy:
        pc = [b['other_cpu'] for b in busy]
        parts.append('%d of %d boots shared the host with other work, which '
                     'took %s of its CPU (%s), so their IOPS are noisy.'
                     % (len(busy), len(boots),
                        '%d%%' % pc[0] if len(pc) == 1 else
                        '%d-%d%%' % (min(pc), max(pc)),
                        ', '.join(b['name'] for b in busy)
                        if len(busy) <= 4 else 'see bench.md'))
    unmeasured = [b for b in boots if b['other_cpu'] is None]
    if unmeasured:
        parts.append('The host\'s load was not measured in %d boot(s).'
                     % len(unmeasured))
    if not gsq_any:
        parts.append('The driver exposes no doorbell counters yet, so the '
                     'guest columns say n/a.')
    if invalid:
        parts.append('THE RESULTS ARE %s' % invalid + '.')
    summary = ' '.join(parts)
    md += ['', '## Summary', '', summary]

    # --- boots and jobs -----------------------------------------------------
    md += ['', '## Boots', '']
    md += md_table(['boot', 'kind', 'driver', 'seconds', 'exit',
                    'other CPU %', 'Doorbell Buffer Config', 'use_dbbuf',
                    'problems and notes'],
                   [[b['name'], b['kind'], b['driver'], b['seconds'], b['rc'],
                     '?' if b['other_cpu'] is None else b['other_cpu'],
                     '-' if b.get('dbbuf_config') is None else b['dbbuf_config'],
                     b.get('use_dbbuf') or '?',
                     '; '.join(b['problems'] + b['notes']) or 'ok']
                    for b in boots], 9)
    md += ['', '## Jobs', '',
           'Every job: `--bs=4k --direct=1 --time_based --group_reporting '
           '--runtime=%s`, plus `--ramp_time` in untraced boots.' %
           env.get('RUNTIME', '?'), '']
    md += md_table(['job', 'drive', 'fio arguments'],
                   [[j, jobargs.get(j, ('?', ''))[0],
                     '`%s`' % jobargs.get(j, ('?', ''))[1]] for j in jobs], 3)
    md += ['', 'null: QEMU null-co drive (/dev/nvme0n1); file: raw file on '
           'the host\'s tmpfs (/dev/nvme1n1, a second controller).']

    os.makedirs(out, exist_ok=True)
    png, err = plot(out, env, jobs, cells, label, invalid, bad_drv)
    if png:
        md[2:2] = ['![IOPS and MMIO doorbells per I/O](bench.png)', '']
    with open(os.path.join(out, 'bench.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')

    # --- CSV ----------------------------------------------------------------
    with open(os.path.join(out, 'bench.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['job', 'driver', 'valid', 'iops_median', 'iops_min',
                    'iops_max', 'untraced_boots', 'sq_mmio_per_io',
                    'cq_mmio_per_io', 'mmio_per_io', 'mmio_per_io_min',
                    'mmio_per_io_max', 'traced_boots',
                    'iops_traced_median', 'guest_sq_mmio_per_io',
                    'guest_cq_mmio_per_io', 'iops_ours_vs_stock',
                    'iops_ours_vs_off', 'mmio_ours_vs_stock',
                    'mmio_ours_vs_off', 'accel', 'host_cores', 'guest_cpus',
                    'date', 'command'])

        def c6(v, fmt='%.4f'):
            return 'n/a' if v is None else fmt % v
        for job in jobs:
            for d in DRIVERS:
                c = cells[job, d]
                w.writerow([job, d, 'INVALID' if d in bad_drv else 'ok',
                            c6(c['iops_med'], '%.0f'), c6(c['iops_min'], '%.0f'),
                            c6(c['iops_max'], '%.0f'), c['n'], c6(c['sq']),
                            c6(c['cq']), c6(c['mmio']), c6(c['mmio_min']),
                            c6(c['mmio_max']), c['ntraced'],
                            c6(c['iops_traced'], '%.0f'), c6(c['gsq']),
                            c6(c['gcq'])] +
                           [c6(c.get(k)) if d == 'ours' else ''
                            for k in ('iops_vs_stock', 'iops_vs_off',
                                      'mmio_vs_stock', 'mmio_vs_off')] +
                           [accel, env.get('HOST_CORES', '?'),
                            env.get('GUEST_CPUS', '?'), env.get('DATE', '?'),
                            cmd])

    # --- terminal -----------------------------------------------------------
    print(label)
    if invalid:
        print('\n*** ' + invalid + ' ***')
    print()
    print('\n'.join(t1))
    print()
    print('\n'.join(t2))
    print()
    for b in boots:
        if b['notes']:
            print('note: %s: %s' % (b['name'], '; '.join(b['notes'])))
    top = os.path.dirname(HERE)
    rel = os.path.relpath(out, top) if out.startswith(top + '/') else out
    print('results: %s/bench.md, %s/bench.csv%s' % (
        rel, rel, ', %s/bench.png' % rel if png else ''))
    if err:
        print('no chart: ' + err)
    print()
    print('Summary: ' + summary)
    return 3 if invalid else 0


if __name__ == '__main__':
    sys.exit(main())
