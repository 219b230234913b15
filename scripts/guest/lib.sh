# SPDX-License-Identifier: GPL-2.0
# Helpers for guest scripts (sourced as /lib/guest-lib.sh).

. /etc/guest.env
[ -f /etc/run.env ] && . /etc/run.env
MODDIR=/lib/modules/$KVER
# DEPS (from guest.env, written by vm.sh): the modules nvme.ko needs, in
# load order (busybox insmod resolves none).
load_deps() {
	for m in $DEPS; do
		insmod "$MODDIR/$m.ko" || return 1
	done
}

# Driver loads so far: our driver's counters start again at each.
NVME_GEN=0

# load_nvme ours|stock [parameters]: load a driver, wait for namespace 1.
load_nvme() {
	drv=$1
	shift
	NVME_GEN=$((NVME_GEN + 1))
	case $drv in
	ours) insmod /lib/modules/ours/nvme.ko "$@" || return 1 ;;
	stock) insmod "$MODDIR/nvme.ko" "$@" || return 1 ;;
	*) echo "load_nvme: unknown driver $drv"; return 1 ;;
	esac
	dbbuf_hist_arm
	wait_ns
}

# Our driver's tracepoints (dbbuf_trace.h), counted in the kernel by hist
# triggers: every load creates the events afresh, so arm them after each.
# DBBUF_COUNTS=0 leaves them off: a tracepoint with a trigger costs every
# doorbell update something, which a boot that measures IOPS must not pay
# (the stock driver has no tracepoints to pay for).
DBBUF_EVENTS=/sys/kernel/debug/tracing/events/nvme_dbbuf
dbbuf_hist_arm() {
	[ "${DBBUF_COUNTS:-1}" != 0 ] || return 0
	[ -d $DBBUF_EVENTS ] || return 0
	for e in sq cq; do
		echo 'hist:keys=qid,mmio:vals=hitcount' \
			> $DBBUF_EVENTS/nvme_dbbuf_$e/trigger || return 1
	done
}

# unload_nvme: remove the triggers, then the driver: a module must not go
# with probes still on its tracepoints (the kernel warns).
unload_nvme() {
	if [ -d $DBBUF_EVENTS ]; then
		for e in sq cq; do
			echo '!hist:keys=qid,mmio:vals=hitcount' \
				> $DBBUF_EVENTS/nvme_dbbuf_$e/trigger 2>/dev/null
		done
	fi
	rmmod nvme
}

# dbbuf_table: our driver's counts since it was loaded, one line per
# queue, "qid sq_mmio sq_suppressed cq_mmio cq_suppressed" after a header,
# or nothing for a driver without tracepoints.  The driver traces the
# updates published in a shadow slot only (the vmtest's test build traces
# every update).
dbbuf_table() {
	[ -r $DBBUF_EVENTS/nvme_dbbuf_sq/hist ] || return 0
	for e in sq cq; do
		tr -d '{},' < $DBBUF_EVENTS/nvme_dbbuf_$e/hist |
			awk -v e=$e '$1 == "qid:" && $5 == "hitcount:" {
				print e, $2, $4, $6 }'
	done | awk '{
		q[$2] = 1; s = ($1 == "sq") ? 0 : 2
		c[$2, s + ($3 ? 0 : 1)] += $4 }
		END { print "qid sq_mmio sq_suppressed cq_mmio cq_suppressed"
		      for (i = 0; i < 65536; i++) if (i in q)
			printf "%d %d %d %d %d\n", i, c[i, 0], c[i, 1],
				c[i, 2], c[i, 3] }'
}

wait_ns() {
	i=0
	while [ ! -b /dev/nvme0n1 ]; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "guest: no /dev/nvme0n1 after 60 s"; return 1; }
		sleep 0.1
	done
}

# The MMIO doorbells our driver counted (its tracepoints): "GEN ASQ ACQ SQ
# CQ", the admin queues' SQ and CQ and the sums over the I/O queues, of
# every controller (as QEMU's trace counts them), or "none" for a driver
# without tracepoints, or with its counts off (DBBUF_COUNTS=0).
mmio_count() {
	[ "${DBBUF_COUNTS:-1}" != 0 ] && [ -r $DBBUF_EVENTS/nvme_dbbuf_sq/hist ] ||
		{ echo none; return; }
	dbbuf_table | awk -v g="$NVME_GEN" 'NF == 5 && $1 ~ /^[0-9]+$/ {
		if ($1 == 0) { a += $2; b += $4 } else { s += $2; c += $4 } }
		END { printf "%d %d %d %d %d\n", g, a, b, s, c }'
}

# print_mmio_count pre|post: the counts, once they have stayed put for
# 20 ms (1 s at most), for the host (doorbells.py).
print_mmio_count() {
	prev=$(mmio_count)
	i=0
	while [ "$prev" != none ] && [ $i -lt 50 ]; do
		usleep 20000
		cur=$(mmio_count)
		[ "$cur" = "$prev" ] && break
		prev=$cur
		i=$((i + 1))
	done
	echo "MMIO-COUNT $1 $prev"
}

# mark NAME: a point the host can find in QEMU's trace.  A Get Features
# (Timestamp) admin command is traced as pci_nvme_getfeat fid 0xe; nothing
# else in the guest sends one.  Around it, the driver's own counts.
mark() {
	print_mmio_count pre
	echo "MARK $1"
	nvme get-feature /dev/nvme0 -f 0x0e >/dev/null 2>&1 || true
	print_mmio_count post
}

# run_fio NAME fio-arguments...: run fio between two marks and hand its
# JSON report to the host on the console.
run_fio() {
	name=$1
	shift
	mark "$name-begin"
	fio --eta=never --output-format=json --output="/tmp/fio-$name.json" "$@"
	rc=$?
	mark "$name-end"
	echo "FIO-JSON-BEGIN $name"
	cat "/tmp/fio-$name.json"
	echo "FIO-JSON-END $name"
	return $rc
}
