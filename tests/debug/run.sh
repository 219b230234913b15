#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel's detectors, on the driver (BASE=7.3 only): each
# test-only mutant in mutants/ must make its detector report (lockdep,
# sleeping in atomic context, KASAN, DMA-API debugging, kmemleak), and the
# real series must make none of them over CYCLES load/unload cycles
# (default 50) with I/O in each.  Prints TAP; the last line is
# "N passed, N failed".
#
#   SRC_TREE=dir    the kernel tree with the series (default build/tree-7.3)
#   DEBUG_TESTS="a b"  only these (mutant names, or "reloads")
#   DEBUG_OUT=dir   where the logs go (default build/debug-BASE)

set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
[ "$BASE" = 7.3 ] || die "tests/debug runs on the 7.3 debug kernel only (BASE=7.3), not $BASE"
load_base
need_kernel
SRC_TREE=${SRC_TREE:-$TREE}
[ -f "$SRC_TREE/drivers/nvme/host/pci.c" ] || "$TOP/scripts/series.sh" tree >&2 || exit 1
OUT=${DEBUG_OUT:-$BUILD/debug-$BASE}
rm -rf "$OUT" && mkdir -p "$OUT"
CYCLES=${CYCLES:-50}

n=0 bad=0
tap() {	# tap OK DESC [LOG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		bad=$((bad + 1))
		echo "not ok $n $2"
		[ -z "${3:-}" ] || sed 's/^/#   /' "$3"
	fi
}

# boot NAME MODULE CYCLES [SCAN]: the guest script with that module; SCAN
# 0 skips the kmemleak scans at the end (12 s), which only the kmemleak
# mutant and the series need.
boot() {
	say "debug: $1 (${3} load/unload cycles; the debug kernel boots in about 30 s under TCG)"
	"$TOP/scripts/vm.sh" --module "$2" --log "$OUT/$1-console.log" \
		--timeout 1200 --env "CYCLES=$3" --env "SCAN=${4:-1}" \
		"$HERE/guest.sh" >/dev/null 2>&1
}

# class NAME: the detector a mutant must trip.
class() {
	case $1 in
	lockdep|atomic-sleep|kasan|dma-api|kmemleak) echo "$1" ;;
	*) die "no detector is known for mutant $1" ;;
	esac
}

for p in "$HERE"/mutants/*.patch; do
	m=$(basename "$p" .patch)
	[ -z "${DEBUG_TESTS:-}" ] || [[ " $DEBUG_TESTS " == *" $m "* ]] || continue
	w=$OUT/$m
	mkdir -p "$w/src/drivers/nvme"
	cp -a "$SRC_TREE/drivers/nvme/host" "$w/src/drivers/nvme/"
	if ! (cd "$w/src" && patch -s -p1 <"$p") >"$w/patch.log" 2>&1; then
		tap 1 "debug: mutant $m applies to the series" "$w/patch.log"
		continue
	fi
	if ! SRC_TREE=$w/src OUT=$w/module "$TOP/scripts/modules.sh" >"$w/build.log" 2>&1; then
		tap 1 "debug: mutant $m builds" "$w/build.log"
		continue
	fi
	boot "$m" "$w/module/nvme.ko" 1 "$([ "$m" = kmemleak ] && echo 1 || echo 0)"
	"$TOP/scripts/kernel-reports.py" "$OUT/$m-console.log" --expect "$(class "$m")" >"$w/reports" 2>&1
	rc=$?
	grep -q '^DEBUG-CYCLES 1$' "$OUT/$m-console.log" || { echo "the guest did not finish its cycle" >>"$w/reports"; rc=1; }
	tap $rc "debug: mutant $m: the $(class "$m") detector reports it ($(grep -c "^$(class "$m"):" "$w/reports") report(s): $(grep -m1 "^$(class "$m"):" "$w/reports" | cut -c1-100))" "$w/reports"
done

if [ -z "${DEBUG_TESTS:-}" ] || [[ " $DEBUG_TESTS " == *" reloads "* ]]; then
	w=$OUT/reloads
	mkdir -p "$w"
	if SRC_TREE=$SRC_TREE OUT=$w/module "$TOP/scripts/modules.sh" >"$w/build.log" 2>&1; then
		boot reloads "$w/module/nvme.ko" "$CYCLES"
		"$TOP/scripts/kernel-reports.py" "$OUT/reloads-console.log" >"$w/reports" 2>&1
		rc=$?
		grep -q "^DEBUG-CYCLES $CYCLES\$" "$OUT/reloads-console.log" &&
			grep -q '^DEBUG-DONE$' "$OUT/reloads-console.log" ||
			{ echo "the guest did not finish $CYCLES cycles and the kmemleak scan" >>"$w/reports"; rc=1; }
		tap $rc "debug: the series: $CYCLES load/unload cycles with I/O, then a kmemleak scan: no lockdep, KASAN, DMA-API, kmemleak, BUG or WARN report" "$w/reports"
	else
		tap 1 "debug: the series builds against the debug kernel" "$w/build.log"
	fi
fi

echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
