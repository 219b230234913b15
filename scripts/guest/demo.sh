# SPDX-License-Identifier: GPL-2.0
# Guest side of `make run`: show shadow doorbells working with our nvme.ko.
. /lib/guest-lib.sh

DRIVER=${DRIVER:-ours}
echo "== loading the $DRIVER nvme.ko"
load_nvme "$DRIVER" || exit 1
echo "nvme: srcversion $(cat /sys/module/nvme/srcversion), taint '$(cat /sys/module/nvme/taint)'"
echo "NVME-SRCVERSION $(cat /sys/module/nvme/srcversion)"

echo "== the controller (nvme id-ctrl)"
oacs=$(nvme id-ctrl /dev/nvme0 | awk '$1 == "oacs" {print $3}')
if [ $((oacs & 0x100)) -ne 0 ]; then
	echo "OACS $oacs: bit 8 set, Doorbell Buffer Config supported"
else
	echo "OACS $oacs: bit 8 clear, no Doorbell Buffer Config"
fi
dmesg | grep -i 'dbbuf' || echo "no dbbuf messages from the driver (the command succeeded)"

echo "== fio: 4 KiB random read, libaio, iodepth 32, 2 jobs, 5 s"
run_fio randread --name=randread --filename=/dev/nvme0n1 --rw=randread \
	--bs=4k --direct=1 --ioengine=libaio --iodepth=32 --numjobs=2 \
	--runtime=5 --time_based --group_reporting || exit 1
echo "fio done"
