#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the raw data of a synthetic `make bench` run, so that
scripts/bench-report.py can be run on it and its output compared with
the golden files of tests/bench/golden/ (tests/bench/run.sh).

The layout is scripts/bench.sh's: RAW_DIR/bench.env, RAW_DIR/bench-jobs
and one directory per boot (NN-KINDROUND-DRIVER) with meta.env,
console.log (vm.sh's VM-ACCEL line, the guest's srcversion, quirks
parameter and shadow doorbell state lines, MARK lines around each fio job and its JSON report between
FIO-JSON-BEGIN/END) and trace.log: only pci_nvme_dbbuf_config lines in
untraced boots; in traced ones every doorbell, the marks' Get Features
(Timestamp) and, as bench.sh leaves them, gzip-compressed, next to
doorbells.tsv (scripts/doorbells.py --tsv).  The numbers come from a
fixed seed, so every run writes the same bytes.

Scenarios (each changes what the report must say or do):
  good     2 untraced + 2 traced boots per driver (stock ours off stock2,
           off with the no_dbbuf quirk: BENCH-QUIRKS) over three jobs of bench-jobs and one ad-hoc job; a busy host,
           an unmeasured one, a failed guest and fio job, a boot whose
           accelerator is only in meta.env, a traced boot without
           doorbells.tsv (counted from its trace; one job without marks),
           a driver/QEMU doorbell count mismatch
  quick    1 + 1 boots per driver of 3 + 2 planned (stopped early), raw
           data from before nvme.dbbuf (BENCH-USE-DBBUF), the older
           six-column doorbells.tsv, an unreadable console log, a
           console without marks' match in the trace, a boot without a
           console log
  noaa     no stock2 boots (no A/A data, no noise floor), a traced boot
           with neither doorbells.tsv nor trace
  invalid  good, but off got Doorbell Buffer Config, its quirks do not
           set no_dbbuf, with a kernel complaint, or it has no quirks
           parameter, ours ran the wrong module, a stock boot never got
           Doorbell Buffer Config and six boots shared a busy host
           (exit 3)
  good-dbbuf, invalid-dbbuf
           good and invalid (the same numbers) in the raw data of a
           bench.sh from before the quirk: off with nvme.dbbuf=off
           (BENCH-DBBUF), reading dbbuf=Y or n/a in invalid-dbbuf
  mixed    good, but one boot ran under KVM (exit 1)
  unknown  good, but one boot's accelerator is not recorded (exit 1)
  noboots  bench.env and bench-jobs, no boots (exit 1)

usage: mkraw.py SCENARIO RAW_DIR
       mkraw.py --list
"""
import gzip
import json
import os
import random
import sys

DRIVERS = ['stock', 'ours', 'off', 'stock2']
SRC = {'stock': '9DC526E11B2877D4A2149E1', 'stock2': '9DC526E11B2877D4A2149E1',
       'ours': 'F4A66E276BF20F490E052A5', 'off': 'F4A66E276BF20F490E052A5'}
JOBS = [('aio-qd1-j1', 'null',
         '--rw=randread --ioengine=libaio --iodepth=1 --numjobs=1'),
        ('aio-qd32-j1', 'null',
         '--rw=randread --ioengine=libaio --iodepth=32 --numjobs=1'),
        ('tmpfs-randwrite', 'file',
         '--rw=randwrite --ioengine=libaio --iodepth=32 --numjobs=1')]
# IOPS of stock per job, and each driver's factor on it.
BASE_IOPS = {'aio-qd1-j1': 9500, 'aio-qd32-j1': 14200,
             'tmpfs-randwrite': 11800, 'adhoc-qd8': 12500}
FACTOR = {'stock': 1.0, 'stock2': 1.0, 'ours': 1.06, 'off': 0.88}
# SQ and CQ MMIO doorbells per I/O, with shadow doorbells and without.
SHADOW = {'aio-qd1-j1': (1.0, 1.0), 'aio-qd32-j1': (0.22, 0.21),
          'tmpfs-randwrite': (0.41, 0.40), 'adhoc-qd8': (0.5, 0.5)}
MMIO = {'aio-qd1-j1': (1.0, 1.0), 'aio-qd32-j1': (1.0, 0.73),
        'tmpfs-randwrite': (1.0, 0.81), 'adhoc-qd8': (1.0, 0.9)}
SCENARIOS = ['good', 'quick', 'noaa', 'invalid', 'mixed', 'unknown',
             'noboots', 'good-dbbuf', 'invalid-dbbuf']
# The guest's console line of the parameter that turns shadow doorbells
# off, by the era of scripts/guest/bench.sh: the no_dbbuf quirk, before it
# nvme.dbbuf=off, before that use_dbbuf=0.
PARAM_LINE = {'quirks': 'BENCH-QUIRKS', 'dbbuf': 'BENCH-DBBUF',
              'use_dbbuf': 'BENCH-USE-DBBUF'}
OFF_ARGS = {'quirks': 'quirks=1b36:0010:no_dbbuf', 'dbbuf': 'dbbuf=off',
            'use_dbbuf': 'use_dbbuf=0'}
# What each driver's parameter reads: Debian's stock nvme.ko has no quirks
# parameter, ours an empty one ("none") unless off sets it.
QUIRKS = {'stock': 'n/a', 'stock2': 'n/a', 'ours': 'none',
          'off': '1b36:0010:no_dbbuf'}
# Our driver's debugfs state (nvme_dbbuf/nvme0) with and without the quirk.
STATE = {'stock': 'n/a', 'stock2': 'n/a',
         'ours': 'active armed=3 admin=1 beyond=0',
         'off': 'disabled reason=quirk'}


def fio_report(name, iops, seconds, rw, error=0):
    """fio's JSON report of one job run with --group_reporting."""
    ios = int(iops * seconds)
    side = {'iops': iops, 'total_ios': ios, 'io_bytes': ios * 4096,
            'runtime': seconds * 1000}
    idle = {'iops': 0.0, 'total_ios': 0, 'io_bytes': 0, 'runtime': 0}
    return {'fio version': 'fio-3.33', 'timestamp': 1764485460,
            'jobs': [{'jobname': name, 'groupid': 0, 'error': error,
                      'read': side if rw == 'read' else idle,
                      'write': side if rw == 'write' else idle}]}


def boot_plan(scenario):
    """The boots of SCENARIO, in bench.sh's order: traced rounds first."""
    boots, traced, untraced = [], 2, 2
    drivers = DRIVERS
    if scenario == 'quick':
        traced, untraced = 1, 1
    if scenario == 'noaa':
        drivers = DRIVERS[:3]
    for kind, n in (('traced', traced), ('untraced', untraced)):
        for r in range(1, n + 1):
            for d in drivers:
                boots.append({'kind': kind, 'round': r, 'driver': d})
    for k, b in enumerate(boots):
        b['name'] = '%02d-%s%d-%s' % (k + 1, b['kind'], b['round'],
                                     b['driver'])
    return boots


def base_of(scenario):
    """The scenario that SCENARIO is in another era's raw data of."""
    return scenario[:-len('-dbbuf')] if scenario.endswith('-dbbuf') \
        else scenario


def tweak(scenario, boots):
    """The scenario's departures from a clean run, by boot."""
    by = {(b['kind'], b['round'], b['driver']): b for b in boots}
    era = 'dbbuf' if scenario.endswith('-dbbuf') else 'quirks'
    scenario = base_of(scenario)
    for b in boots:
        if era == 'quirks':
            value, state = QUIRKS[b['driver']], STATE[b['driver']]
        else:
            value, state = 'N' if b['driver'] == 'off' else 'Y', 'n/a'
        b.update(accel='tcg', console_accel=True, rc=0, other_cpu=1,
                 src=SRC[b['driver']], era=era, value=value, state=state,
                 dmesg=[],
                 configs=0 if b['driver'] == 'off' else 2, tsv='8col',
                 trace=True, console=True, broken_json=False,
                 drop_mark=False, extra_job=False, failed_job=None,
                 miscount=None, unmarked=None)
    if scenario in ('good', 'invalid', 'mixed', 'unknown'):
        by['untraced', 1, 'ours']['other_cpu'] = 12
        by['untraced', 2, 'stock']['other_cpu'] = 37
        by['untraced', 2, 'stock2']['other_cpu'] = None
        by['untraced', 2, 'off'].update(rc=1, failed_job='aio-qd32-j1')
        by['untraced', 1, 'stock2']['console_accel'] = False
        by['traced', 2, 'ours'].update(tsv=None, extra_job=True,
                                       unmarked='adhoc-qd8')
        by['traced', 1, 'ours']['miscount'] = 'aio-qd32-j1'
        for d in ('ours', 'stock'):
            by['untraced', 1, d]['extra_job'] = True
            by['traced', 1, d]['extra_job'] = True
    if scenario == 'invalid':
        by['traced', 1, 'off']['configs'] = 2
        by['untraced', 1, 'off'].update(
            configs=1, value='none' if era == 'quirks' else 'Y')
        by['untraced', 2, 'off']['dmesg'] = [
            'nvme: unknown parameter \'%s\' ignored' % era]
        by['untraced', 2, 'ours']['src'] = SRC['stock']
        by['untraced', 1, 'stock']['configs'] = 0
        by['traced', 2, 'off']['value'] = 'n/a'
        for d in DRIVERS:
            by['traced', 2, d]['other_cpu'] = 8
    if scenario == 'mixed':
        by['untraced', 2, 'ours']['accel'] = 'kvm'
    if scenario == 'unknown':
        b = by['untraced', 2, 'stock2']
        b.update(accel=None, console_accel=False)
    if scenario == 'quick':
        for b in boots:
            b.update(era='use_dbbuf', tsv='6col', state='n/a',
                     value='0' if b['driver'] == 'off' else 'Y')
        by['traced', 1, 'stock2']['tsv'] = None
        by['traced', 1, 'stock2']['drop_mark'] = True
        by['untraced', 1, 'off']['broken_json'] = True
        by['untraced', 1, 'stock']['other_cpu'] = 6
        extra = {'kind': 'untraced', 'round': 2, 'driver': 'stock',
                 'name': '%02d-untraced2-stock' % (len(boots) + 1)}
        extra.update({k: v for k, v in by['untraced', 1, 'stock'].items()
                      if k not in extra})
        extra.update(console=False, trace=False, rc=124, other_cpu=None,
                     accel=None)
        boots.append(extra)
    if scenario == 'noaa':
        b = by['traced', 2, 'off']
        b.update(tsv=None, trace=False)
    return boots


def write_env(path, env):
    with open(path, 'w') as f:
        for k, v in env:
            f.write('%s=%s\n' % (k, v))


def console_lines(b, results, runtime):
    """The console log of boot B; RESULTS: job -> (IOPS, error)."""
    out = []
    if b['console_accel']:
        out.append('VM-ACCEL %s (%s)' % (
            b['accel'], 'ACCEL=tcg given' if b['accel'] == 'tcg'
            else 'KVM works here'))
    out.append('== bench: loading nvme.ko: %s' % (
        'ours ' + OFF_ARGS[b['era']] if b['driver'] == 'off' else
        'stock' if b['driver'].startswith('stock') else 'ours'))
    out.append('NVME-SRCVERSION %s' % b['src'])
    out.append('%s %s' % (PARAM_LINE[b['era']], b['value']))
    out.append('BENCH-DBBUF-STATE %s' % b['state'])
    out += ['BENCH-DMESG ' + m for m in b['dmesg']]
    out.append('bench: null drive is /dev/nvme0n1')
    out.append('bench: file drive is /dev/nvme1n1')
    for name, (iops, err) in results.items():
        rw = 'write' if 'write' in name else 'read'
        mark = name != b['unmarked']
        if mark:
            out.append('MARK %s-begin' % name)
        out.append('FIO-JSON-BEGIN %s' % name)
        out.append('note: both iodepth >= 1 and synchronous I/O engine '
                   'are selected, queue depth will be capped at 1')
        text = json.dumps(fio_report(name, iops, runtime, rw, err), indent=2)
        if b['broken_json']:
            text = text[:len(text) // 2]
        out += text.split('\n')
        out.append('FIO-JSON-END %s' % name)
        if mark:
            out.append('MARK %s-end' % name)
    out.append('bench: done')
    return out


def trace_lines(rng, b, results, runtime, doorbells):
    """QEMU's trace of boot B; DOORBELLS: job -> (SQ, CQ) counted."""
    out = ['pci_nvme_mmio_start_success']
    out += ['pci_nvme_dbbuf_config dbs_addr=0x30454000 eis_addr=0x30455000'
            ] * b['configs']
    if b['kind'] != 'traced':
        return out
    cid = 1
    marks = 0
    for name in results:
        if name == b['unmarked']:
            continue
        for edge in ('begin', 'end'):
            marks += 1
            if b['drop_mark'] and marks == 3:
                continue
            out.append('pci_nvme_getfeat cid %d nsid 0x0 fid 0xe sel 0x0 '
                       'cdw11 0x0' % cid)
            cid += 1
            if edge == 'begin':
                sq, cq = doorbells[name]
                qid = rng.randint(1, 2)
                out += ['pci_nvme_mmio_doorbell_sq sqid %d new_tail %d'
                        % (qid, i % 1024) for i in range(sq)]
                out += ['pci_nvme_mmio_doorbell_cq cqid %d new_head %d'
                        % (qid, i % 1024) for i in range(cq)]
                out.append('pci_nvme_mmio_doorbell_sq sqid 0 new_tail 3')
    return out


def write_boot(rng, raw, b, jobs, runtime):
    d = os.path.join(raw, b['name'])
    os.makedirs(d)
    write_env(os.path.join(d, 'meta.env'), [
        ('KIND', b['kind']), ('ROUND', b['round']), ('DRIVER', b['driver']),
        ('ACCEL', b['accel'] or ''), ('RC', b['rc']),
        ('SECONDS', 40 + rng.randint(0, 9)),
        ('OTHER_CPU', '' if b['other_cpu'] is None else b['other_cpu'])])
    names = [j for j, _, _ in jobs] + (['adhoc-qd8'] if b['extra_job'] else [])
    shadow = b['driver'] != 'off'
    # Traced boots run slower, and count fewer I/Os (no ramp, short runs).
    slow = 0.1 if b['kind'] == 'traced' else 1.0
    results, doorbells, rows = {}, {}, []
    for name in names:
        iops = round(BASE_IOPS[name] * FACTOR[b['driver']] * slow
                     * rng.gauss(1, 0.03), 6)
        err = 5 if name == b['failed_job'] else 0
        results[name] = (iops, err)
        ios = int(iops * runtime)
        per = (SHADOW if shadow else MMIO)[name]
        sq = int(ios * per[0] * rng.uniform(0.97, 1.0))
        cq = int(ios * per[1] * rng.uniform(0.97, 1.0))
        doorbells[name] = (sq, cq)
        if b['driver'] in ('ours', 'off'):
            dsq, dcq = (sq, cq) if name != b['miscount'] else (sq + 7, cq)
            drv = ['%d' % dsq, '%d' % dcq]
        else:
            drv = ['-', '-']
        row = [name, '%d' % ios, '%.0f' % iops, '%d' % sq, '%d' % cq,
               '%.4f' % ((sq + cq) / ios)]
        rows.append(row + (drv if b['tsv'] == '8col' else []))
    if b['console']:
        with open(os.path.join(d, 'console.log'), 'w') as f:
            f.write('\n'.join(console_lines(b, results, runtime)) + '\n')
    if b['trace']:
        text = '\n'.join(trace_lines(rng, b, results, runtime,
                                     doorbells)) + '\n'
        if b['kind'] == 'traced':
            with gzip.GzipFile(os.path.join(d, 'trace.log.gz'), 'wb',
                               mtime=0) as f:
                f.write(text.encode())
        else:
            with open(os.path.join(d, 'trace.log'), 'w') as f:
                f.write(text)
    if b['kind'] == 'traced' and b['tsv']:
        with open(os.path.join(d, 'doorbells.tsv'), 'w') as f:
            f.write(''.join('\t'.join(r) + '\n' for r in rows))


def main():
    if sys.argv[1:] == ['--list']:
        print('\n'.join(SCENARIOS))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    name, raw = sys.argv[1:]
    # The same seed, so the same numbers, in every era's raw data.
    scenario = base_of(name)
    rng = random.Random('bench-report:' + scenario)
    os.makedirs(raw)
    jobs = JOBS if scenario != 'noaa' else JOBS[:2]
    runtime = 2 if scenario == 'quick' else 10
    planned = ('3', '2') if scenario == 'quick' else ('2', '2')
    env = [('MODE', 'quick' if scenario == 'quick' else 'full'),
           ('BOOTS', planned[0]), ('TRACED', planned[1]),
           ('RUNTIME', runtime), ('RAMP', '0.5' if scenario == 'quick' else 1),
           ('JOBS', ' '.join(j for j, _, _ in jobs)),
           ('DRIVES', 'null file' if len(jobs) > 2 else 'null'),
           ('ACCEL', 'tcg'), ('ACCEL_WHY', 'ACCEL=tcg given'),
           ('HOST_CORES', 2), ('HOST_CPU', 'Intel(R) Xeon(R) Processor'),
           ('GUEST_CPUS', 2), ('KVER', '6.1.0-57-amd64'),
           ('QEMU', '7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)'),
           ('FIO', 'fio-3.33'), ('DATE', '2026-11-30 06:51 UTC'),
           ('COMMAND', 'BENCH=quick make bench' if scenario == 'quick'
            else 'make bench')]
    env += [('SRC_' + d, SRC[d]) for d in DRIVERS]
    write_env(os.path.join(raw, 'bench.env'), env)
    with open(os.path.join(raw, 'bench-jobs'), 'w') as f:
        f.write('# SPDX-License-Identifier: GPL-2.0\n# synthetic\n\n')
        f.write(''.join('%s\t%s\t%s\n' % j for j in jobs))
    if scenario == 'noboots':
        return 0
    for b in tweak(name, boot_plan(scenario)):
        write_boot(rng, raw, b, jobs, runtime)
    return 0


if __name__ == '__main__':
    sys.exit(main())
