# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmtest: load our nvme.ko and run the nvme-dbbuf
# kselftest (copied to /test by the runner).  Its TAP goes to the console.
#
# NVME_DBBUF_SAFETY=1: first show that the kselftest touches nothing when
# it is not told which namespace to use, while an NVMe namespace is held
# (here: swap on it), or open in another process (a plain open(), which
# O_EXCL does not see), printing "# SAFETY ok|not ok WHAT" lines that the
# runner counts.  NVME_DBBUF_SAFETY=other: only that it touches nothing
# while the driver has a second controller (the guest has two), and stop.
. /lib/guest-lib.sh

load_nvme ours || { echo "Bail out! our nvme.ko did not load"; exit 1; }
export NVME_DBBUF_KO=/lib/modules/ours/nvme.ko
[ -n "${NVME_DBBUF_TESTS:-}" ] && export NVME_DBBUF_TESTS

# safety_case WHAT EXPECT: the kselftest's output (already in $out, its
# exit status in $rc) must be a skip (status 4) saying EXPECT, and the
# driver and the namespace must still be there.
safety_case() {
	printf '%s\n' "$out" | sed "s/^/# safety-$1: /"
	if [ "$rc" -eq 4 ] && printf '%s\n' "$out" | grep -q "$2" &&
	   grep -q '^nvme ' /proc/modules && [ -b /dev/nvme0n1 ]; then
		echo "# SAFETY ok $1: skipped (exit 4, \"$2\"), nvme and /dev/nvme0n1 left in place"
	else
		echo "# SAFETY not ok $1: exit $rc, expected a skip saying \"$2\" with nvme loaded"
	fi
}

if [ "${NVME_DBBUF_SAFETY:-}" = other ]; then
	cd /test || exit 1
	out=$(NVME_DBBUF_DEV=/dev/nvme0n1 ./nvme_dbbuf_test 2>&1); rc=$?
	safety_case other-ctrl 'is another controller of the nvme driver: the tests reload'
	[ -e /dev/nvme1 ] || echo "# SAFETY not ok other-ctrl: /dev/nvme1 is gone"
	exit 0
fi

if [ "${NVME_DBBUF_SAFETY:-}" = 1 ]; then
	cd /test || exit 1
	out=$(NVME_DBBUF_DEV= ./nvme_dbbuf_test 2>&1); rc=$?
	safety_case no-dev 'SKIP set NVME_DBBUF_DEV'
	if mkswap /dev/nvme0n1 >/dev/null 2>&1 && swapon /dev/nvme0n1; then
		out=$(NVME_DBBUF_DEV=/dev/nvme0n1 ./nvme_dbbuf_test 2>&1); rc=$?
		safety_case in-use '/dev/nvme0n1 is mounted or held: the tests reload'
		grep -q '^/dev/nvme0n1 ' /proc/swaps ||
			echo "# SAFETY not ok in-use: the swap on /dev/nvme0n1 is gone"
		swapoff /dev/nvme0n1
	else
		echo "# SAFETY not ok in-use: cannot swapon /dev/nvme0n1"
	fi
	sleep 600 < /dev/nvme0n1 &
	holder=$!
	out=$(NVME_DBBUF_DEV=/dev/nvme0n1 ./nvme_dbbuf_test 2>&1); rc=$?
	safety_case open "/dev/nvme0n1 is open in process $holder: the tests reload"
	kill $holder; wait $holder 2>/dev/null
fi

# The scratch namespace the tests may overwrite; without it they skip.
export NVME_DBBUF_DEV=/dev/nvme0n1
cd /test && ./nvme_dbbuf_test
