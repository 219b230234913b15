#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make vmtest: build the nvme-dbbuf kselftest and nvme.ko from a kernel tree
# with the series applied, boot guests that run it, and check from QEMU's
# trace what only the host can see.  Prints TAP; the last line is
# "N passed, N failed".  A hung guest is killed after a hard timeout and
# counts as a failure; console logs and traces stay in build/vmtest/.
#
#   SRC_TREE=dir  kernel tree with the series (default: build/tree)
#   MODULE=file   nvme.ko to test (default: a test build from SRC_TREE,
#                 with tests/patches/test-trace-unarmed.patch, and for the
#                 Debian kernels, which have no fault injection, also
#                 tests/patches/test-misalign.patch)
#   VMTEST=quick  only the main boot (not the one-queue and many-queue
#                 boots); VMTEST=queues1, manyq or twoctrl: only that boot
#   VMTEST_TESTS=a,b  only these kselftest tests in the main boot

set -uo pipefail
. "$(dirname "$0")/lib.sh"

load_base
need_kernel
need_pkgs python3 gcc make libc6-dev linux-libc-dev
SRC_TREE=${SRC_TREE:-$TREE}
[ -d "$SRC_TREE/.git" ] || [ "$SRC_TREE" != "$TREE" ] ||
	"$TOP/scripts/series.sh" tree >&2 || exit 1
OUT=$BUILD/vmtest-$BASE
rm -rf "$OUT" && mkdir -p "$OUT/kselftest"

# nvme-core's fault injection, for the kselftest's fail-inject test.
inject=
grep -q '^CONFIG_FAULT_INJECTION_DEBUG_FS=y' "$KDIR/.config" 2>/dev/null && inject=1
if [ -z "${MODULE:-}" ]; then
	# A test build: the posted driver traces only the updates published
	# in a shadow slot, and the host compares every MMIO doorbell with
	# QEMU's, so tests/patches/test-trace-unarmed.patch traces the
	# unarmed queues' updates too.  The 7.3 debug kernel fails Doorbell
	# Buffer Config with nvme-core's fault injection (fail-inject).
	# Debian's kernels have no fault injection: for those, also the knob
	# of the test-only fail test (dbbuf_test_misalign, which makes the
	# controller reject the command) from a test-only patch.
	tp=$TOP/tests/patches/test-trace-unarmed.patch
	[ -n "$inject" ] || tp="$tp $TOP/tests/patches/test-misalign.patch"
	SRC_TREE=$SRC_TREE OUT=$OUT/module TEST_PATCHES=$tp \
		"$TOP/scripts/modules.sh" || exit 1
	MODULE=$OUT/module/nvme.ko
fi
say "building the nvme-dbbuf kselftest"
if [ -z "$inject" ]; then
	# Without fault injection, the kselftest with the test-only fail test
	# (tests/patches/test-fail-kselftest.patch).
	build_test_kselftest "$SRC_TREE" "$OUT/kselftest-src" ||
		die "the kselftest with tests/patches/test-fail-kselftest.patch did not build"
	cp "$OUT/kselftest-src/nvme_dbbuf_test" "$OUT/kselftest/"
else
	make -s -C "$SRC_TREE/tools/testing/selftests/nvme-dbbuf" \
		OUTPUT="$OUT/kselftest" >&2 || die "the kselftest build failed"
fi

pass=0 fail=0 skip=0
count() {	# count FILE PREFIX: count TAP lines, echo them named by PREFIX
	local f=$1 line
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | sed -E "s/^((not )?ok) [0-9]+ /\1 - $2: /")
		case $line in
		"ok "*"# SKIP"*|"ok "*"# skip"*) echo "$line"; skip=$((skip + 1)) ;;
		"ok "*) echo "$line"; pass=$((pass + 1)) ;;
		"not ok "*) echo "$line"; fail=$((fail + 1)) ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ ' "$f")
}

# retries CONSOLE: each boot that vm.sh booted again (the emulator lost
# it: QEMU stopped, or the guest died as only TCG makes it die) tested
# nothing of ours: a skip for each, saying why, not a result.
retries() {
	local why
	while IFS= read -r why; do
		echo "ok - $name: $why; booted again # SKIP an emulator fault, not a result"
		skip=$((skip + 1))
	done < <(sed -n 's/^VM-RETRY //p' "$1")
}

# boot NAME TESTS VM-OPTIONS...: one guest running the kselftest tests
# TESTS (comma-separated; "" for all).  HOST_ARGS: more arguments for
# vmtest-host.py (--io-queues N).
boot() {
	local name=$1 tests=$2 rc log
	shift 2
	log=$OUT/$name-console.log
	"$TOP/scripts/vm.sh" --module "${BOOT_MODULE:-$MODULE}" --log "$log" \
		--trace "$OUT/$name-trace.log" \
		--trace-events pci_nvme_mmio_doorbell_sq,pci_nvme_mmio_doorbell_cq,pci_nvme_ub_db_wr_invalid_sq,pci_nvme_ub_db_wr_invalid_cq,pci_nvme_ub_db_wr_invalid_sqtail,pci_nvme_ub_db_wr_invalid_cqhead,pci_nvme_ub_db_wr_misaligned,pci_nvme_dbbuf_config,pci_nvme_create_sq,pci_nvme_admin_cmd,pci_nvme_getfeat,pci_nvme_mmio_aqattr,pci_nvme_mmio_start_success \
		${tests:+--env "NVME_DBBUF_TESTS=$tests"} \
		"$@" "$TOP/scripts/guest/kselftest.sh" \
		"$OUT/kselftest/nvme_dbbuf_test"
	rc=$?
	echo "# $name: guest TAP"
	count "$log" "$name"
	retries "$log"
	if [ $rc -eq 124 ] || [ $rc -eq 125 ] || [ $rc -eq 126 ]; then
		# The console stays in build/, which CI throws away: its
		# last lines (an oops, the test that was running) go into
		# the output, where they are kept.
		echo "# $name: the console's last 40 lines:"
		sed -e '/^FIO-JSON-BEGIN/,/^FIO-JSON-END/d' "$log" | tail -n 40 |
			cut -c1-200 | sed 's/^/#   /'
		echo "not ok - $name: the guest $(case $rc in 124) echo "hung (no result within its timeout)" ;; 125) echo "died without a result" ;; *) echo "stopped twice (no CPU time or an IPI stall)" ;; esac) (console: ${OUT#$TOP/}/$name-console.log)"
		fail=$((fail + 1))
		return
	fi
	# The console's verdict: a bail-out, a short plan, a non-zero exit
	# status with no failure, any driver recovery (a polled completion,
	# a timeout, abort, reset or removal): no test provokes one.
	echo "# $name: the console's verdict"
	"$TOP/scripts/vmtest-guest.py" "$log" "$rc" > "$OUT/$name-guest.tap" 2>&1
	verdict $? "$OUT/$name-guest.tap" "the console's verdict"
	# The kernel's own reports: on the 7.3 debug kernel lockdep, KASAN,
	# DMA-API debugging and kmemleak; on every kernel BUG and WARN.
	echo "# $name: the kernel's own reports"
	if "$TOP/scripts/kernel-reports.py" "$log" > "$OUT/$name-reports.txt" 2>&1; then
		echo "ok - $name: kernel: no lockdep, KASAN, DMA-API, kmemleak, BUG or WARN report, nor sleeping in atomic context"
		pass=$((pass + 1))
	else
		sed 's/^/# /' "$OUT/$name-reports.txt" | head -n 10
		echo "not ok - $name: kernel: $(wc -l < "$OUT/$name-reports.txt") report(s), the first: $(head -n1 "$OUT/$name-reports.txt" | cut -c1-120)"
		fail=$((fail + 1))
	fi
	# The kselftest's safety cases, where the boot asked for them.
	if [ -n "${SAFETY:-}" ]; then
		echo "# $name: the kselftest's safety cases"
		local n_ok n_bad
		n_ok=$(grep -c '^# SAFETY ok ' "$log")
		n_bad=$(grep -c '^# SAFETY not ok ' "$log")
		grep '^# SAFETY ' "$log"
		[ "$n_ok" -eq "$SAFETY" ] && [ "$n_bad" -eq 0 ]
		local src=$?
		[ $src -eq 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
		echo "$([ $src -eq 0 ] || echo 'not ')ok - $name: kselftest safety: $SAFETY_WHAT, it skips and leaves nvme loaded ($n_ok of $SAFETY cases ok, $n_bad not ok)"
	fi
	echo "# $name: host-side checks from QEMU's trace"
	"$TOP/scripts/vmtest-host.py" "$log" "$OUT/$name-trace.log" "$tests" \
		${HOST_ARGS:-} > "$OUT/$name-host.tap" 2>&1
	verdict $? "$OUT/$name-host.tap" "the host-side checks"
	grep '^# ' "$OUT/$name-host.tap"
}

# twoctrl: a guest with a second controller, where the kselftest must
# touch nothing, since reloading the driver would remove that one too.
safety_boot() {
	local name=twoctrl log=$OUT/twoctrl-console.log rc n_ok n_bad
	"$TOP/scripts/vm.sh" --module "${BOOT_MODULE:-$MODULE}" --log "$log" \
		--drive2 null --env NVME_DBBUF_SAFETY=other --timeout $((300 * slow)) \
		"$TOP/scripts/guest/kselftest.sh" "$OUT/kselftest/nvme_dbbuf_test"
	rc=$?
	retries "$log"
	grep '^# SAFETY ' "$log"
	n_ok=$(grep -c '^# SAFETY ok ' "$log")
	n_bad=$(grep -c '^# SAFETY not ok ' "$log")
	if [ $rc -eq 0 ] && [ "$n_ok" -eq 1 ] && [ "$n_bad" -eq 0 ] &&
	   "$TOP/scripts/kernel-reports.py" "$log" > "$OUT/$name-reports.txt" 2>&1; then
		echo "ok - $name: kselftest safety: with a second controller on the driver, it skips and leaves both"
		pass=$((pass + 1))
	else
		echo "not ok - $name: kselftest safety with a second controller: exit $rc, $n_ok of 1 case ok, $n_bad not ok, $(wc -l < "$OUT/$name-reports.txt") kernel report(s) (console: ${log#$TOP/})"
		fail=$((fail + 1))
	fi
}

# verdict STATUS TAP WHAT: count a checker's TAP; a checker that printed no
# result, or exited non-zero without a failing one (a crash), fails.
verdict() {
	if ! grep -qE '^(not )?ok ' "$2"; then
		cat "$2"
		echo "not ok - $name: $3 could not be taken"
		fail=$((fail + 1))
		return
	fi
	count "$2" "$name"
	if [ "$1" -ne 0 ] && ! grep -q '^not ok ' "$2"; then
		grep -v -E '^(not )?ok |^# ' "$2" | tail -n 5
		echo "not ok - $name: $3 exited $1 before their end"
		fail=$((fail + 1))
	fi
}

# The 7.3 debug kernel (KASAN, lockdep, kmemleak) runs about 3x slower.
slow=1
[ "$BASE" != 7.3 ] || slow=3
case ${VMTEST:-} in
"") boots="main queues1 manyq twoctrl" ;;
quick|main) boots=main ;;
queues1|manyq|twoctrl) boots=$VMTEST ;;
*) die "VMTEST=$VMTEST: quick (or main), queues1, manyq or twoctrl, or unset for all" ;;
esac
for b in $boots; do
	case $b in
	main)
		say "vmtest: main boot, tmpfs-backed drive (about 4 min under TCG)"
		# The failure path: fault injection where the kernel has it,
		# else the test build's fail test.
		failtest=fail-inject
		if [ -z "$inject" ]; then
			failtest=fail
			[ -n "${VMTEST_TESTS:-}" ] ||
				echo "ok - main: fail-inject # SKIP Linux $BASE (Debian's kernel) has no fault injection; the test build's fail test makes the controller reject the command instead"
			[ -n "${VMTEST_TESTS:-}" ] || skip=$((skip + 1))
		fi
		SAFETY=3 SAFETY_WHAT="without NVME_DBBUF_DEV, with swap on the namespace, and with it open in another process" boot main "${VMTEST_TESTS:-verify,accounting,$failtest,admin,quirks,reset,wrap,cycle,mmio-only}" \
			--env NVME_DBBUF_SAFETY=1 \
			--drive file --size 512M --timeout $((1500 * slow)) ;;
	queues1)
		# Two CPUs sharing one I/O queue pair.  (QEMU 7.2 has no mqes
		# property; the wrap test shrinks the queues from the driver
		# side.)
		say "vmtest: one I/O queue pair for 2 CPUs"
		HOST_ARGS="--io-queues 1" boot queues1 verify,accounting,wrap --drive file --size 256M \
			--queues 1 --timeout $((900 * slow)) ;;
	manyq)
		# More I/O queues than one shadow doorbell page holds: 520
		# possible CPUs, each with an interrupt-driven queue, then the
		# poll queues (qids 521-528) that the test adds.  Linux 6.12
		# has no possible_cpus=, and counts none of the hotplug CPUs
		# that QEMU 7.2 lists for -smp maxcpus=, so its guest cannot
		# ask for more than 6 I/O queues; 6.1 runs the test, and the
		# engine code it covers is the same in both.
		if [ "$BASE" != 6.1 ]; then
			echo "ok - manyq: pagefit # SKIP Linux $BASE takes no possible_cpus= and counts no hotplug CPUs from QEMU 7.2, so a 2-vCPU guest has too few I/O queues to fill the page; the 6.1 boot runs it"
			skip=$((skip + 1))
			continue
		fi
		say "vmtest: 528 I/O queues, more than the shadow doorbell page holds"
		boot manyq pagefit --drive file --size 256M --queues 600 \
			--msix 600 --append possible_cpus=520 --timeout $((600 * slow)) ;;
	twoctrl)
		say "vmtest: a second controller, which the kselftest must leave alone (about 1 min under TCG)"
		safety_boot ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
