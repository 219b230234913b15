#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: build nvme.ko from base + series, boot it in a QEMU guest with
# an emulated NVMe controller, and show shadow doorbells at work: OACS, the
# module loaded, a short fio job, and the MMIO doorbells QEMU saw per I/O.
# DRIVER=stock runs the same with Debian's own nvme.ko, for comparison.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs python3
"$TOP/scripts/base.sh"
load_base
"$TOP/scripts/modules.sh"
mod=$BUILD/modules/$KVER/nvme.ko
out=$BUILD/run
mkdir -p "$out"
"$TOP/scripts/vm.sh" --trace "$out/trace.log" --log "$out/console.log" \
	--timeout 600 --env "DRIVER=${DRIVER:-ours}" "$TOP/scripts/guest/demo.sh"

say "results"
if [ "${DRIVER:-ours}" = stock ]; then
	mod=$(find "$IMAGE/lib/modules/$KVER" -name nvme.ko -path '*nvme/host*')
fi
want=$(modinfo -F srcversion "$mod")
got=$(sed -n 's/^NVME-SRCVERSION //p' "$out/console.log")
[ "$got" = "$want" ] ||
	die "the guest's nvme module has srcversion '$got', not the ${DRIVER:-ours} one ($want)"
if [ "${DRIVER:-ours}" = stock ]; then who="Debian's stock"; else who=our; fi
echo "$who nvme.ko was loaded in the guest (srcversion $want)"
n=$(grep -c pci_nvme_dbbuf_config "$out/trace.log" || true)
echo "QEMU received Doorbell Buffer Config $n time(s)"
echo "MMIO doorbell writes QEMU trapped on the I/O queues during fio:"
"$TOP/scripts/doorbells.py" "$out/console.log" "$out/trace.log" | sed 's/^/  /'
grep -q 'reboot: Power down' "$out/console.log" &&
	echo "the guest powered off cleanly"
echo "logs: ${out#$TOP/}/console.log, ${out#$TOP/}/trace.log"
