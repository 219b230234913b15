#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debian-pick.py on fake archive listings of the shapes Debian's
# archive has had: a new version whose signed image is not published yet
# (6.12.118, November 2026), a version with no image at all, the split
# images of 6.19 and later (linux-binary, linux-binary-unsigned and
# linux-modules; no linux-image-*-unsigned), and a line with no complete
# version.  Each case must pick what exists, fall back and say why, or
# fail naming what is missing.  Prints TAP.

set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PICK=$TOP/scripts/debian-pick.py
OUT=${OUT:-$TOP/build/archive-negatives}
rm -rf "$OUT" && mkdir -p "$OUT"

# pkg NAME VERSION [DEPENDS]: one stanza of a Packages listing.
pkg() {
	printf 'Package: %s\nVersion: %s\n' "$1" "$2"
	[ -z "${3:-}" ] || printf 'Depends: %s\n' "$3"
	printf 'Architecture: amd64\n\n'
}

# set612 N PARTS: the 6.12.N packages of bookworm-security; PARTS names
# the image packages published (signed, unsigned).
set612() {
	local v=6.12.$1-1~deb12u1 a=6.12.$1+deb12
	pkg linux-source-6.12 "$v" "binutils, xz-utils"
	pkg "linux-headers-$a-amd64" "$v" "linux-headers-$a-common (= $v), linux-kbuild-$a (>= 6.12), gcc-12"
	pkg "linux-headers-$a-common" "$v"
	pkg "linux-kbuild-$a" "$v"
	case " $2 " in *" signed "*) pkg "linux-image-$a-amd64" "$v" "kmod, linux-base" ;; esac
	case " $2 " in *" unsigned "*) pkg "linux-image-$a-amd64-unsigned" "$v" "kmod, linux-base" ;; esac
}

# set7 N PARTS: 7.3.N of trixie-backports, split images; PARTS: binary,
# unsigned (linux-binary-unsigned), modules.
set7() {
	local v=7.3.$1-1~bpo13+1 a=7.3.$1+deb13
	pkg linux-source-7.3 "$v" "binutils, xz-utils"
	pkg "linux-headers-$a-amd64" "$v" "gcc-14-for-host, linux-base-$a-amd64 (= $v), linux-headers-$a-common (= $v), linux-kbuild-$a"
	pkg "linux-headers-$a-common" "$v"
	pkg "linux-kbuild-$a" "$v"
	# The meta package is always there: it must not count as an image.
	pkg "linux-image-$a-amd64" "$v" "linux-binary-$a-amd64 (= $v), linux-modules-$a-amd64 (= $v)"
	case " $2 " in *" binary "*) pkg "linux-binary-$a-amd64" "$v" ;; esac
	case " $2 " in *" unsigned "*) pkg "linux-binary-unsigned-$a-amd64" "$v" ;; esac
	case " $2 " in *" modules "*) pkg "linux-modules-$a-amd64" "$v" ;; esac
}

n=0 bad=0
# expect NAME WANT-RC PATTERN... -- LINE LISTING: run the picker; its exit
# status must be WANT-RC and its output (stdout and stderr) must hold
# every PATTERN (grep -E).
expect() {
	local name=$1 want=$2 pats=() rc out
	shift 2
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	out=$("$PICK" pick "$1" source,headers,image "$2" 2>&1)
	rc=$?
	printf '%s\n' "$out" > "$OUT/$name.out"
	local ok=1 p
	[ $rc -eq "$want" ] || ok=0
	for p in "${pats[@]}"; do
		grep -qE -- "$p" <<<"$out" || { ok=0; echo "# $name: no '$p'"; }
	done
	n=$((n + 1))
	if [ $ok = 1 ]; then
		echo "ok $n archive: $name"
	else
		bad=$((bad + 1))
		echo "not ok $n archive: $name (exit $rc, want $want)"
		sed 's/^/#   /' <<<"$out"
	fi
}

# November 2026: 6.12.118 has source, headers and the unsigned image only.
{ set612 117 "signed unsigned"; set612 118 "unsigned"; } > "$OUT/today.list"
expect "6.12.118 without its signed image: the unsigned one" 0 \
	"^DEB_VERSION='6.12.118-1~deb12u1'" "^DEB_IMAGE=linux-image-6.12.118\+deb12-amd64-unsigned$" \
	"^DEB_HEADERS='linux-headers-6.12.118\+deb12-amd64 linux-headers-6.12.118\+deb12-common linux-kbuild-6.12.118\+deb12'$" \
	"^DEB_FALLBACK=''" -- 6.12 "$OUT/today.list"

# A newest version with no image at all: the newest complete set, named.
{ set612 117 "signed unsigned"; set612 118 ""; } > "$OUT/no-image.list"
expect "6.12.118 with no image: falls back to 6.12.117, and says why" 0 \
	"^DEB_VERSION='6.12.117-1~deb12u1'" "^DEB_IMAGE=linux-image-6.12.117\+deb12-amd64$" \
	"^DEB_NEWEST='6.12.118-1~deb12u1'" \
	"passed over 6.12.118-1~deb12u1: no linux-image-6.12.118\+deb12-amd64 or linux-image-6.12.118\+deb12-amd64-unsigned" \
	-- 6.12 "$OUT/no-image.list"

# Headers without their kbuild: not complete either.
{ set612 117 "signed"; set612 118 "signed" | awk -v RS= -v ORS='\n\n' '!/Package: linux-kbuild-6.12.118/'; } > "$OUT/no-kbuild.list"
expect "6.12.118 without linux-kbuild: falls back" 0 \
	"^DEB_VERSION='6.12.117-1~deb12u1'" "no linux-kbuild-6.12.118\+deb12" -- 6.12 "$OUT/no-kbuild.list"

# Versions compare as dpkg compares them: 6.12.9 is older than 6.12.10.
{ set612 9 "signed"; set612 10 "signed"; } > "$OUT/order.list"
expect "6.12.10 is newer than 6.12.9" 0 "^DEB_VERSION='6.12.10-1~deb12u1'" -- 6.12 "$OUT/order.list"

# 7.x: the image is split; the meta linux-image is not a bootable kernel.
{ set7 4 "unsigned modules"; } > "$OUT/seven.list"
expect "7.3.4, split: linux-binary-unsigned with linux-modules" 0 \
	"^DEB_VERSION='7.3.4-1~bpo13\+1'" \
	"^DEB_IMAGE='linux-binary-unsigned-7.3.4\+deb13-amd64 linux-modules-7.3.4\+deb13-amd64'$" \
	-- 7 "$OUT/seven.list"
{ set7 3 "binary modules"; set7 4 "binary"; } > "$OUT/seven-no-modules.list"
expect "7.3.4 without linux-modules: falls back to 7.3.3" 0 \
	"^DEB_VERSION='7.3.3-1~bpo13\+1'" \
	"^DEB_IMAGE='linux-binary-7.3.3\+deb13-amd64 linux-modules-7.3.3\+deb13-amd64'$" \
	"7.3.4-1~bpo13\+1: no linux-modules-7.3.4\+deb13-amd64" \
	-- 7 "$OUT/seven-no-modules.list"

# Nothing complete: a failure that names what is missing.
{ set612 118 ""; } > "$OUT/none.list"
expect "no complete version: fails, naming the missing image" 1 \
	"no version of linux-source-6.12 in the archive has every part needed" \
	"6.12.118-1~deb12u1: no linux-image-6.12.118\+deb12-amd64" -- 6.12 "$OUT/none.list"

# And a listing without the line at all.
{ set612 118 "signed"; } > "$OUT/other-line.list"
expect "no linux-source-6.1: fails, naming it" 1 "no linux-source-6.1 in the archive listing" \
	-- 6.1 "$OUT/other-line.list"

echo "$((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
