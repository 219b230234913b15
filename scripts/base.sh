#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Choose the kernel to build for, fetch the matching Debian linux-source-6.1,
# linux-headers and linux-image, refuse any pair that does not belong
# together, and unpack the part of the source the series touches into
# build/base/<version>/src.  Writes build/base.env for the other scripts.
#
#   KSRC=dir   use an unpacked kernel source tree instead of linux-source-6.1
#   KDIR=dir   use a kernel headers/build directory instead of Debian's
#   KVER=rel   a Debian ABI to target, e.g. 6.1.0-56-amd64 (default: the
#              running kernel if it is a Debian 6.1 one with headers,
#              otherwise the ABI of the archive's current linux-source-6.1)

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What the series and the checks need from the source: nothing else is kept.
SUBSET=(
	drivers/nvme/host
	include/linux/nvme.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/Makefile tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest
	Documentation/process Documentation/index.rst
	Documentation/subsystem-apis.rst
)

DEBS=$BUILD/debs
mkdir -p "$BUILD" "$DEBS"

# Upstream version (x.y.z) of a kernel Makefile.
mk_version() {
	awk -F' = ' '/^VERSION =/{v=$2} /^PATCHLEVEL =/{p=$2}
		/^SUBLEVEL =/{s=$2} END{if (v != "") print v "." p "." s}' "$1"
}

# Debian version (6.1.192-2) of a headers dir, from the version string.
kdir_debver() {
	sed -n 's/.*Debian \([0-9][^ ]*\) .*/\1/p' \
		"$1/include/generated/utsversion.h" \
		"$1/include/generated/compile.h" 2>/dev/null | head -n1
}

kdir_upstream() {
	local mk=$1/Makefile inc
	inc=$(sed -n 's/^include \(.*Makefile\)$/\1/p' "$mk" | head -n1)
	[ -n "$inc" ] && mk=$inc
	mk_version "$mk"
}

pkg_version() {	# candidate version of a Debian package, empty if none
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/{print $2}' |
		grep -v '(none)' || true
}

fetch_deb() {	# fetch_deb name version -> path of the .deb
	local f
	f=$(ls "$DEBS/$1_${2//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		say "downloading $1 $2"
		(cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "$1=$2" >&2) ||
			die "cannot download $1 $2 from the Debian archive (it keeps only recent versions); upgrade to the current 6.1 kernel, or pass KSRC= and KDIR="
		f=$(ls "$DEBS/$1_${2//:/%3a}_"*.deb | head -n1)
	fi
	echo "$f"
}

need_pkgs xz-utils binutils

# --- 1. the target ABI ------------------------------------------------------
if [ -n "${KDIR:-}" ]; then
	[ -f "$KDIR/Makefile" ] || die "KDIR=$KDIR is not a kernel build or headers directory (no Makefile)"
	# UTS_RELEASE is what vermagic carries (Debian's kernel.release
	# holds the upstream version instead).
	KVER=${KVER:-$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$KDIR/include/generated/utsrelease.h" 2>/dev/null || true)}
	[ -n "$KVER" ] || die "KDIR=$KDIR has no include/generated/utsrelease.h; is it a configured, prepared kernel build directory?"
	DEBVER=$(kdir_debver "$KDIR")
else
	if [ -z "${KVER:-}" ]; then
		run=$(uname -r)
		if [[ $run =~ ^6\.1\.0-[0-9]+-amd64$ ]] &&
		   [ -f "/lib/modules/$run/build/Makefile" ]; then
			KVER=$run
			say "target: the running kernel $KVER"
		else
			apt_update_once ||
				say "apt-get update failed; using the lists there are"
			srcver=$(pkg_version linux-source-6.1)
			[ -n "$srcver" ] || die "the archive has no linux-source-6.1; is this Debian 12 with bookworm and bookworm-security in sources.list?"
			KVER=
			for h in $(apt-cache search --names-only '^linux-headers-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}'); do
				[ "$(pkg_version "$h")" = "$srcver" ] && KVER=${h#linux-headers-}
			done
			[ -n "$KVER" ] || die "no linux-headers-6.1.0-NN-amd64 in the archive has version $srcver, the version of linux-source-6.1; run 'apt-get update', or pass KSRC= and KDIR="
			say "target: Debian's current 6.1 ABI $KVER ($srcver); the running kernel $(uname -r) is not one"
		fi
	fi
	[[ $KVER =~ ^6\.1\.0-[0-9]+-(amd64|cloud-amd64|rt-amd64)$ ]] ||
		die "KVER=$KVER is not a Debian 6.1 ABI (6.1.0-NN-amd64); pass KDIR= for other kernels"
	KDIR=/lib/modules/$KVER/build
	if [ ! -f "$KDIR/Makefile" ]; then
		need_pkgs "linux-headers-$KVER"
	fi
	DEBVER=$(kdir_debver "$KDIR")
fi
KDIR=$(cd "$KDIR" && pwd -P)
HDRVER=$(kdir_upstream "$KDIR")
[ -n "$HDRVER" ] || die "cannot read the kernel version of KDIR=$KDIR"

# --- 2. the source ----------------------------------------------------------
if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/drivers/nvme/host" ] ||
		die "KSRC=$KSRC is not an unpacked kernel source tree"
	SRCVER=$(mk_version "$KSRC/Makefile")
	[ "$SRCVER" = "$HDRVER" ] ||
		die "source/headers mismatch: KSRC=$KSRC is Linux $SRCVER but KDIR=$KDIR ($KVER) is Linux $HDRVER; a module built from it would not load; pass the source of $HDRVER"
	ID=ksrc-$SRCVER-$(echo "$(cd "$KSRC" && pwd -P)" | md5sum | cut -c1-8)
else
	[ -n "$DEBVER" ] || die "cannot tell the Debian version of KDIR=$KDIR ($KVER); pass KSRC= with its source"
	srcver=$(pkg_version linux-source-6.1)
	if [ "$srcver" != "$DEBVER" ]; then
		# The archive may still hold an older linux-source-6.1.
		apt-cache madison linux-source-6.1 | awk '{print $3}' | grep -qx "$DEBVER" ||
			die "source/headers mismatch: the headers of $KVER are Debian $DEBVER but the archive's linux-source-6.1 is ${srcver:-missing}; upgrade the kernel and headers to ${srcver:-the current 6.1} (apt-get install linux-image-amd64 linux-headers-amd64, then reboot), or pass KSRC= with the $DEBVER source"
	fi
	SRCVER=${DEBVER%%-*}
	[ "$SRCVER" = "$HDRVER" ] ||
		die "source/headers mismatch: Debian $DEBVER is Linux $SRCVER but KDIR=$KDIR is Linux $HDRVER"
	ID=$DEBVER
fi

BASE=$BUILD/base/$ID
if [ ! -f "$BASE/.src-done" ]; then
	rm -rf "$BASE/src" && mkdir -p "$BASE/src"
	if [ -n "${KSRC:-}" ]; then
		say "copying the base subset from $KSRC"
		(cd "$KSRC" && cp -a --parents "${SUBSET[@]}" "$BASE/src/") ||
			die "KSRC=$KSRC lacks part of: ${SUBSET[*]}"
	else
		deb=$(fetch_deb linux-source-6.1 "$DEBVER")
		say "unpacking the base subset of linux-source-6.1 $DEBVER (about 10 s)"
		paths=()
		for p in "${SUBSET[@]}"; do paths+=("linux-source-6.1/$p"); done
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO ./usr/src/linux-source-6.1.tar.xz |
			xz -dc -T0 |
			tar -x -C "$BASE/src" --strip-components=1 "${paths[@]}" ||
			die "unpacking $deb failed"
	fi
	[ "$(cd "$BASE/src" && find drivers/nvme/host -name pci.c)" ] ||
		die "the base subset has no drivers/nvme/host/pci.c"
	touch "$BASE/.src-done"
fi

# --- 3. the guest image (Debian ABIs only) ----------------------------------
IMAGE=
if [[ $KVER =~ ^6\.1\.0-[0-9]+- ]] && [ -n "$DEBVER" ]; then
	IMAGE=$BUILD/base/image-$KVER
	if [ ! -f "$IMAGE/.done" ]; then
		deb=$(fetch_deb "linux-image-$KVER" "$DEBVER")
		say "unpacking linux-image-$KVER $DEBVER"
		rm -rf "$IMAGE" && mkdir -p "$IMAGE"
		dpkg-deb -x "$deb" "$IMAGE"
		touch "$IMAGE/.done"
	fi
fi

cat > "$BUILD/base.env.tmp" <<EOT
# Written by scripts/base.sh
KVER=$KVER
KDIR=$KDIR
DEBVER=$DEBVER
LINUXVER=$HDRVER
BASE_ID=$ID
BASE_SRC=$BASE/src
IMAGE=$IMAGE
EOT
mv "$BUILD/base.env.tmp" "$BUILD/base.env"
say "base: Linux $HDRVER${DEBVER:+ (Debian $DEBVER)}, ABI $KVER, source in ${BASE#$TOP/}/src"
