# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/debug/run.sh, on the debug kernel: load our nvme.ko,
# read from the namespace (128 random reads of 4 KiB, 8 in flight), unload
# it, CYCLES times (default 1); then, unless SCAN=0, ask kmemleak for a
# scan, and print what it found.  The host reads the
# console for the detectors' reports (scripts/kernel-reports.py).
. /lib/guest-lib.sh

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] || { echo "DEBUG-FAIL: no $KMEMLEAK: is this the debug kernel?"; exit 1; }
# Objects from before the first load are not the driver's.
echo clear > $KMEMLEAK
# (Not "i": guest-lib.sh's helpers use it.)
n=${CYCLES:-1}
cycle=0
while [ $cycle -lt "$n" ]; do
	load_nvme ours || { echo "DEBUG-FAIL: load $((cycle + 1)) of $n"; exit 1; }
	fio --name=read --filename=/dev/nvme0n1 --rw=randread --bs=4k \
		--size=512k --direct=1 --ioengine=libaio --iodepth=8 \
		--output-format=terse >/dev/null ||
		{ echo "DEBUG-FAIL: I/O after load $((cycle + 1))"; exit 1; }
	unload_nvme || { echo "DEBUG-FAIL: unload $((cycle + 1))"; exit 1; }
	cycle=$((cycle + 1))
	[ $((cycle % 10)) -ne 0 ] || echo "DEBUG-PROGRESS $cycle of $n load/unload cycles"
done
echo "DEBUG-CYCLES $cycle"
# SCAN=0: a mutant for another detector, which needs no scan.
[ "${SCAN:-1}" = 1 ] || { echo "DEBUG-DONE"; exit 0; }
# kmemleak reports objects unreferenced for more than 5 s, after a scan;
# a second scan, later, catches what a stale reference hid in the first.
sleep 6
echo scan > $KMEMLEAK
sleep 6
echo scan > $KMEMLEAK
cat $KMEMLEAK
echo "DEBUG-DONE"
