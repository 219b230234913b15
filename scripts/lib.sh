# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project scripts.  Source, do not run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

say()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Refresh the package lists once per build/ (the log is build/apt.log).
apt_update_once() {
	mkdir -p "$BUILD"
	[ -e "$BUILD/.apt-updated" ] && return 0
	say "refreshing the package lists"
	$SUDO apt-get update -qq >"$BUILD/apt.log" 2>&1 || {
		tail -n 20 "$BUILD/apt.log" >&2
		return 1
	}
	touch "$BUILD/.apt-updated"
}

# Install Debian packages that are missing.  Needs root (or sudo).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing missing packages: ${missing[*]}"
	apt_update_once ||
		die "apt-get update failed; cannot install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >"$BUILD/apt.log" 2>&1 || {
		tail -n 20 "$BUILD/apt.log" >&2
		die "could not install: ${missing[*]} (apt-get install failed, see above)"; }
}

# Load the target chosen by scripts/base.sh.
load_base() {
	[ -f "$BUILD/base.env" ] || "$TOP/scripts/base.sh"
	# shellcheck disable=SC1091
	. "$BUILD/base.env"
}
