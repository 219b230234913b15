#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that the vmtest's verdict scripts fail when they should: run them on
# tampered logs (mklogs.py: one broken thing per scenario) and on logs saved
# from real failing boots (saved/), and require each to fail with the
# expected check, while the good scenario passes.  Prints TAP; exit status 1
# if a verdict was not what it must be.

set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$TOP/build/vmtest-negatives}
GUEST=$TOP/scripts/vmtest-guest.py
HOST=$TOP/scripts/vmtest-host.py
rm -rf "$OUT" && mkdir -p "$OUT"
# The tests whose spans mklogs.py imitates.
MAIN_TESTS=verify,accounting,reset,wrap,cycle,mmio-only

# scenario  checker  the line that must fail ("" = everything must pass)
EXPECT=(
	"good			both	"
	"first-load-no-config	host	host: the first load"
	"stray-enable		host	host: controller enables over the whole boot"
	"driver-reset		host	host: reset: 121 controller enables"
	"reset-no-config	host	host: reset: 120 controller enables and 119 commands"
	"config-after-queues	host	host: each Doorbell Buffer Config arrived before"
	"queue-past-page	host	host: no enable with the command created an I/O queue past"
	"few-resets		host	host: reset: the guest declares 20 resets"
	"acct-on-mmio		host	host: acct-on: shadow doorbells cut"
	"mmio-left		host	host: post-reset: shadow doorbells cut"
	"missing-span		host	host: span cycle of test cycle is missing"
	"kernel-timeout		guest	guest: no nvme timeout"
	"bail-out		guest	guest: the kselftest ran to its end"
	"short-plan		guest	guest: 5 results for a plan of 6"
	"silent-exit		guest	guest: exit status 1, yet no result failed"
	"count-mismatch		host	host: the driver counted exactly the MMIO doorbells QEMU saw"
	"count-missing		host	host: driver MMIO counts: the guest printed none"
)

n=0 bad=0
verdict() {	# verdict OK DESC
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		bad=$((bad + 1))
	fi
}

# judge NAME CHECKER PATTERN CONSOLE TRACE RC
judge() {
	local name=$1 which=$2 want=$3 d=$OUT/$1 grc=0 hrc=0 ok=1 why
	"$GUEST" "$4" "$6" > "$d/guest.tap" 2>&1 || grc=$?
	if [ -n "$5" ]; then
		"$HOST" "$4" "$5" "$MAIN_TESTS" > "$d/host.tap" 2>&1 || hrc=$?
	else
		: > "$d/host.tap"
	fi
	case $which in
	both)
		[ $grc -eq 0 ] && [ $hrc -eq 0 ] || ok=0
		why="both checkers pass" ;;
	guest|host)
		local rc=$grc other=$hrc
		[ "$which" = host ] && rc=$hrc other=$grc
		# It must fail, on the expected line, and for no other reason
		# than the one the scenario breaks (the other checker passes
		# unless it reads the same broken thing).
		[ $rc -eq 1 ] || ok=0
		grep -qF -- "$want" <(grep '^not ok' "$d/$which.tap") || ok=0
		why="$which fails: '$want'" ;;
	esac
	[ $ok = 1 ] || { echo "# $name: guest exit $grc, host exit $hrc"; sed 's/^/#   /' "$d/guest.tap" "$d/host.tap" | grep -v '^#   ok' ; }
	verdict $ok "negative $name: $why"
}

for e in "${EXPECT[@]}"; do
	IFS=$'\t' read -r -a f <<<"$(echo "$e" | tr -s '\t')"
	name=${f[0]} which=${f[1]} want=${f[2]:-}
	"$HERE/mklogs.py" "$name" "$OUT/$name" || { verdict 0 "negative $name: mklogs.py failed"; continue; }
	judge "$name" "$which" "$want" "$OUT/$name/console.log" "$OUT/$name/trace.log" "$(cat "$OUT/$name/rc")"
done

# Saved consoles of real failing boots: name, guest exit status, pattern.
for f in "$HERE"/saved/*.console.log; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .console.log)
	mkdir -p "$OUT/$name"
	rc=$(sed -n 's/^# guest-exit: //p' "$HERE/saved/$name.expect")
	want=$(sed -n 's/^# must-fail: //p' "$HERE/saved/$name.expect")
	judge "$name" guest "$want" "$f" "" "$rc"
done

echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
