#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-install and make dkms-remove the way a user runs them: in a new
# Debian 12 root (debootstrap minbase, with git and make as the README
# asks, in a private mount namespace) where
# the 6.12 and 6.1 kernels that make check picked are installed from
# Debian's packages with their headers, as on a user's machine, so each
# has its stock nvme.ko in kernel/drivers/nvme/host.  For each kernel:
#
#   1. "KVER=... make dkms-install" succeeds, "modinfo -k KVER -n nvme"
#      points at updates/dkms, and the module there is ours: version
#      "+dbbuf" and the nvme_dbbuf tracepoints, which the stock one lacks;
#   2. "make dkms-remove": nvme resolves to the stock module again, intact.
#
# And the negatives:
#
#   3. (6.12) the same install from a copy of the project whose out-of-tree
#      build keeps the stock MODULE_VERSION, as before 7c7e0cb: DKMS keeps
#      the stock module, make dkms-install fails and says so, and the
#      check of step 1 fails on that kernel too;
#   4. (6.1) a copy whose base.sh downloads the image in every build:
#      its make.log names the image, so the image check of step 1 fails;
#   5. (6.1) with the module registered, Debian's hook for new headers
#      (/etc/kernel/header_postinst.d/dkms, which runs dkms autoinstall),
#      without a network (unshare -n): the build fails, its make.log says
#      why in one clear line, nvme still resolves to the stock module, and
#      the install on the other kernel is untouched.  The hook's non-zero
#      status is DKMS's own policy for any module that fails to build:
#      apt reports the headers package as not configured.
#
# Prints TAP; the last line is "N passed, N failed".  The prepared root is
# cached in build/dkms/ (keyed by the two kernels); DKMS_FRESH=1 rebuilds
# it.  Needs root, about 5 minutes on a fresh machine (most of it
# installing the two kernels into the root; each of the four DKMS builds
# takes under half a minute).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the DKMS test installs kernels into a chroot: run as root"
need_pkgs debootstrap rsync util-linux

OUT=$BUILD/dkms
ROOT=$OUT/root
mkdir -p "$OUT"
pass=0 fail=0
result() {	# result RC WHAT [LOG]
	if [ "$1" -eq 0 ]; then
		echo "ok - dkms: $2"; pass=$((pass + 1))
	else
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 15 "$3" | sed 's/^/# /'
		echo "not ok - dkms: $2"; fail=$((fail + 1))
	fi
}
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

# The kernels: the ones make check uses for the two backports.
declare -A KV IMG
for b in 6.12 6.1; do
	eval "$(BASE=$b bash -c '. "$1/scripts/lib.sh"; load_base >&2; echo "kv=$KVER img=\"$IMAGE_PKGS\""' _ "$TOP")" ||
		die "no Debian $b kernel to install (scripts/base.sh failed)"
	KV[$b]=$kv IMG[$b]=$img
	say "$b: $kv, image ${img} and linux-headers-$kv"
done

# in_root [unshare options] -- CMD...: run CMD in the root, with /proc,
# /sys and /dev, in a mount namespace of its own, and unmount them after.
# Where / is no mount point (a chroot, as in ../shared/fresh-debian),
# unshare cannot make the new namespace private, and the mounts are
# undone explicitly instead.
PROPAGATION=()
unshare -m true 2>/dev/null || PROPAGATION=(--propagation unchanged)
in_root() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	unshare -m "${PROPAGATION[@]}" "${opts[@]}" -- bash -c '
		r=$1; shift
		mount -t proc proc "$r/proc" || exit 1
		mount --rbind /dev "$r/dev" &&
			mount -t sysfs sys "$r/sys" || { umount -R "$r/dev" "$r/proc" 2>/dev/null; exit 1; }
		chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
		rc=$?
		umount -R "$r/sys" "$r/dev" "$r/proc"
		exit $rc' _ "$ROOT" "$@"
}

# --- the root -----------------------------------------------------------
key="bookworm git make ${KV[6.12]} ${IMG[6.12]} ${KV[6.1]} ${IMG[6.1]}"
if [ -n "${DKMS_FRESH:-}" ] || [ "$(cat "$OUT/root.key" 2>/dev/null)" != "$key" ] ||
   [ ! -s "$OUT/root.tar" ]; then
	rm -rf "$ROOT" "$OUT/root.tar" "$OUT/root.key"
	mirror=$(host_mirror main) security=$(host_mirror security)
	say "debootstrap --variant=minbase bookworm into ${ROOT#$TOP/} (about a minute)"
	debootstrap --variant=minbase bookworm "$ROOT" "$mirror" >"$OUT/debootstrap.log" 2>&1 ||
		{ result 1 "a Debian 12 root (debootstrap)" "$OUT/debootstrap.log"; finish; }
	cat >"$ROOT/etc/apt/sources.list" <<-EOT
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb $security bookworm-security main
	EOT
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	pkgs="git make ${IMG[6.12]} linux-headers-${KV[6.12]} ${IMG[6.1]} linux-headers-${KV[6.1]}"
	say "installing $pkgs in the root, as a user has them (a few minutes)"
	# (INITRD=No: the kernels' postinst hook makes no initramfs; the
	# root boots nothing, and three of them took a minute)
	in_root -- bash -c "apt-get update -qq && INITRD=No DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $pkgs" >"$OUT/install.log" 2>&1 ||
		{ result 1 "the two kernels and their headers install in the root" "$OUT/install.log"; finish; }
	tar -C "$ROOT" -cf "$OUT/root.tar.part" . && mv "$OUT/root.tar.part" "$OUT/root.tar" &&
		echo "$key" >"$OUT/root.key"
else
	say "a new copy of the prepared root (${OUT#$TOP/}/root.tar: $key)"
	rm -rf "$ROOT" && mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$OUT/root.tar"
fi
result 0 "a Debian 12 root with ${IMG[6.12]}, ${IMG[6.1]} and their headers"

# The project, as committed and as it is now (build/ aside).
rsync -a --delete --exclude=/build/ "$TOP/" "$ROOT/root/project/"
# A copy whose out-of-tree build keeps the stock MODULE_VERSION, as the
# project did before 7c7e0cb.
rsync -a --delete --exclude=/build/ "$TOP/" "$ROOT/root/plain/"
sed -i '/^sed -i .s\/\^MODULE_VERSION/d' "$ROOT/root/plain/scripts/modules.sh"
! grep -q '+dbbuf");/' "$ROOT/root/plain/scripts/modules.sh"
result $? "the plain-version copy no longer marks the out-of-tree build"

# resolves KVER: what modprobe nvme would load on KVER (path in the root).
resolves() { in_root -- modinfo -k "$1" -n nvme 2>/dev/null; }
# ours KVER: nvme resolves to updates/dkms, and that module is ours.
ours() {
	local p v
	p=$(resolves "$1") || return 1
	case $p in */updates/dkms/nvme.ko*) ;; *) echo "# nvme on $1 resolves to $p"; return 1 ;; esac
	v=$(in_root -- modinfo -k "$1" -F version nvme)
	case $v in *+dbbuf) ;; *) echo "# $p has version $v"; return 1 ;; esac
	traced "$p" || { echo "# $p has no nvme_dbbuf_sq tracepoint"; return 1; }
}
# stock KVER: nvme resolves to the kernel's own module, which is not ours.
stock() {
	local p
	p=$(resolves "$1") || return 1
	case $p in */kernel/drivers/nvme/host/nvme.ko*) ;; *) echo "# nvme on $1 resolves to $p"; return 1 ;; esac
	! traced "$p"
}
# traced PATH: the module at PATH in the root has our nvme_dbbuf_sq tracepoint.
# (grep reads it all: with pipefail, an early exit would fail the pipe)
traced() { decompress "$ROOT$1" | grep -a 'nvme_dbbuf_sq' >/dev/null; }
decompress() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}
command -v zstd >/dev/null || need_pkgs zstd
# no_image_fetched LINE: a module build needs the source and the headers,
# not the image: the DKMS build's make.log names the linux-source it
# downloaded, and no kernel image.
no_image_fetched() {
	local mlogs
	mlogs=$(find "$ROOT/var/lib/dkms/nvme-dbbuf" -name make.log 2>/dev/null)
	[ -n "$mlogs" ] || { echo "# no make.log"; return 1; }
	cat $mlogs
	grep -q "downloading linux-source-$1 " $mlogs &&
		! grep -q "downloading linux-\(image\|binary\|modules\)" $mlogs
}

for b in 6.12 6.1; do
	k=${KV[$b]}
	stock "$k"
	result $? "$b: before the install, nvme on $k is the stock module ($(resolves "$k"))"
	log=$OUT/install-$b.log
	say "$b: KVER=$k make dkms-install in the root (a DKMS build: under a minute)"
	in_root -- bash -c "cd /root/project && KVER=$k make dkms-install" >"$log" 2>&1
	result $? "$b: KVER=$k make dkms-install succeeds" "$log"
	ours "$k" >>"$log"
	result $? "$b: nvme on $k resolves to updates/dkms, and it is ours ($(resolves "$k"), version $(in_root -- modinfo -k "$k" -F version nvme 2>/dev/null), nvme_dbbuf tracepoints)" "$log"
	no_image_fetched "$b" >>"$log"
	result $? "$b: the DKMS build downloaded linux-source-$b and no kernel image (make.log)" "$log"
	log=$OUT/remove-$b.log
	in_root -- bash -c "cd /root/project && KVER=$k make dkms-remove" >"$log" 2>&1
	result $? "$b: KVER=$k make dkms-remove succeeds" "$log"
	stock "$k" >>"$log" && [ -z "$(in_root -- dkms status nvme-dbbuf 2>/dev/null)" ]
	result $? "$b: after dkms-remove, nvme on $k is the stock module again, and DKMS holds no nvme-dbbuf" "$log"
done

# --- negative: DKMS keeps the stock module ---------------------------------
k=${KV[6.12]}
log=$OUT/install-plain.log
say "negative: a build that keeps the stock version, on $k"
in_root -- bash -c "cd /root/plain && KVER=$k make dkms-install" >"$log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'DKMS did not install nvme-dbbuf over the stock driver' "$log"
result $? "negative: with the stock version, make dkms-install fails (exit $rc), saying DKMS left the stock driver in place" "$log"
ours "$k" >>"$log"
[ $? -ne 0 ] && stock "$k" >>"$log"
result $? "negative: and the check of step 1 fails on $k, where the stock module stayed" "$log"
in_root -- bash -c "cd /root/plain && KVER=$k make dkms-remove" >>"$log" 2>&1

# --- negative: a module build that downloads the image --------------------
# A copy whose base.sh fetches the image in every build, as before
# c239e31: the image check of step 1 must fail on it, naming the image.
k=${KV[6.1]}
log=$OUT/install-eager.log
say "negative: a build that downloads the kernel image, on $k"
rsync -a --delete --exclude=/build/ "$TOP/" "$ROOT/root/eager/"
sed -i 's/^\telif \[ "\${1:-}" = image \]; then$/\telif true; then/' "$ROOT/root/eager/scripts/base.sh"
in_root -- bash -c "cd /root/eager && KVER=$k make dkms-install" >"$log" 2>&1
grep -q '^	elif true; then$' "$ROOT/root/eager/scripts/base.sh" &&
	! no_image_fetched 6.1 >>"$log" && grep -q "downloading linux-image-$k " "$log"
result $? "negative: a build whose base.sh downloads the image: make.log names linux-image-$k, and the image check fails there" "$log"
in_root -- bash -c "cd /root/eager && KVER=$k make dkms-remove" >>"$log" 2>&1

# --- negative: autoinstall without a network --------------------------------
k=${KV[6.1]}
log=$OUT/autoinstall-offline.log
say "negative: dkms autoinstall for $k without a network"
{
	# Registered and installed for 6.12, as after a user's dkms-install.
	in_root -- bash -c "cd /root/project && KVER=${KV[6.12]} make dkms-install" &&
	# Debian's hook for new headers (it runs dkms autoinstall): what a
	# user's apt-get runs when linux-headers-KVER is configured.
	in_root -n -- /etc/kernel/header_postinst.d/dkms "$k"
	echo "autoinstall exit: $?"
} >"$log" 2>&1
ver=$(in_root -- dkms status nvme-dbbuf 2>/dev/null | sed -n 's|^nvme-dbbuf/\([^,]*\),.*|\1|p' | head -n1)
mlog=$ROOT/var/lib/dkms/nvme-dbbuf/$ver/build/make.log
cat "$mlog" >>"$log" 2>/dev/null
grep -q '^autoinstall exit: [1-9]' "$log" &&
	grep -q "error: cannot read the package lists of bookworm-security .*: no network, or the mirror is unreachable (see " "$mlog"
result $? "offline: the headers hook (dkms autoinstall) for $k fails, and make.log says the package lists cannot be read with no network" "$log"
stock "$k" >>"$log"
result $? "offline: nvme on $k is still the stock module" "$log"
ours "${KV[6.12]}" >>"$log"
result $? "offline: the earlier install on ${KV[6.12]} is untouched" "$log"
in_root -- bash -c "cd /root/project && make dkms-remove" >>"$log" 2>&1
finish
