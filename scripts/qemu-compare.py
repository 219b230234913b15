#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the vmtest results of two `make check` logs, run against two
QEMU versions (for example a fresh Debian 12 run, QEMU 7.2, and a fresh
Debian 13 run, QEMU 10.0), and print a Markdown report: per base, the
vmtest verdicts of each, the checks whose verdict differs, and the MMIO
doorbells per I/O and the admin burst figures side by side.

usage: qemu-compare.py LOG_A LOG_B
"""
import re
import sys


def parse(path):
    qemu = {}
    res = {}
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"^\s+(7\.3|6\.12|6\.1): Linux .*QEMU (\S+)$", line)
        if m:
            qemu[m.group(1)] = m.group(2)
        m = re.match(r"^(ok  |FAIL|skip) \[(7\.3|6\.12|6\.1)\] vmtest: (.*)$", line)
        if m:
            verdict, base, text = m.groups()
            # The check's name: the text up to its first figure.
            key = re.sub(r"[0-9][0-9.,]*", "N", text)[:160]
            res.setdefault(base, []).append((key, verdict.strip(), text))
    return qemu, res


def figures(rows):
    out = {}
    for key, _, text in rows:
        m = re.match(r"^(\w+): host: (acct-on|post-reset|post-cycle|acct-off)\b.*?([0-9.]+) per I/O", text)
        if m:
            out[f"{m.group(1)} {m.group(2)}: MMIO doorbells per I/O"] = m.group(3)
        m = re.match(r"^(\w+): host: admin: a burst of (\d+) .*?: (\d+) ran before .*?([0-9.]+) SQ MMIO doorbells per command, ([0-9.]+) with (?:dbbuf=off|no_dbbuf)", text)
        if m:
            out[f"{m.group(1)} admin burst: SQ MMIO per command (off)"] = f"{m.group(4)} ({m.group(5)})"
            out[f"{m.group(1)} admin burst: commands run before any doorbell"] = f"{m.group(3)} of {m.group(2)}"
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    qa, ra = parse(sys.argv[1])
    qb, rb = parse(sys.argv[2])
    print(f"A: {sys.argv[1]}\n\nB: {sys.argv[2]}\n")
    for base in ("7.3", "6.12", "6.1"):
        a, b = ra.get(base, []), rb.get(base, [])
        if not a and not b:
            continue
        print(f"## {base}: QEMU {qa.get(base, '?')} (A) and {qb.get(base, '?')} (B)\n")
        for name, rows in (("A", a), ("B", b)):
            n = {v: sum(1 for r in rows if r[1] == v) for v in ("ok", "FAIL", "skip")}
            print(f"- {name}: {n['ok']} ok, {n['FAIL']} failed, {n['skip']} skipped")
        da = {k: v for k, v, _ in a}
        db = {k: v for k, v, _ in b}
        diff = [k for k in sorted(set(da) | set(db)) if da.get(k) != db.get(k)]
        print(f"- checks whose verdict differs, or that ran in one only: {len(diff)}")
        for k in diff:
            print(f"  - A {da.get(k, 'absent')}, B {db.get(k, 'absent')}: {k}")
        fa, fb = figures(a), figures(b)
        if fa or fb:
            print("\n| figure | A | B |\n|---|---:|---:|")
            for k in sorted(set(fa) | set(fb)):
                print(f"| {k} | {fa.get(k, '-')} | {fb.get(k, '-')} |")
        print()


main()
