#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: build nvme.ko from base + series, boot it in a QEMU guest with
# an emulated NVMe controller, and show shadow doorbells at work: OACS, the
# module loaded, its state in debugfs, a short fio job, its counters; then
# a short second boot with nvme.quirks=1b36:0010:no_dbbuf (QEMU's
# controller), and a table of the two side by
# side: the state, the MMIO doorbells QEMU trapped next to the driver's own
# count, and the saving.  DRIVER=stock runs one boot with Debian's own
# nvme.ko, for comparison.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs python3
"$TOP/scripts/base.sh"
load_base
need_image
"$TOP/scripts/modules.sh"
mod=$BUILD/modules/$KVER/nvme.ko
out=$BUILD/run-$BASE
mkdir -p "$out"
DRIVER=${DRIVER:-ours}
[ "$DRIVER" = ours ] || [ "$DRIVER" = stock ] || die "DRIVER must be ours or stock, not '$DRIVER'"
if [ "$DRIVER" = stock ]; then
	mod=$(find "$IMAGE/lib/modules/$KVER" -name 'nvme.ko*' -path '*nvme/host*')
	who="Debian's stock"
	boots=(stock)
else
	who=our
	boots=(on off)
fi
want=$(modinfo -F srcversion "$mod")

for b in "${boots[@]}"; do
	params=
	[ "$b" = off ] && params=quirks=1b36:0010:no_dbbuf
	if [ "$b" = off ]; then
		say "boot 2 of 2: the same with nvme.quirks=1b36:0010:no_dbbuf (MMIO doorbells only), for comparison"
	elif [ "$DRIVER" = ours ]; then
		say "boot 1 of 2: our nvme.ko with shadow doorbells"
	fi
	"$TOP/scripts/vm.sh" --trace "$out/$b-trace.log" --log "$out/$b-console.log" \
		--timeout 600 --env "DRIVER=$DRIVER" --env "PARAMS=$params" \
		"$TOP/scripts/guest/demo.sh"
	got=$(sed -n 's/^NVME-SRCVERSION //p' "$out/$b-console.log")
	[ "$got" = "$want" ] ||
		die "the guest's nvme module has srcversion '$got', not the $DRIVER one ($want)"
	grep -q 'reboot: Power down' "$out/$b-console.log" ||
		die "the guest did not power off cleanly (console: ${out#$TOP/}/$b-console.log)"
done

say "results"
echo "$who nvme.ko was loaded in the guest (srcversion $want), and the guest powered off cleanly"
if [ "$DRIVER" = ours ]; then
	echo "the driver's counts after fio (its nvme_dbbuf tracepoints, per queue):"
	sed -n '/^== the driver.s counters/,/^[^0-9q]/p' "$out/on-console.log" |
		grep -E '^(qid|[0-9]+ )' | sed 's/^/  /'
	"$TOP/scripts/run-table.py" "shadow doorbells on" "$out/on-console.log" \
		"$out/on-trace.log" "off (no_dbbuf quirk)" "$out/off-console.log" \
		"$out/off-trace.log"
else
	"$TOP/scripts/run-table.py" "Debian's stock nvme.ko" \
		"$out/stock-console.log" "$out/stock-trace.log"
fi
echo "logs: ${out#$TOP/}/*-console.log, ${out#$TOP/}/*-trace.log"
