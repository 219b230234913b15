#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh's stopped-QEMU watchdog, on a real boot: a QEMU made to stop
# (SIGSTOP, as a lost wake-up leaves it: no CPU time at all) must be
# killed within VM_IDLE_LIMIT and booted once more, its first console
# kept and the retry said in the new one; a second stop must fail the
# boot with 126.  A guest idle in sleep(1) for longer than the limit must
# not count as stopped.  Prints TAP; the last line is "N passed, N failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
load_base
need_image
OUT=$BUILD/vm-stopped
rm -rf "$OUT" && mkdir -p "$OUT"
n=0 bad=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else bad=$((bad + 1)); echo "not ok $n $2"; fi
}

# run NAME GUEST-SLEEP STOPS: boot a guest that sleeps; SIGSTOP its QEMU
# STOPS times, each once the guest has reached /init.
run() {
	local name=$1 s=$2 stops=$3 log=$OUT/$1.log pid i t
	printf 'sleep %s\necho SLEPT\n' "$s" > "$OUT/$name-guest.sh"
	VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$log" --timeout 300 \
		"$OUT/$name-guest.sh" > "$OUT/$name.out" 2>&1 &
	local vm=$!
	for i in $(seq 1 "$stops"); do
		t=0
		# The current boot's /init reached (the retry starts a new log).
		until grep -q '^guest: Linux ' "$log" 2>/dev/null && [ "$(grep -c '^VM-RETRY' "$log")" -eq $((i - 1)) ]; do
			sleep 1; t=$((t + 1)); [ $t -lt 240 ] || break
		done
		pid=$(cat "$BUILD"/vm/run.*/qemu.pid 2>/dev/null | tail -n1)
		[ -n "$pid" ] && kill -STOP "$pid"
	done
	wait $vm
	echo $? > "$OUT/$name.rc"
}

say "vm-stopped: a QEMU stopped once (about 2 min under TCG)"
run once 30 1
rc=$(cat "$OUT/once.rc")
[ "$rc" = 0 ] && grep -q '^VM-RETRY QEMU stopped' "$OUT/once.log" &&
	[ -s "$OUT/once.log.stopped" ] && grep -q '^SLEPT' "$OUT/once.log"
tap $? "vm.sh: a QEMU stopped once is killed and booted again, the first console kept, the retry said (exit $rc)"
say "vm-stopped: a QEMU stopped twice"
run twice 30 2
rc=$(cat "$OUT/twice.rc")
[ "$rc" = 126 ]
tap $? "vm.sh: a QEMU stopped twice fails the boot with 126 (exit $rc)"
say "vm-stopped: a guest asleep for longer than the limit"
printf 'sleep 40\necho SLEPT\n' > "$OUT/asleep-guest.sh"
VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$OUT/asleep.log" --timeout 300 \
	"$OUT/asleep-guest.sh" > "$OUT/asleep.out" 2>&1
rc=$?
[ "$rc" = 0 ] && ! grep -q '^VM-RETRY' "$OUT/asleep.log" && grep -q '^SLEPT' "$OUT/asleep.log"
tap $? "vm.sh: a guest asleep for 40 s, past the 15 s limit, is not taken for stopped (exit $rc)"
echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
