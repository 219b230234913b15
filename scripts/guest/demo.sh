# SPDX-License-Identifier: GPL-2.0
# Guest side of `make run`: show shadow doorbells working with our nvme.ko.
# DRIVER=ours|stock; PARAMS: module parameters (quirks=1b36:0010:no_dbbuf
# for the comparison boot).
. /lib/guest-lib.sh

DRIVER=${DRIVER:-ours}
echo "== loading the $DRIVER nvme.ko${PARAMS:+ with $PARAMS}"
# shellcheck disable=SC2086
load_nvme "$DRIVER" ${PARAMS:-} || exit 1
echo "nvme: srcversion $(cat /sys/module/nvme/srcversion), taint '$(cat /sys/module/nvme/taint)'"
echo "NVME-SRCVERSION $(cat /sys/module/nvme/srcversion)"

echo "== the controller (nvme id-ctrl)"
oacs=$(nvme id-ctrl /dev/nvme0 | awk '$1 == "oacs" {print $3}')
if [ $((oacs & 0x100)) -ne 0 ]; then
	echo "OACS $oacs: bit 8 set, Doorbell Buffer Config supported"
else
	echo "OACS $oacs: bit 8 clear, no Doorbell Buffer Config"
fi
dmesg | grep -i 'dbbuf\|doorbell' || echo "no shadow doorbell messages from the driver"

echo "== the driver's state"
echo "nvme.quirks: '$(cat /sys/module/nvme/parameters/quirks 2>/dev/null || echo 'no such parameter')'"
echo "DBBUF-STATE $(cat /sys/kernel/debug/nvme_dbbuf/nvme0 2>/dev/null || echo 'n/a (no /sys/kernel/debug/nvme_dbbuf/nvme0)')"

echo "== fio: 4 KiB random read, libaio, iodepth 32, 2 jobs, 5 s"
run_fio randread --name=randread --filename=/dev/nvme0n1 --rw=randread \
	--bs=4k --direct=1 --ioengine=libaio --iodepth=32 --numjobs=2 \
	--runtime=5 --time_based --group_reporting || exit 1
echo "fio done"

if [ -d "$DBBUF_EVENTS" ]; then
	echo "== the driver's counters (its nvme_dbbuf tracepoints, counted by hist triggers)"
	dbbuf_table
fi
