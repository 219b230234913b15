# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: load one driver, run the fio jobs of
# /test/bench-jobs (scripts/bench-jobs) one after the other, each between
# marks (run_fio), and print what the host needs on the console.
#
# Environment (vm.sh --env):
#   BENCH_DRIVER   stock | stock2 (stock again: its boots are the A/A
#                  comparison that measures the bench's own noise) |
#                  ours | off (ours with the no_dbbuf quirk on QEMU's
#                  controller, 1b36:0010: MMIO doorbells only)
#   BENCH_RUNTIME  seconds per job
#   BENCH_RAMP     fio --ramp_time in seconds, 0 for none
#   BENCH_DRIVES   the drives this boot has: "null" or "null file"
#   BENCH_JOBS     job names to run (default: every job of those drives)
#   BENCH_COUNTS   1: count our driver's doorbells with hist triggers on
#                  its tracepoints (traced boots with BENCH_DRIVER_COUNTS=1);
#                  0: leave them off, as a boot that measures IOPS or
#                  compares doorbells per I/O with stock must
. /lib/guest-lib.sh
DBBUF_COUNTS=${BENCH_COUNTS:-1}

JOBFILE=/test/bench-jobs
BENCH_RAMP=${BENCH_RAMP:-0}
BENCH_DRIVES=${BENCH_DRIVES:-null}

case ${BENCH_DRIVER:-} in
stock|stock2) set -- stock ;;
ours) set -- ours ;;
off) set -- ours quirks=1b36:0010:no_dbbuf ;;
*) echo "bench: BENCH_DRIVER must be stock, stock2, ours or off"; exit 1 ;;
esac
echo "== bench: loading nvme.ko: $*"
load_nvme "$@" || exit 1
echo "NVME-SRCVERSION $(cat /sys/module/nvme/srcversion 2>/dev/null)"
# The quirks parameter as the loaded module reads it: "none" when unset,
# "n/a" for a driver without one (Debian's stock nvme.ko).
q=n/a
if [ -r /sys/module/nvme/parameters/quirks ]; then
	q=$(cat /sys/module/nvme/parameters/quirks)
	[ -n "$q" ] || q=none
fi
echo "BENCH-QUIRKS $q"
# Our driver's shadow doorbell state of the first controller, in debugfs
# (init mounts it; busybox has no mountpoint), or n/a.
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo "BENCH-DBBUF-STATE $(cat /sys/kernel/debug/nvme_dbbuf/nvme0 2>/dev/null || echo n/a)"
dmesg | grep -i 'unknown parameter' | sed 's/^/BENCH-DMESG /'

# The drives by serial number (vm.sh: dbbuf0001 first, dbbuf0002 second).
dev_of() {
	i=0
	while [ $i -lt 600 ]; do
		for b in /sys/block/nvme*n1; do
			[ -e "$b/device/serial" ] || continue
			s=$(cat "$b/device/serial")
			# the serial is padded with blanks
			if [ "${s%% *}" = "$1" ]; then
				echo "/dev/${b##*/}"
				return 0
			fi
		done
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
for d in $BENCH_DRIVES; do
	case $d in
	null) s=dbbuf0001 ;;
	file) s=dbbuf0002 ;;
	*) echo "bench: unknown drive $d"; exit 1 ;;
	esac
	dev=$(dev_of $s) || { echo "bench: no namespace with serial $s"; exit 1; }
	eval "DEV_$d=$dev"
	echo "bench: $d drive is $dev"
done

rc=0 n=0
while read -r name drive args <&3; do
	case $name in ''|\#*) continue ;; esac
	case " $BENCH_DRIVES " in *" $drive "*) ;; *) continue ;; esac
	if [ -n "${BENCH_JOBS:-}" ]; then
		case " $BENCH_JOBS " in *" $name "*) ;; *) continue ;; esac
	fi
	eval "dev=\$DEV_$drive"
	ramp=
	[ "$BENCH_RAMP" = 0 ] || ramp=--ramp_time=$BENCH_RAMP
	n=$((n + 1))
	# shellcheck disable=SC2086
	run_fio "$name" --name="$name" --filename="$dev" --bs=4k --direct=1 \
		--time_based --runtime="$BENCH_RUNTIME" $ramp \
		--group_reporting $args </dev/null || {
		echo "bench: fio job $name failed"
		rc=1
	}
done 3< "$JOBFILE"
echo "bench: $n job(s) done"
[ $n -gt 0 ] || rc=1
exit $rc
