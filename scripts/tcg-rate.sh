#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make tcg-rate: how often a guest crashes or hangs under TCG: boots of
# the same vmtest (the main boot, with the kselftest tests TCG_RATE_TESTS
# only), with QEMU's multi-threaded TCG (one host thread per vCPU), and,
# interleaved, with one thread for all vCPUs if TCG_RATE_MODES asks.  On
# QEMU before 8.1 one thread drops the guest's memory barriers, and a
# shadow doorbell is lost (README, Known limits).  Each boot is one run of
# scripts/vmtest.sh with TCG_THREAD=multi or single; its verdicts count
# as they do in make check.  An event is a boot that vm.sh booted again
# (QEMU stopped, an IPI stall, a TCG crash), a guest that died or hung,
# or a failed check.  Prints a line per boot and the totals; consoles of
# the boots with an event are kept in build/tcg-rate-BASE/.
#
#   TCG_RATE_BOOTS=N      boots of each mode (default 6)
#   TCG_RATE_TESTS=a,b    the kselftest tests (default cycle: 20 reloads)
#   TCG_RATE_MODES="multi single"  the modes, in the order they alternate
#                         (default multi)
#   BASE=6.12|6.1|7.3     the base (default: lib.sh's)
#
# Exits 0 when every boot ran; the rates are the result, not a verdict.

set -uo pipefail
. "$(dirname "$0")/lib.sh"

load_base
BOOTS=${TCG_RATE_BOOTS:-6}
TESTS=${TCG_RATE_TESTS:-cycle}
MODES=${TCG_RATE_MODES:-multi}
[[ $BOOTS =~ ^[1-9][0-9]*$ ]] || die "TCG_RATE_BOOTS=$BOOTS: must be a whole number, 1 or more"
[[ $TESTS =~ ^[a-z-]+(,[a-z-]+)*$ ]] || die "TCG_RATE_TESTS=$TESTS: must be kselftest test names, comma-separated"
for m in $MODES; do
	case $m in
	single|multi) ;;
	*) die "TCG_RATE_MODES: $m: each mode must be single or multi" ;;
	esac
done
need_image
pick_accel
[ "$ACCEL" = tcg ] ||
	die "tcg-rate measures TCG, and guests here run under $ACCEL ($ACCEL_WHY); ACCEL=tcg forces TCG"
OUT=$BUILD/tcg-rate-$BASE
rm -rf "$OUT" && mkdir -p "$OUT"
VM=$BUILD/vmtest-$BASE

say "tcg-rate: $BOOTS boots of each of: $MODES; base $BASE ($KVER); kselftest tests: $TESTS"
declare -A n ev sec
for m in $MODES; do n[$m]=0 ev[$m]=0 sec[$m]=; done
for i in $(seq 1 "$BOOTS"); do
	for m in $MODES; do
		say "tcg-rate: boot $i of $BOOTS, TCG_THREAD=$m"
		t0=$(date +%s)
		TCG_THREAD=$m VMTEST=main VMTEST_TESTS=$TESTS \
			"$TOP/scripts/vmtest.sh" > "$OUT/$m-$i.tap" 2> "$OUT/$m-$i.err"
		rc=$?
		t=$(( $(date +%s) - t0 ))
		what=
		grep -q '^VM-RETRY ' "$VM/main-console.log" 2>/dev/null &&
			what="booted again: $(sed -n 's/^VM-RETRY //p' "$VM/main-console.log" | head -n1 | cut -c1-100)"
		if grep -q '^not ok ' "$OUT/$m-$i.tap" || [ $rc -ne 0 ]; then
			what="${what:+$what; }$(grep -m1 '^not ok ' "$OUT/$m-$i.tap" | cut -c1-140)"
			[ -n "$what" ] || what="vmtest exit $rc"
		fi
		# the oops or report the console holds, if any
		oops=$(grep -h -m1 -E 'Oops|BUG:|double fault|general protection|Kernel panic' \
			"$VM"/main-console.log* 2>/dev/null | head -n1 | cut -c1-100)
		n[$m]=$((n[$m] + 1))
		sec[$m]="${sec[$m]} $t"
		if [ -n "$what" ]; then
			ev[$m]=$((ev[$m] + 1))
			for f in "$VM"/main-console.log*; do
				cp "$f" "$OUT/$m-$i-$(basename "$f")"
			done
			echo "boot $i $m: EVENT ($t s): $what${oops:+ [console: $oops]}"
		else
			echo "boot $i $m: clean ($t s)"
		fi
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo "# tcg-rate, $(date -u '+%Y-%m-%d %H:%M UTC'): base $BASE ($KVER), $(qemu-system-x86_64 --version | head -n1), kselftest tests: $TESTS"
for m in $MODES; do
	echo "TCG_THREAD=$m: ${ev[$m]} of ${n[$m]} boots with an event; median boot (vmtest run) $(echo "${sec[$m]}" | median) s"
done
