#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/bench-report.py on synthetic raw data (tests/bench/mkraw.py),
# compared byte for byte with the golden files of tests/bench/golden/:
# per case, the report's stdout, stderr and exit status, and every file
# it wrote (bench.md, bench.csv; with a stand-in gnuplot also
# bench-plot.dat and bench-plot.vars.gp, the chart's data and labels).
# The golden files were written by the report before it was split into
# load, aggregate and render stages; any change to a verdict, a figure,
# a table or a message fails here.  Prints TAP.
#
# usage: tests/bench/run.sh            compare
#        tests/bench/run.sh --update   rewrite the golden files from the
#                                      current report (review the diff!)
# OUT=DIR: where the raw data and outputs go (default build/bench-golden).
# REPORT=FILE: the report to run (default scripts/bench-report.py), e.g.
# an older one from git show, next to its doorbells.py.

set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
REPORT=${REPORT:-$TOP/scripts/bench-report.py}
GOLDEN=$HERE/golden
W=${OUT:-$TOP/build/bench-golden}
UPDATE=
[ "${1:-}" != --update ] || UPDATE=1
# The interpreter itself, not a wrapper that needs PATH (pyenv's shims).
PY=$(python3 -c 'import sys; print(sys.executable)') ||
	{ echo "Bail out! no python3"; exit 1; }
export PYTHONDONTWRITEBYTECODE=1
rm -rf "$W" && mkdir -p "$W/bin-ok" "$W/bin-fail" "$W/bin-none"
# Stand-ins for gnuplot: one that draws nothing and succeeds, one that
# fails; bin-none has none at all.
printf '#!/bin/sh\nexit 0\n' > "$W/bin-ok/gnuplot"
printf '#!/bin/sh\necho "line 7: undefined variable: mmiomax" >&2\nexit 1\n' \
	> "$W/bin-fail/gnuplot"
chmod +x "$W/bin-ok/gnuplot" "$W/bin-fail/gnuplot"

# The paths of this run, as the golden files spell them.
norm() {
	local rel=${W#"$TOP"/}
	sed -e "s|$W|@W@|g" -e "s|$rel|@W@|g"
}

n=0 bad=0
# check CASE SCENARIO RC PATH-DIR [REPORT-ARGS...]: write SCENARIO's raw
# data to W/CASE/raw (none: an empty raw/), run the report on it (@RAW@ in
# the arguments) with PATH=PATH-DIR:$PATH (bin-none: that directory alone);
# its exit status must be RC, and what it printed and the files it wrote
# (under W/CASE, raw/ aside) must be those of golden/CASE/.
check() {
	local name=$1 scen=$2 want=$3 bin=$4 c=$W/$1 got=$W/$1.got
	local path=$W/$4:$PATH f rc
	shift 4
	[ "$bin" != bin-none ] || path=$W/$bin
	n=$((n + 1))
	mkdir -p "$c" "$got"
	if [ "$scen" = none ]; then
		mkdir -p "$c/raw"
	elif ! "$PY" "$HERE/mkraw.py" "$scen" "$c/raw" >"$got/mkraw.err" 2>&1; then
		echo "not ok $n - $name: mkraw.py $scen failed"
		sed 's/^/# /' "$got/mkraw.err"
		bad=$((bad + 1))
		return
	fi
	rm -f "$got/mkraw.err"
	(cd "$c" && PATH=$path "$PY" "$REPORT" "${@/@RAW@/$c/raw}" \
		>"$got/stdout" 2>"$got/stderr"; echo "$?" >"$got/rc")
	rc=$(cat "$got/rc")
	if [ "$rc" != "$want" ]; then
		echo "not ok $n - $name: exit $rc, not $want"
		sed 's/^/# /' "$got/stderr"
		bad=$((bad + 1))
		return
	fi
	for f in stdout stderr; do
		norm <"$got/$f" >"$got/$f.n" && mv "$got/$f.n" "$got/$f"
	done
	for f in "$c"/*; do
		[ "${f##*/}" = raw ] || norm <"$f" >"$got/${f##*/}"
	done
	if [ -n "$UPDATE" ]; then
		rm -rf "${GOLDEN:?}/$name" && mkdir -p "$GOLDEN" &&
			cp -r "$got" "$GOLDEN/$name"
		echo "ok $n - $name: golden files written (exit $rc)"
	elif [ ! -d "$GOLDEN/$name" ]; then
		echo "not ok $n - $name: no golden files (tests/bench/run.sh --update)"
		bad=$((bad + 1))
	elif diff -r -u "$GOLDEN/$name" "$got" >"$W/$name.diff"; then
		echo "ok $n - $name: output as golden (exit $rc)"
	else
		echo "not ok $n - $name: output differs from tests/bench/golden/$name"
		head -n 40 "$W/$name.diff" | sed 's/^/# /'
		bad=$((bad + 1))
	fi
}

check good good 0 bin-none @RAW@ --out "$W/good" --no-plot
check quick quick 0 bin-none @RAW@ --no-plot
check noaa noaa 0 bin-none @RAW@ --no-plot
check invalid invalid 3 bin-none @RAW@ --out "$W/invalid" --no-plot
check mixed mixed 1 bin-none @RAW@ --no-plot
check unknown unknown 1 bin-none @RAW@ --no-plot
check noboots noboots 1 bin-none @RAW@ --no-plot
check noenv none 1 bin-none @RAW@ --no-plot
check help none 0 bin-none --help
# The chart: its data and labels, and the report's lines about it.
check good-plot good 0 bin-ok @RAW@ --out "$W/good-plot"
check invalid-plotfail invalid 3 bin-fail @RAW@
check quick-nognuplot quick 0 bin-none @RAW@
# Raw data of a bench.sh from before the no_dbbuf quirk (off with
# nvme.dbbuf=off; quick has the use_dbbuf=0 of before that): the same
# numbers as good and invalid, rendered with that era's wording, as the
# report rendered them then (golden files of good-plot and invalid but
# for this run's paths).
check good-dbbuf good-dbbuf 0 bin-ok @RAW@ --out "$W/good-dbbuf"
check invalid-dbbuf invalid-dbbuf 3 bin-none @RAW@ --out "$W/invalid-dbbuf" --no-plot

echo "1..$n"
echo "$((n - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
