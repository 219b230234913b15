#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The nvme-dbbuf kselftest run the way kernel developers and kselftest CI
# run kselftests, on the 7.3 debug kernel (the one base with a full tree):
#
#   1. in a copy of the full 7.3 tree with the kselftest patch applied,
#      "make -C tools/testing/selftests TARGETS=nvme-dbbuf";
#   2. "make -C tools/testing/selftests TARGETS=nvme-dbbuf INSTALL_PATH=...
#      install", the make command kselftest_install.sh runs, for one
#      target;
#   3. in a guest, our nvme.ko loaded, "run_kselftest.sh -c nvme-dbbuf"
#      with NVME_DBBUF_DEV naming the scratch namespace, and
#      NVME_DBBUF_TESTS=$KSELFTEST_TESTS (default wrap: verified I/O
#      over thousands of index wraps in about a minute, where verify takes
#      six on the debug kernel under TCG; the vmtest runs verify on the
#      backports);
#
# and checks the TAP that run_kselftest.sh prints: the nvme-dbbuf target
# passed, and the test's own results inside it are all "ok"; and that
# the debug kernel reported nothing (scripts/kernel-reports.py).  Prints TAP;
# the last line is "N passed, N failed".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export BASE=7.3
. "$TOP/scripts/lib.sh"
load_base
need_kernel
need_pkgs make gcc libc6-dev rsync
. "$BUILD/kernel-7.env"
OUT=$BUILD/kselftest-std
TREE=$OUT/linux
pass=0 fail=0
result() {	# result RC WHAT [LOG]
	if [ "$1" -eq 0 ]; then
		echo "ok - kselftest-std: $2"; pass=$((pass + 1))
	else
		[ -n "${3:-}" ] && tail -n 15 "$3" | sed 's/^/# /'
		echo "not ok - kselftest-std: $2"; fail=$((fail + 1))
	fi
}
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

rm -rf "$OUT" && mkdir -p "$OUT"
say "copying the full $LINUXVER tree (hard links) and applying the kselftest patch"
cp -al "$KSRC_FULL" "$TREE" || die "cannot copy $KSRC_FULL"
p=$(grep -l '^Subject: \[PATCH [0-9]*/[0-9]*\] selftests: nvme-dbbuf:' "$PATCHES"/*.patch | head -n1)
[ -n "$p" ] || die "no selftests: nvme-dbbuf patch in ${PATCHES#$TOP/}"
# patch(1) writes each file anew, so the hard-linked originals stay as
# they are.
(cd "$TREE" && patch -s -p1 --no-backup-if-mismatch) < "$p" > "$OUT/patch.log" 2>&1
result $? "the kselftest patch applies to the full $LINUXVER tree (${p#$TOP/})" "$OUT/patch.log"
[ $fail -eq 0 ] || finish

say "make -C tools/testing/selftests TARGETS=nvme-dbbuf"
make -C "$TREE/tools/testing/selftests" TARGETS=nvme-dbbuf > "$OUT/build.log" 2>&1
result $? "make -C tools/testing/selftests TARGETS=nvme-dbbuf builds" "$OUT/build.log"
! grep -q 'warning:' "$OUT/build.log"
result $? "the standard build has no warnings" "$OUT/build.log"

# kselftest_install.sh installs every target (its "make install" appends
# to a TARGETS from the environment); one target installs with the make
# command it runs, TARGETS on the command line.
say "make -C tools/testing/selftests TARGETS=nvme-dbbuf INSTALL_PATH=... install"
make -C "$TREE/tools/testing/selftests" TARGETS=nvme-dbbuf \
	INSTALL_PATH="$OUT/install" install > "$OUT/install.log" 2>&1
[ -x "$OUT/install/run_kselftest.sh" ] && [ -x "$OUT/install/nvme-dbbuf/nvme_dbbuf_test" ] &&
	grep -qx 'nvme-dbbuf:nvme_dbbuf_test' "$OUT/install/kselftest-list.txt"
result $? "make install (as kselftest_install.sh runs it) installs run_kselftest.sh and nvme-dbbuf:nvme_dbbuf_test" "$OUT/install.log"
[ $fail -eq 0 ] || finish

# KSELFTEST_BUILD_ONLY=1: stop here, before the guest.
[ -z "${KSELFTEST_BUILD_ONLY:-}" ] || finish
say "the guest: run_kselftest.sh -c nvme-dbbuf (about 2 min on the debug kernel)"
# The driver as posted: on the debug kernel the fail test needs no test
# build, nvme-core's fault injection fails the command.
OUT=$OUT/module "$TOP/scripts/modules.sh" > "$OUT/module.log" 2>&1 ||
	{ result 1 "nvme.ko builds" "$OUT/module.log"; finish; }
cat > "$OUT/guest.sh" <<'GUEST'
. /lib/guest-lib.sh
# What udev makes on a full system, and the runner writes to /dev/stdout.
for n in 0:stdin 1:stdout 2:stderr; do
	[ -e /dev/${n#*:} ] || ln -s /proc/self/fd/${n%%:*} /dev/${n#*:}
done
load_nvme ours || { echo "Bail out! our nvme.ko did not load"; exit 1; }
export NVME_DBBUF_DEV=/dev/nvme0n1 NVME_DBBUF_KO=/lib/modules/ours/nvme.ko
export NVME_DBBUF_TESTS
cd /test/install && ./run_kselftest.sh -c nvme-dbbuf
echo "RUN-KSELFTEST-EXIT $?"
GUEST
"$TOP/scripts/vm.sh" --module "$OUT/module/nvme.ko" --log "$OUT/console.log" \
	--drive file --size 256M --timeout 1800 \
	--env "NVME_DBBUF_TESTS=${KSELFTEST_TESTS:-wrap}" \
	"$OUT/guest.sh" "$OUT/install" > /dev/null 2>&1
rc=$?
result $rc "the guest ran run_kselftest.sh to its end (exit $rc)" "$OUT/console.log"
# run_kselftest.sh's own TAP: "ok 1 selftests: nvme-dbbuf: nvme_dbbuf_test"
grep -qE '^ok [0-9]+ selftests: nvme-dbbuf: nvme_dbbuf_test$' "$OUT/console.log"
result $? "run_kselftest.sh: ok ... selftests: nvme-dbbuf: nvme_dbbuf_test" "$OUT/console.log"
# The test's own TAP, which the runner prefixes with "# ": results, none
# failed, and the plan met.
n_ok=$(grep -cE '^# ok [0-9]+ ' "$OUT/console.log")
n_bad=$(grep -cE '^# not ok [0-9]+ ' "$OUT/console.log")
[ "$n_ok" -ge 1 ] && [ "$n_bad" -eq 0 ] && grep -q '^# # Totals: pass:[1-9][0-9]* fail:0 ' "$OUT/console.log"
result $? "nvme_dbbuf_test's TAP inside it: $n_ok ok, $n_bad not ok" "$OUT/console.log"
"$TOP/scripts/kernel-reports.py" "$OUT/console.log" > "$OUT/reports.txt" 2>&1
result $? "kernel: no lockdep, KASAN, DMA-API, kmemleak, BUG or WARN report, nor sleeping in atomic context ($(wc -l < "$OUT/reports.txt") found)" "$OUT/reports.txt"
finish
