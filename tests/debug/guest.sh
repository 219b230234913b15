# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/debug/run.sh, on the debug kernel: load our nvme.ko,
# read from the namespace, unload it, CYCLES times (default 1); then ask
# kmemleak for a scan, and print what it found.  The host reads the
# console for the detectors' reports (scripts/kernel-reports.py).
. /lib/guest-lib.sh

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] || { echo "DEBUG-FAIL: no $KMEMLEAK: is this the debug kernel?"; exit 1; }
# Objects from before the first load are not the driver's.
echo clear > $KMEMLEAK
n=${CYCLES:-1}
i=0
while [ $i -lt "$n" ]; do
	load_nvme ours || { echo "DEBUG-FAIL: load $((i + 1)) of $n"; exit 1; }
	fio --name=read --filename=/dev/nvme0n1 --rw=randread --bs=4k \
		--size=4M --direct=1 --ioengine=libaio --iodepth=8 \
		--output-format=terse >/dev/null ||
		{ echo "DEBUG-FAIL: I/O after load $((i + 1))"; exit 1; }
	rmmod nvme || { echo "DEBUG-FAIL: unload $((i + 1))"; exit 1; }
	i=$((i + 1))
	[ $((i % 10)) -ne 0 ] || echo "DEBUG-PROGRESS $i of $n load/unload cycles"
done
echo "DEBUG-CYCLES $i"
# kmemleak reports objects unreferenced for more than 5 s, after a scan.
sleep 6
echo scan > $KMEMLEAK
sleep 1
echo scan > $KMEMLEAK
cat $KMEMLEAK
echo "DEBUG-DONE"
