#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that the vmtest's verdict scripts fail when they should: run them on
# tampered logs (mklogs.py: one broken thing per scenario) and on logs saved
# from real failing boots (saved/), and require each to fail with the
# expected checks and no other, while the good scenarios pass.  Prints TAP;
# exit status 1 if a verdict was not what it must be.

set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$TOP/build/vmtest-negatives}
GUEST=$TOP/scripts/vmtest-guest.py
HOST=$TOP/scripts/vmtest-host.py
rm -rf "$OUT" && mkdir -p "$OUT"

# scenario  checker  the lines that must fail, and no other, separated by
# " && " ("" = everything must pass).  The other checker must pass.
EXPECT=(
	"good			both	"
	"queues1-good		both	"
	"pagefit-good		both	"
	"first-load-no-config	host	host: the first load && host: controller enables over the whole boot: 163, the guest caused 163; Doorbell Buffer Config: 155, expected 156"
	"stray-enable		host	host: controller enables over the whole boot"
	"driver-reset		host	host: controller enables over the whole boot && host: reset: 121 controller enables"
	"reset-no-config	host	host: reset: 120 controller enables and 119 commands && host: controller enables over the whole boot: 163, the guest caused 163; Doorbell Buffer Config: 155, expected 156"
	"config-before-queues	host	host: each Doorbell Buffer Config arrived after its enable's I/O queues were created and before their first MMIO doorbell: 155 of 156 did (326 I/O queues created; before a queue was created: 1, in an enable with no I/O queue: 0, after I/O: 0)"
	"config-without-queues	host	host: each Doorbell Buffer Config arrived after its enable's I/O queues were created and before their first MMIO doorbell: 155 of 156 did (324 I/O queues created; before a queue was created: 0, in an enable with no I/O queue: 1, after I/O: 0)"
	"io-before-config	host	host: each Doorbell Buffer Config arrived after its enable's I/O queues were created and before their first MMIO doorbell: 155 of 156 did (326 I/O queues created; before a queue was created: 0, in an enable with no I/O queue: 0, after I/O: 1)"
	"queue-past-page	host	host: no enable with the command created an I/O queue past"
	"few-resets		host	host: reset: the guest declares 20 resets"
	"acct-on-mmio		host	host: acct-on: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some)"
	"mmio-left		host	host: post-reset: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some)"
	"post-cycle-unsuppressed	host	host: post-cycle: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some), QEMU trapped 210 I/O MMIO doorbells"
	"baseline-suppressed	host	host: acct-off: no_dbbuf, the MMIO-only path: the driver suppressed 6 + 4 SQ + CQ I/O queue updates since the reload in the span (need none)"
	"five-field		host	host: fail: after the rejected command: no suppressed updates to judge in span fail-io: the guest printed only && host: acct-off: no suppressed updates to judge in span acct-off: the guest printed only && host: acct-on: no suppressed updates to judge in span acct-on: the guest printed only && host: post-reset: no suppressed updates to judge in span post-reset: the guest printed only && host: post-cycle: no suppressed updates to judge in span post-cycle: the guest printed only"
	"missing-span		host	host: span cycle of test cycle is missing && host: span post-cycle of test cycle is missing"
	"missing-ios		host	host: post-reset: no \"# IOS post-reset\" line or no I/O: nothing ran to judge"
	"kernel-timeout		guest	guest: no nvme recovery (polled completion, timeout, abort, reset, removal, or an earlier version's MMIO doorbell kick or shadow stall) anywhere in the boot (1 lines, abort, timeout): quirks: nvme nvme0: I/O 768 (I/O Cmd) QID 2 timeout, aborting"
	"kick-in-verify		guest	guest: no nvme recovery (polled completion, timeout, abort, reset, removal, or an earlier version's MMIO doorbell kick or shadow stall) anywhere in the boot (1 lines, kick): verify: nvme nvme0: I/O 17 QID 1: completed after an MMIO doorbell kick"
	"bail-out		guest	guest: the kselftest ran to its end && guest: 2 results for a plan of 10"
	"short-plan		guest	guest: 9 results for a plan of 10"
	"silent-exit		guest	guest: exit status 1, yet no result failed"
	"count-mismatch		host	host: the driver counted exactly the MMIO doorbells QEMU saw"
	"count-missing		host	host: driver MMIO counts: the guest printed none && host: fail: after the rejected command: no driver count && host: acct-off: no suppressed updates to judge in span acct-off: the guest printed no driver counts && host: acct-on: no suppressed updates to judge in span acct-on: the guest printed no driver counts && host: post-reset: no suppressed updates to judge in span post-reset: the guest printed no driver counts && host: post-cycle: no suppressed updates to judge in span post-cycle: the guest printed no driver counts"
	"uncovered-span		host	host: every span had its MMIO doorbells compared with the driver's count: not post-cycle && host: post-cycle: no suppressed updates to judge in span post-cycle: the guest printed no driver counts around it"
	"zero-doorbells		host	host: fail: after the rejected command the I/O queues stayed on MMIO in fail-io && host: admin: no admin commands or no MMIO doorbell && host: admin: ^dbbuf_admin: the admin queue stayed on MMIO && host: admin: no_dbbuf: the admin queue stayed on MMIO && host: the driver counted exactly the MMIO doorbells QEMU saw && host: acct-off: no_dbbuf, the MMIO-only path: the driver suppressed 0 + 0 SQ + CQ I/O queue updates since the reload in the span (need none), QEMU trapped 0 I/O MMIO doorbells && host: acct-on: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some), QEMU trapped 0 I/O MMIO doorbells && host: post-reset: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some), QEMU trapped 0 I/O MMIO doorbells && host: post-cycle: the I/O queues were armed at iodepth 32, 2 jobs: the driver suppressed 0 + 0 SQ + CQ updates (need some), QEMU trapped 0 I/O MMIO doorbells"
	"zero-baseline		host	host: acct-off: no_dbbuf, the MMIO-only path: the driver suppressed 0 + 0 SQ + CQ I/O queue updates since the reload in the span (need none), QEMU trapped 0 I/O MMIO doorbells"
	"fail-once		host	host: fail: one Doorbell Buffer Config sent per enable, each rejected: 4 enables, commands sent 1/0/0/0"
	"fail-inject-rejected	host	host: controller enables over the whole boot: 163, the guest caused 163; Doorbell Buffer Config: 152, expected 156 && host: fail-inject: 5 controller enables and 1 commands, expected 5 and 5 && host: fail-inject: one Doorbell Buffer Config sent per enable, each accepted by QEMU (the guest failed it): 5 enables, commands sent 1/1/1/1/1, 1 accepted (need all)"
	"fail-io-silent		host	host: fail: after the rejected command the I/O queues stayed on MMIO in fail-io: the driver suppressed 0 + 0 SQ + CQ updates (need none) and counted 0 + 0 SQ + CQ MMIO doorbells, QEMU saw 0 + 0"
	"fail-io-suppressed	host	host: fail: after the rejected command the I/O queues stayed on MMIO in fail-io: the driver suppressed 6 + 4 SQ + CQ updates (need none) and counted 700 + 700 SQ + CQ MMIO doorbells, QEMU saw 700 + 700"
	"admin-on-mmio		host	host: admin: a burst of 61 concurrent admin commands with shadow doorbells: 0 ran before"
	"admin-off-shadow	host	host: admin: no_dbbuf: the admin queue stayed on MMIO"
	"admin-io-shadow	host	host: admin: ^dbbuf_admin: the admin queue stayed on MMIO"
	"wrap-depth		host	host: wrap: nvme.io_queue_depth=32 took effect: the I/O queues of the span's first enable have 1024 entries"
	"queues1-two		host	host: each of 5 enables created I/O queues 1..1; one created qids [1, 2]"
	"pagefit-past-page	host	host: no enable with the command created an I/O queue past"
	"pagefit-few-queues	host	host: pagefit: no enable created an I/O queue that reaches past the shadow doorbell page && host: pagefit: no_dbbuf: polled I/O ran on queues past the page (0 SQ doorbells there), and the driver suppressed 0 + 0"
	"pagefit-mmio-suppressed	host	host: pagefit: no_dbbuf: polled I/O ran on queues past the page (700 SQ doorbells there), and the driver suppressed 6 + 4 SQ + CQ updates"
	"pagefit-five-field	host	host: pagefit: no_dbbuf: no suppressed updates to judge in span pagefit-mmio: the guest printed only && host: pagefit: polled I/O: no suppressed updates to judge in span pagefit-poll: the guest printed only"
	"pagefit-poll-mmio	host	host: pagefit: polled I/O on the last queues with shadow doorbells: the driver suppressed 0 + 0 SQ + CQ updates (need some), QEMU trapped 1400 MMIO doorbells (need some), 0 past the page"
	"quirks-bad-enabled	host	host: controller enables over the whole boot: 164, the guest caused 163; Doorbell Buffer Config: 157, expected 156 && host: quirks-bad: 2 controller enables and 2 commands, expected 1 and 1"
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

# failed_as TAP WANT: TAP's not-ok lines are exactly those WANT names
# (" && "-separated substrings): each names one, each is named.
failed_as() {
	local tap=$1 want=$2 line p hit
	local -a pats=()
	while [ -n "$want" ]; do
		pats+=("${want%% && *}")
		[ "$want" = "${want#* && }" ] && break
		want=${want#* && }
	done
	for p in "${pats[@]}"; do
		grep -qF -- "$p" <(grep '^not ok' "$tap") || return 1
	done
	while IFS= read -r line; do
		hit=0
		for p in "${pats[@]}"; do
			case $line in *"$p"*) hit=1 ;; esac
		done
		[ $hit = 1 ] || return 1
	done < <(grep '^not ok' "$tap")
}

# judge NAME CHECKER WANT CONSOLE TRACE RC HOST-ARGS...
judge() {
	local name=$1 which=$2 want=$3 console=$4 trace=$5 rc=$6 d=$OUT/$1
	local grc=0 hrc=0 ok=1 why
	shift 6
	"$GUEST" "$console" "$rc" > "$d/guest.tap" 2>&1 || grc=$?
	if [ -n "$trace" ]; then
		"$HOST" "$console" "$trace" "$@" > "$d/host.tap" 2>&1 || hrc=$?
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
		# It must fail, on the expected lines and no other, and the
		# other checker must pass: it fails for the reason the
		# scenario gives, and for no other.
		[ $rc -eq 1 ] && [ $other -eq 0 ] || ok=0
		failed_as "$d/$which.tap" "$want" || ok=0
		why="$which fails: '$want', and only that" ;;
	esac
	[ $ok = 1 ] || { echo "# $name: guest exit $grc, host exit $hrc"; sed 's/^/#   /' "$d/guest.tap" "$d/host.tap" | grep -v '^#   ok' ; }
	verdict $ok "negative $name: $why"
}

for e in "${EXPECT[@]}"; do
	IFS=$'\t' read -r -a f <<<"$(echo "$e" | tr -s '\t')"
	name=${f[0]} which=${f[1]} want=${f[2]:-}
	"$HERE/mklogs.py" "$name" "$OUT/$name" || { verdict 0 "negative $name: mklogs.py failed"; continue; }
	mapfile -t args < "$OUT/$name/host-args"
	judge "$name" "$which" "$want" "$OUT/$name/console.log" "$OUT/$name/trace.log" "$(cat "$OUT/$name/rc")" "${args[@]}"
done

# Every scenario mklogs.py knows has its expectation here.
listed=$(printf '%s\n' "${EXPECT[@]}" | cut -f1 | sort)
known=$("$HERE/mklogs.py" --list | cut -f1 | sort)
[ "$listed" = "$known" ]
verdict $((! $?)) "negatives: every mklogs.py scenario is judged$( [ "$listed" = "$known" ] || echo ": not $(comm -13 <(echo "$listed") <(echo "$known") | tr '\n' ' ')")"

# make run's table (scripts/run-table.py): it says what it compared, and
# fails on a difference or a boot with counters but nothing to compare.  scenario  exit status  a line it must print
RUN_EXPECT=(
	"run-good	0	run-good: the driver counted exactly the 3 + 2 SQ + CQ MMIO doorbells"
	"run-stock	0	run-stock: the driver's count not compared: no counters"
	"run-mismatch	1	run-mismatch: the driver counted NOT the 3 + 2"
	"run-no-fio	1	run-no-fio: NOT compared: the driver has counters, but no randread"
	"run-off	0	run-off: the driver's count not compared: it traces only queues with shadow slots"
)
for e in "${RUN_EXPECT[@]}"; do
	IFS=$'\t' read -r name want line <<<"$e"
	d=$OUT/$name
	"$HERE/mklogs.py" "$name" "$d" || { verdict 0 "run-table $name: mklogs.py failed"; continue; }
	rc=0
	"$TOP/scripts/run-table.py" "$name" "$d/console.log" "$d/trace.log" > "$d/table" 2>&1 || rc=$?
	ok=1
	[ $rc -eq "$want" ] && grep -qF -- "$line" "$d/table" || ok=0
	[ $ok = 1 ] || sed 's/^/#   /' "$d/table"
	verdict $ok "run-table $name: exit $want, '$line'"
done
listed=$(printf '%s\n' "${RUN_EXPECT[@]}" | cut -f1 | sort)
known=$("$HERE/mklogs.py" --list-run | cut -f1 | sort)
[ "$listed" = "$known" ]
verdict $((! $?)) "negatives: every mklogs.py make run scenario is judged"

# scripts/checkpatch-filter.py skips FILE_PATH_CHANGES only for a patch
# whose new files all lie where MAINTAINERS already covers them.
filter_case() {	# filter_case NAME PATH WANT-EXIT
	local d=$OUT/filter-$1 rc=0
	mkdir -p "$d"
	printf 'diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n' \
		"$2" "$2" "$2" > "$d/patch"
	printf 'WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?\n#2: \nnew file mode 100644\n\ntotal: 0 errors, 1 warnings, 4 lines checked\n' > "$d/log"
	: > "$d/known"
	"$TOP/scripts/checkpatch-filter.py" "$d/log" "$d/patch" "$d/known" > "$d/out" 2>&1 || rc=$?
	[ $rc -eq "$3" ] && { [ "$3" = 0 ] || grep -qF "not covered by an existing MAINTAINERS entry: $2" "$d/out"; }
	verdict $((! $?)) "checkpatch-filter: a new $2: exit $3"
}
filter_case covered drivers/nvme/host/dbbuf.c 0
filter_case uncovered drivers/nvme/common/dbbuf.c 1

# Saved consoles of real failing boots: name, guest exit status, pattern.
for f in "$HERE"/saved/*.console.log; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .console.log)
	mkdir -p "$OUT/$name"
	rc=$(sed -n 's/^# guest-exit: //p' "$HERE/saved/$name.expect")
	want=$(sed -n 's/^# must-fail: //p' "$HERE/saved/$name.expect")
	judge "$name" guest "$want" "$f" "" "$rc"
done

# scripts/kernel-reports.py: each detector's report shape is found and
# named, a clean console has none, and --expect wants its own class.
REPORTS=$TOP/scripts/kernel-reports.py
kr=$OUT/kernel-reports
mkdir -p "$kr"
printf '[    1.000000] DMA-API: preallocated 65536 debug entries\n[    1.000100] DMA-API: debugging enabled by kernel config\n[    1.200000] nvme nvme0: pci function 0000:00:03.0\n# kernel log: <3> BUG: KASAN: echoed by the kselftest\nGUEST-EXIT 0\n' > "$kr/clean.log"
"$REPORTS" "$kr/clean.log" > "$kr/clean.out" 2>&1
verdict "$([ $? -eq 0 ] && [ ! -s "$kr/clean.out" ] && echo 1)" "negative kernel-reports: a clean console (with DMA-API debugging's boot notices) has no report"
while IFS='|' read -r cls line; do
	printf '[    2.000000] nvme nvme0: 2/0/0 default/read/poll queues\n[    3.100000] %s\n' "$line" > "$kr/$cls.log"
	"$REPORTS" "$kr/$cls.log" > "$kr/$cls.out" 2>&1
	rc=$?
	"$REPORTS" "$kr/$cls.log" --expect "$cls" >/dev/null 2>&1
	erc=$?
	other=kasan; [ "$cls" != kasan ] || other=lockdep
	"$REPORTS" "$kr/$cls.log" --expect "$other" >/dev/null 2>&1
	orc=$?
	verdict "$([ $rc -eq 1 ] && [ $erc -eq 0 ] && [ $orc -eq 1 ] && grep -q "^$cls: " "$kr/$cls.out" && echo 1)" \
		"negative kernel-reports: $cls: found, named, and not another class"
done <<'EOT'
lockdep|WARNING: possible recursive locking detected
atomic-sleep|BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
kasan|BUG: KASAN: slab-out-of-bounds in nvme_dbbuf_disarm+0x5c/0x90 [nvme]
dma-api|DMA-API: pci 0000:00:03.0: device driver has pending DMA allocations while released from device [count=1]
kmemleak|kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
bug|BUG: kernel NULL pointer dereference, address: 0000000000000008
warn|WARNING: CPU: 1 PID: 95 at drivers/nvme/host/pci.c:468 nvme_dbbuf_set+0x3e/0x60 [nvme]
EOT

echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
