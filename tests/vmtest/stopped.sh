#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh's retry of a boot the emulator lost, on real boots: a QEMU made
# to stop (SIGSTOP, as a lost wake-up leaves it: no CPU time at all) must
# be killed within VM_IDLE_LIMIT and booted again, each console kept and
# each retry said in the new one; a third stop (after the two retries)
# must fail the boot with 126.  A guest idle in sleep(1) for longer than
# the limit must not count as stopped.  The soft-lockup form of the
# stall, and the crashes that multi-threaded TCG causes (emulator_crash
# in lib.sh), are matched on saved consoles (tests/vmtest/fixtures/);
# under TCG a guest that dies so is booted again, one that dies
# otherwise is not.  Prints TAP; the last line is "N passed, N failed".
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

# qemu_pid: the live QEMU of the newest boot (a run directory that a
# killed vm.sh left behind holds a stale pid).
qemu_pid() {
	local f p
	for f in $(ls -t "$BUILD"/vm/run.*/qemu.pid 2>/dev/null); do
		p=$(cat "$f" 2>/dev/null) || continue
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		qemu-system-*) echo "$p"; return 0 ;;
		esac
	done
	return 1
}

# run NAME GUEST-SLEEP STOPS: boot a guest that sleeps; SIGSTOP its QEMU
# STOPS times, each once the guest has reached /init.  A boot that the
# emulator lost on its own (a TCG crash, before /init or after) spoils the
# count: the whole run is made once more, and said.
run() {
	local name=$1 s=$2 stops=$3 log=$OUT/$1.log pid i t attempt rc vm
	printf 'sleep %s\necho SLEPT\n' "$s" > "$OUT/$name-guest.sh"
	for attempt in 1 2; do
		rm -f "$log" "$log".*
		VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$log" --timeout 300 \
			"$OUT/$name-guest.sh" > "$OUT/$name.out" 2>&1 &
		vm=$!
		for i in $(seq 1 "$stops"); do
			t=0
			# The current boot's /init reached (a retry starts a new log).
			until grep -q '^guest: Linux ' "$log" 2>/dev/null && [ "$(grep -c '^VM-RETRY' "$log")" -eq $((i - 1)) ]; do
				sleep 1; t=$((t + 1)); [ $t -lt 240 ] || break
			done
			pid=$(qemu_pid) && kill -STOP "$pid"
		done
		wait $vm
		rc=$?
		echo $rc > "$OUT/$name.rc"
		if [ "$attempt" = 1 ] &&
		   { compgen -G "$log.crashed*" > /dev/null || compgen -G "$log.died-before-init*" > /dev/null ||
		     { [ "$rc" = 125 ] && { ! grep -q '^guest: Linux ' "$log" || emulator_crash "$log" > /dev/null; }; }; }; then
			echo "# $name: the emulator lost a boot on its own (a TCG crash); the run once more"
			continue
		fi
		break
	done
}

say "vm-stopped: a QEMU stopped twice, and one stopped three times (about 3 min under TCG)"
run twice 30 2
rc=$(cat "$OUT/twice.rc")
[ "$rc" = 0 ] && [ "$(grep -c '^VM-RETRY QEMU stopped in boot [12]: ' "$OUT/twice.log")" = 2 ] &&
	[ -s "$OUT/twice.log.stopped" ] && [ -s "$OUT/twice.log.stopped.2" ] && grep -q '^SLEPT' "$OUT/twice.log"
tap $? "vm.sh: a QEMU stopped twice is booted a third time, both retries said, both consoles kept (exit $rc)"
run thrice 30 3
rc=$(cat "$OUT/thrice.rc")
[ "$rc" = 126 ]
tap $? "vm.sh: a QEMU stopped three times fails the boot with 126 (exit $rc)"
say "vm-stopped: a guest asleep for longer than the limit"
printf 'sleep 40\necho SLEPT\n' > "$OUT/asleep-guest.sh"
VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$OUT/asleep.log" --timeout 300 \
	"$OUT/asleep-guest.sh" > "$OUT/asleep.out" 2>&1
rc=$?
[ "$rc" = 0 ] && ! grep -q '^VM-RETRY' "$OUT/asleep.log" && grep -q '^SLEPT' "$OUT/asleep.log"
tap $? "vm.sh: a guest asleep for 40 s, past the 15 s limit, is not taken for stopped (exit $rc)"
# The same wired into vm.sh: a guest whose console shows the report (the
# script prints it, in every boot) is killed, booted again, and failed.
say "vm-stopped: a guest that reports an IPI stall"
printf '%s\n' 'echo "[   99.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [sh:1]"' \
	'echo "[   99.000000] CPU: 0 PID: 1 Comm: sh"' \
	'echo "[   99.000000] RIP: 0010:smp_call_function_many_cond+0xf1/0x330"' \
	'sleep 60' 'echo SLEPT' > "$OUT/lockup-guest.sh"
VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$OUT/lockup.log" --timeout 300 \
	"$OUT/lockup-guest.sh" > "$OUT/lockup.out" 2>&1
rc=$?
if [ "$(sed -n 's/^VM-ACCEL \([a-z]*\).*/\1/p' "$OUT/lockup.log")" = tcg ]; then
	[ "$rc" = 126 ] && grep -q 'smp_call_function_many_cond(): an IPI' "$OUT/lockup.out" &&
		grep -q '^VM-RETRY QEMU stopped in boot 1: the guest kernel reported' "$OUT/lockup.log" &&
		[ -s "$OUT/lockup.log.stopped" ] && ! grep -q '^SLEPT' "$OUT/lockup.log"
	tap $? "vm.sh: under TCG, a console IPI stall is killed, booted again twice, and a third one fails with 126 (exit $rc)"
else
	n=$((n + 1)); echo "ok $n vm.sh: a console IPI stall # SKIP not under TCG (the match is TCG's only)"
fi

# The soft-lockup form (vm.sh: a vCPU spinning on an IPI the other never
# ran), on the console of the 2026-12-03 hang: found there, not when the
# stuck CPU is anywhere else, and not on a clean boot's console.
fix=$HERE/fixtures/ipi-stall.console
why=$(ipi_stall "$fix")
tap $? "ipi_stall: the 6.1 hang's soft lockup in smp_call_function_many_cond is an emulator stall ($why)"
sed 's/smp_call_function_many_cond+/nvme_dbbuf_ring_sq+/' "$fix" > "$OUT/lockup-elsewhere.console"
! ipi_stall "$OUT/lockup-elsewhere.console" > /dev/null
tap $? "ipi_stall: a soft lockup with the CPU stuck elsewhere (a driver's) is not taken for the emulator"
! ipi_stall "$OUT/asleep.log" > /dev/null
tap $? "ipi_stall: a clean boot's console holds no stall"

# The crashes of multi-threaded TCG (vm.sh boots such a guest again),
# on the consoles of two that killed 6.12 guests on 2026-12-03: matched
# there, and not when memory still holds the int3, when the trap is
# another, when the double fault is a stack overflow, nor on a clean boot.
fix=$HERE/fixtures/int3-stale.console
why=$(emulator_crash "$fix")
tap $? "emulator_crash: an int3 trap where memory holds 0xeb is a stale translation ($why)"
sed 's/ eb <5a> / cc <5a> /' "$fix" > "$OUT/int3-real.console"
! emulator_crash "$OUT/int3-real.console" > /dev/null
tap $? "emulator_crash: an int3 trap where memory still holds the int3 (0xcc) is not taken for the emulator"
sed 's/Oops: int3: 0000/Oops: general protection fault: 0000/' "$fix" > "$OUT/gp.console"
! emulator_crash "$OUT/gp.console" > /dev/null
tap $? "emulator_crash: a general protection fault at the same place is not taken for the emulator"
fix=$HERE/fixtures/double-fault.console
why=$(emulator_crash "$fix")
tap $? "emulator_crash: a double fault with no stack overflow is the emulator's ($why)"
sed '1i [   42.211990] BUG: stack guard page was hit at 000000001234abcd (stack is 0000000011110000..0000000011114000)' \
	"$fix" > "$OUT/stack-overflow.console"
! emulator_crash "$OUT/stack-overflow.console" > /dev/null
tap $? "emulator_crash: a double fault that is a stack overflow is not taken for the emulator"
! emulator_crash "$OUT/asleep.log" > /dev/null
tap $? "emulator_crash: a clean boot's console holds no crash"

# Wired into vm.sh: a guest that prints the int3 crash and then dies (a
# sysrq crash: a panic, and QEMU exits) is booted twice more under TCG,
# and dies each time: 125, the retries said, the consoles kept.  One that
# dies with no such report is not booted again.
say "vm-stopped: a guest that dies after printing a TCG crash, and one that just dies"
{ echo "cat <<'EOF'"; cat "$HERE/fixtures/int3-stale.console"; echo EOF
  echo 'echo c > /proc/sysrq-trigger'; echo 'sleep 30'; echo 'echo SURVIVED'; } > "$OUT/crash-guest.sh"
VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$OUT/crash.log" --timeout 300 \
	"$OUT/crash-guest.sh" > "$OUT/crash.out" 2>&1
rc=$?
printf '%s\n' 'echo c > /proc/sysrq-trigger' 'sleep 30' 'echo SURVIVED' > "$OUT/die-guest.sh"
VM_IDLE_LIMIT=15 "$TOP/scripts/vm.sh" --log "$OUT/die.log" --timeout 300 \
	"$OUT/die-guest.sh" > "$OUT/die.out" 2>&1
rc2=$?
if [ "$(sed -n 's/^VM-ACCEL \([a-z]*\).*/\1/p' "$OUT/crash.log")" = tcg ]; then
	[ "$rc" = 125 ] && grep -q 'sysrq triggered crash' "$OUT/crash.log" &&
		[ "$(grep -c '^VM-RETRY the guest kernel died in boot [12]: the guest kernel trapped on an int3 at ttwu_do_activate' "$OUT/crash.log")" = 2 ] &&
		[ -s "$OUT/crash.log.crashed" ] && [ -s "$OUT/crash.log.crashed.2" ] && ! grep -q '^SURVIVED' "$OUT/crash.log"
	tap $? "vm.sh: under TCG, a guest dead of a stale int3 is booted again twice, and a third death fails with 125 (exit $rc)"
else
	n=$((n + 1)); echo "ok $n vm.sh: a guest dead of a TCG crash # SKIP not under TCG (the match is TCG's only)"
fi
[ "$rc2" = 125 ] && grep -q 'sysrq triggered crash' "$OUT/die.log" &&
	! grep -q '^VM-RETRY' "$OUT/die.log" && [ ! -e "$OUT/die.log.crashed" ]
tap $? "vm.sh: a guest that dies with no emulator crash is not booted again (exit $rc2)"
echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
