# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmtest: load our nvme.ko and verify data written
# through it on a tmpfs-backed drive.  Prints TAP.
. /lib/guest-lib.sh

echo "TAP version 13"
echo "1..2"
if load_nvme ours; then
	echo "ok 1 our nvme.ko loads and namespace 1 appears"
else
	echo "not ok 1 our nvme.ko loads and namespace 1 appears"
	exit 1
fi
# Each job writes its own 128 MiB with crc32c headers, then reads it back.
if run_fio verify --name=verify --filename=/dev/nvme0n1 --rw=randwrite \
	--bs=4k --direct=1 --ioengine=libaio --iodepth=32 --numjobs=2 \
	--size=128M --offset_increment=128M --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --group_reporting &&
   ! dmesg | grep -qiE 'I/O error|blk_update_request|timeout'; then
	echo "ok 2 fio --verify=crc32c, 2 jobs, iodepth 32: no errors"
else
	dmesg | tail -n 20
	echo "not ok 2 fio --verify=crc32c, 2 jobs, iodepth 32: no errors"
	exit 1
fi
