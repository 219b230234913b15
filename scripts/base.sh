#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Choose the kernel to build for, fetch the matching Debian
# linux-source-<line> and linux-headers, refuse any pair that does not
# belong together, and unpack the part of the source the series touches
# into build/base/<version>/src; "base.sh image" also fetches the
# kernel image a guest boots.  Writes build/base-<line>.env for the other
# scripts.  Two lines (BASE=, see lib.sh): 6.12 (Debian 13, and
# bookworm-security for Debian 12; ABI 6.12.N+debNN-amd64) and 6.1 (Debian
# 12; ABI 6.1.0-NN-amd64).
#
#   KSRC=dir   use an unpacked kernel source tree instead of linux-source
#   KDIR=dir   use a kernel headers/build directory instead of Debian's
#   KVER=rel   a Debian ABI of the line to target, e.g. 6.1.0-56-amd64 or
#              6.12.117+deb12-amd64 (default: the running kernel if it is
#              one of the line with headers, otherwise the ABI of the
#              archive's current linux-source of the line)

set -euo pipefail
. "$(dirname "$0")/lib.sh"

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

fetch_deb() {	# fetch_deb name version -> path of the .deb
	local f
	f=$(ls "$DEBS/$1_${2//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		say "downloading $1 $2 ($SUITE)"
		(cd "$DEBS" && apt-get "${PAPT_OPTS[@]}" download -qq "$1=$2" >&2) ||
			die "cannot download $1 $2 from $SUITE (the archive keeps only recent versions); pass KSRC= and KDIR= for another kernel"
		f=$(ls "$DEBS/$1_${2//:/%3a}_"*.deb | head -n1)
	fi
	echo "$f"
}

# debian-pick.py on this line's suite; its DEB_* assignments are evaluated.
pick() {
	local out
	out=$("$TOP/scripts/debian-pick.py" "$@" "$PAPT_LISTING") || exit 1
	eval "$out"
}

need_pkgs xz-utils binutils python3
SUITE=$(line_suite "$BASE")
papt_init "$SUITE"

# The line's names: its source package, and its ABIs.
case $BASE in
6.1)
	SRCPKG=linux-source-6.1
	ABI_RE='^6\.1\.0-[0-9]+-(amd64|cloud-amd64|rt-amd64)$'
	ABI_EG=6.1.0-NN-amd64 ;;
6.12)
	SRCPKG=linux-source-6.12
	ABI_RE='^6\.12\.[0-9]+\+deb[0-9]+-(amd64|cloud-amd64|rt-amd64)$'
	ABI_EG=6.12.N+debNN-amd64 ;;
7.3)
	SRCPKG=linux-source-7.3 ;;
esac

# Headers of a Debian ABI: installed ones, or else unpacked from the
# archive's packages into build/base/headers-<KVER> (dpkg -x: installing
# linux-headers-6.12.*-amd64 with apt would pull in that kernel's image
# too, and a user who builds a test module does not want a new kernel).
headers_dir() {	# headers_dir KVER DEBVER "PACKAGES" -> KDIR
	local kver=$1 debver=$2 dir p deb
	if [ -f "/lib/modules/$kver/build/Makefile" ]; then
		echo "/lib/modules/$kver/build"
		return
	fi
	dir=$BUILD/base/headers-$kver
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		for p in $3; do
			deb=$(fetch_deb "$p" "$debver")
			say "unpacking $p $debver into ${dir#$TOP/}"
			dpkg-deb -x "$deb" "$dir"
		done
		# The headers' Makefile includes the -common one by its
		# absolute path under /usr/src: point it here.
		sed -i "s|^include /usr/src/|include $dir/usr/src/|" \
			"$dir/usr/src/linux-headers-$kver/Makefile"
		touch "$dir/.done"
	fi
	echo "$dir/usr/src/linux-headers-$kver"
}

# unpack_subset DIR DEBVER: the part of the source the series touches
# (BASE_SUBSET), from KSRC= or from the Debian source package, into DIR/src.
# DIR/.src-done names the subset it holds: a changed subset unpacks again.
unpack_subset() {
	local dir=$1 ver=$2 deb p paths=()
	[ "$(cat "$dir/.src-done" 2>/dev/null)" != "${BASE_SUBSET[*]}" ] || return 0
	rm -rf "$dir/src" && mkdir -p "$dir/src"
	if [ -n "${KSRC:-}" ]; then
		say "copying the base subset from $KSRC"
		(cd "$KSRC" && cp -a --parents "${BASE_SUBSET[@]}" "$dir/src/") ||
			die "KSRC=$KSRC lacks part of: ${BASE_SUBSET[*]}"
	else
		deb=$(fetch_deb $SRCPKG "$ver")
		say "unpacking the base subset of $SRCPKG $ver (10-30 s)"
		for p in "${BASE_SUBSET[@]}"; do paths+=("$SRCPKG/$p"); done
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO ./usr/src/$SRCPKG.tar.xz |
			xz -dc -T0 |
			tar -x -C "$dir/src" --strip-components=1 "${paths[@]}" ||
			die "unpacking $deb failed"
	fi
	[ "$(cd "$dir/src" && find drivers/nvme/host -name pci.c)" ] ||
		die "the base subset has no drivers/nvme/host/pci.c"
	echo "${BASE_SUBSET[*]}" > "$dir/.src-done"
}

# base.sh newest-source: unpack the newest source of the line, whatever
# else that version lacks (make series-check applies the series there: it
# is what users get next), and print "DEBVER DIR".
if [ "${1:-}" = newest-source ]; then
	v=$(apt-cache "${PAPT_OPTS[@]}" madison $SRCPKG | awk 'NR == 1 {print $3}')
	[ -n "$v" ] || die "$SUITE has no $SRCPKG"
	unpack_subset "$BUILD/base/$v" "$v"
	echo "$v $BUILD/base/$v/src"
	exit 0
fi

# The posting base, 7.3: Debian's headers for it need gcc 14, which Debian
# 12 lacks, so the kernel is built here from the same source: a debug
# kernel for the tests (scripts/kernel.sh, on first use by modules.sh or
# vm.sh; series-check and checkpatch need only the subset).
if [ "$BASE" = 7.3 ]; then
	[ -z "${KDIR:-}${KVER:-}${KSRC:-}" ] ||
		die "BASE=7.3 builds its own kernel from Debian's linux-source-7.3; KDIR=, KVER= and KSRC= are for the 6.12 and 6.1 lines"
	pick pick 7 source
	[ "$DEB_SOURCE" = $SRCPKG ] ||
		say "note: $SUITE now serves $DEB_SOURCE, newer than the series' base $SRCPKG"
	DEBVER=$(apt-cache "${PAPT_OPTS[@]}" madison $SRCPKG | awk 'NR == 1 {print $3}')
	[ -n "$DEBVER" ] || die "$SUITE has no $SRCPKG"
	LINUXVER=${DEBVER%%-*}
	unpack_subset "$BUILD/base/$DEBVER" "$DEBVER"
	localver=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$TOP/tests/kernel/debug.config" 2>/dev/null || true)
	[ -n "$localver" ] || die "tests/kernel/debug.config names no CONFIG_LOCALVERSION: the test kernel's release is unknown"
	KVER=$LINUXVER$localver
	cat > "$BASE_ENV.tmp" <<EOT
# Written by scripts/base.sh
BASE=$BASE
SRCPKG=$SRCPKG
KVER=$KVER
KDIR=$BUILD/kernel-$DEBVER/obj
DEBVER=$DEBVER
LINUXVER=$LINUXVER
BASE_ID=$DEBVER
BASE_SRC=$BUILD/base/$DEBVER/src
IMAGE=$BUILD/base/image-$KVER
SUITE=$SUITE
IMAGE_PKGS="built here: $SRCPKG $DEBVER, tests/kernel/debug.config"
NEWEST_DEBVER=$DEBVER
KERNEL_BUILD=1
EOT
	mv "$BASE_ENV.tmp" "$BASE_ENV"
	say "base $BASE: Linux $LINUXVER (Debian $DEBVER, $SUITE), source in build/base/$DEBVER/src; the debug kernel $KVER is built on first use"
	exit 0
fi

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
		if [[ $run =~ $ABI_RE ]] &&
		   [ -f "/lib/modules/$run/build/Makefile" ]; then
			KVER=$run
			say "target: the running kernel $KVER"
		else
			# The newest version whose source, headers and image
			# all exist; an incomplete newer one is named.
			pick pick "$BASE" source,headers,image
			KVER=$DEB_ABI
			say "target: Debian $DEB_VERSION ($SUITE), ABI $KVER, image ${DEB_IMAGE// /+}; the running kernel $(uname -r) is not one of the line"
			[ -z "$DEB_FALLBACK" ] ||
				say "fallback: newer versions are incomplete: $DEB_FALLBACK"
		fi
	fi
	[[ $KVER =~ $ABI_RE ]] ||
		die "KVER=$KVER is not a Debian $BASE ABI ($ABI_EG); BASE=6.12 or BASE=6.1 picks the line, KDIR= builds for other kernels"
	if [ -f "/lib/modules/$KVER/build/Makefile" ]; then
		KDIR=/lib/modules/$KVER/build
		DEBVER=$(kdir_debver "$KDIR")
	else
		[ -n "${DEB_HEADERS:-}" ] || pick headers "$KVER"
		KDIR=$(headers_dir "$KVER" "$DEB_VERSION" "$DEB_HEADERS")
		DEBVER=$(kdir_debver "$KDIR")
		[ -n "$DEBVER" ] || DEBVER=$DEB_VERSION
	fi
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
	if ! "$TOP/scripts/debian-pick.py" has $SRCPKG "$DEBVER" "$PAPT_LISTING"; then
		srcver=$(apt-cache "${PAPT_OPTS[@]}" madison $SRCPKG | awk 'NR == 1 {print $3}')
		die "source/headers mismatch: the headers of $KVER are Debian $DEBVER, but $SUITE has no $SRCPKG $DEBVER (its newest is ${srcver:-none}); upgrade the kernel and headers to ${srcver:-the current $BASE} (apt-get install linux-image-amd64 linux-headers-amd64, then reboot), or pass KSRC= with the $DEBVER source"
	fi
	SRCVER=${DEBVER%%-*}
	[ "$SRCVER" = "$HDRVER" ] ||
		die "source/headers mismatch: Debian $DEBVER is Linux $SRCVER but KDIR=$KDIR is Linux $HDRVER"
	ID=$DEBVER
fi

BASEDIR=$BUILD/base/$ID
unpack_subset "$BASEDIR" "$DEBVER"

# --- 3. the guest image (Debian ABIs only) ----------------------------------
# The signed or unsigned image; from 6.19 on, linux-binary(-unsigned) and
# linux-modules.  Named here, downloaded only by "base.sh image", which
# a guest boot runs (lib.sh: need_image): a module build, as DKMS runs
# it, needs no image.  Debian 13's packages keep the modules in
# /usr/lib/modules: lib/modules points there, where the other scripts
# look.
IMAGE= IMAGE_PKGS=
if [[ $KVER =~ $ABI_RE ]] && [ -n "$DEBVER" ]; then
	IMAGE=$BUILD/base/image-$KVER
	if [ -f "$IMAGE/.done" ]; then
		IMAGE_PKGS=$(cat "$IMAGE/.done")
	elif [ "${1:-}" = image ]; then
		pick image "$KVER" "$DEBVER"
		rm -rf "$IMAGE" && mkdir -p "$IMAGE"
		for p in $DEB_IMAGE; do
			deb=$(fetch_deb "$p" "$DEBVER")
			say "unpacking $p $DEBVER"
			dpkg-deb -x "$deb" "$IMAGE"
		done
		if [ ! -d "$IMAGE/lib/modules" ] && [ -d "$IMAGE/usr/lib/modules" ]; then
			mkdir -p "$IMAGE/lib" && ln -s ../usr/lib/modules "$IMAGE/lib/modules"
		fi
		[ -f "$IMAGE/boot/vmlinuz-$KVER" ] && [ -d "$IMAGE/lib/modules/$KVER/kernel" ] ||
			die "the image packages ($DEB_IMAGE $DEBVER) hold no boot/vmlinuz-$KVER or no modules"
		echo "$DEB_IMAGE" > "$IMAGE/.done"
		IMAGE_PKGS=$DEB_IMAGE
	elif out=$("$TOP/scripts/debian-pick.py" image "$KVER" "$DEBVER" "$PAPT_LISTING" 2>/dev/null); then
		# (what "base.sh image" will fetch; none if the archive has
		# no image of this version, which a module build does not need)
		eval "$out"
		IMAGE_PKGS=$DEB_IMAGE
	fi
fi

cat > "$BASE_ENV.tmp" <<EOT
# Written by scripts/base.sh
BASE=$BASE
SRCPKG=$SRCPKG
KVER=$KVER
KDIR=$KDIR
DEBVER=$DEBVER
LINUXVER=$HDRVER
BASE_ID=$ID
BASE_SRC=$BASEDIR/src
IMAGE=$IMAGE
SUITE=$SUITE
IMAGE_PKGS="$IMAGE_PKGS"
NEWEST_DEBVER=$(apt-cache "${PAPT_OPTS[@]}" madison $SRCPKG | awk 'NR == 1 {print $3}')
EOT
mv "$BASE_ENV.tmp" "$BASE_ENV"
say "base $BASE: Linux $HDRVER${DEBVER:+ (Debian $DEBVER)}, ABI $KVER, source in ${BASEDIR#$TOP/}/src"
