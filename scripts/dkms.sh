#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh install|remove: register this repository with DKMS, build and
# install nvme.ko for the running kernel (or KVER=), or remove it again.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "DKMS installs into /usr/src and /lib/modules: run as root"
need_pkgs dkms git make gcc rsync
name=nvme-dbbuf
version=0.$(git -C "$TOP" rev-list --count HEAD 2>/dev/null || echo 0)
kver=${KVER:-$(uname -r)}
src=/usr/src/$name-$version
if [ "${1:-}" = install ] && [ ! -f "/lib/modules/$kver/build/Makefile" ]; then
	die "no kernel headers for $kver (/lib/modules/$kver/build); install linux-headers-$kver, or pass KVER= for an installed Debian 6.12 or 6.1 kernel"
fi

case ${1:-} in
install)
	say "copying the sources to $src"
	rm -rf "$src" && mkdir -p "$src"
	(cd "$TOP" && cp -a Makefile dkms.conf patches scripts "$src/" &&
	 cp -a --parents drivers/nvme/host/Kbuild "$src/")
	sed -i "s/@VERSION@/$version/" "$src/dkms.conf"
	dkms status -m "$name" -v "$version" | grep -q . &&
		dkms remove -m "$name" -v "$version" --all >/dev/null
	dkms add -m "$name" -v "$version"
	say "building $name $version for $kver with DKMS"
	dkms build -m "$name" -v "$version" -k "$kver" || {
		cat "/var/lib/dkms/$name/$version/build/make.log" >&2 2>/dev/null
		die "the DKMS build failed"
	}
	dkms install -m "$name" -v "$version" -k "$kver" ||
		die "dkms install failed: the stock nvme.ko of $kver stays in place"
	dkms status -m "$name"
	# DKMS can end without an error and still leave the stock module in
	# place (a version it ranks equal or higher): check what modprobe
	# would load.
	path=$(modinfo -k "$kver" -n nvme 2>/dev/null || true)
	ver=$(modinfo -k "$kver" -F version nvme 2>/dev/null || true)
	case $path:$ver in
	*/updates/dkms/*:*+dbbuf) say "installed: $path (version $ver) is what 'modprobe nvme' loads on $kver" ;;
	*) die "DKMS did not install nvme-dbbuf over the stock driver: 'modprobe nvme' on $kver would load ${path:-nothing} (version ${ver:-none})" ;;
	esac
	;;
remove)
	for v in $(dkms status -m "$name" | sed -n "s|^$name/\([^,:]*\).*|\1|p" | sort -u); do
		dkms remove -m "$name" -v "$v" --all
		rm -rf "/usr/src/$name-$v"
	done
	path=$(modinfo -k "$kver" -n nvme 2>/dev/null || true)
	case $path in
	*/updates/dkms/*) die "nvme on $kver still resolves to $path after dkms remove" ;;
	'') say "removed; $kver has no nvme module installed" ;;
	*) say "removed: 'modprobe nvme' on $kver loads the stock $path again" ;;
	esac
	;;
*) die "usage: $0 install|remove" ;;
esac
