#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build nvme.ko from base + series against the target kernel's headers.
#
#   SRC_TREE=dir  the kernel tree to take drivers/nvme/host from
#                 (default: build/tree-<BASE>, created from the base's
#                 patches if missing)
#   OUT=dir       where to build (default: build/modules/<KVER>)
#   EXTRA="..."   extra kbuild arguments, e.g. "C=2 W=1"
#   TEST_PATCHES="p..."  test-only patches (tests/patches/) applied to the
#                 build copy only: a test build, never the posted driver

set -euo pipefail
. "$(dirname "$0")/lib.sh"

load_base
need_kernel
need_pkgs make gcc rsync kmod
# The compiler the kernel was built with, which its Makefile names: Debian
# 12's kernels use x86_64-linux-gnu-gcc-12, which a Debian 13 host installs
# from its gcc-12 package.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$KDIR/.config" 2>/dev/null || true)
if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
	case $cc in
	*-gcc-[0-9]*) need_pkgs "gcc-${cc##*-}" ;;
	esac
	command -v "$cc" >/dev/null ||
		die "the kernel at $KDIR was built with $cc, which this host lacks"
fi
# Kernels with BTF for modules (6.12's) run pahole on every module built.
if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$KDIR/.config" 2>/dev/null; then
	need_pkgs dwarves
fi

SRC_TREE=${SRC_TREE:-$TREE}
if [ ! -d "$SRC_TREE/.git" ] && [ "$SRC_TREE" = "$TREE" ]; then
	"$TOP/scripts/series.sh" tree
fi
[ -f "$SRC_TREE/drivers/nvme/host/pci.c" ] || die "$SRC_TREE has no drivers/nvme/host/pci.c"

OUT=${OUT:-$BUILD/modules/$KVER}
mkdir -p "$OUT"
# Build products are excluded, so they survive and rebuilds stay incremental.
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
	--exclude='Module.symvers' --exclude='.*.d' \
	"$SRC_TREE/drivers/nvme/host/" "$OUT/"
cp "$TOP/drivers/nvme/host/Kbuild" "$OUT/Kbuild"
for p in ${TEST_PATCHES:-}; do
	patch -s -p4 -d "$OUT" --no-backup-if-mismatch -r - <"$p" ||
		die "the test-only patch ${p#$TOP/} does not apply to $SRC_TREE/drivers/nvme/host"
	say "applied the test-only patch ${p#$TOP/} to the build copy"
done
# The out-of-tree module carries the stock version with "+dbbuf": DKMS
# will not replace an in-tree module of the same version (3.0's
# check_version_sanity compares versions only), and modinfo tells the two
# apart.  The posted driver is unchanged; only this build copy is marked.
n=$(grep -c '^MODULE_VERSION("[^"+]*");$' "$OUT/pci.c" || true)
[ "$n" = 1 ] ||
	die "$SRC_TREE/drivers/nvme/host/pci.c has $n plain MODULE_VERSION lines, not 1: cannot mark the out-of-tree build"
sed -i 's/^MODULE_VERSION("\([^"+]*\)");$/MODULE_VERSION("\1+dbbuf");/' "$OUT/pci.c"

say "building nvme.ko for $KVER against $KDIR"
# shellcheck disable=SC2086
make -C "$KDIR" M="$OUT" -j"$(nproc)" ${EXTRA:-} modules >"$OUT/build.log" 2>&1 || {
	cat "$OUT/build.log" >&2
	die "the nvme.ko build failed (log: ${OUT#$TOP/}/build.log)"
}
grep -E 'warning:|error:' "$OUT/build.log" >&2 || true

vm=$(modinfo -F vermagic "$OUT/nvme.ko" | awk '{print $1}')
[ "$vm" = "$KVER" ] ||
	die "nvme.ko has vermagic '$vm' but the target kernel is $KVER; it would not load"
say "built ${OUT#$TOP/}/nvme.ko (version $(modinfo -F version "$OUT/nvme.ko"), vermagic $vm; loads with the stock nvme-core.ko of $KVER)"
