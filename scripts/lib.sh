# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the project scripts.  Source, do not run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

say()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install Debian packages that are missing.  Needs root (or sudo).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing missing packages: ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	mkdir -p "$BUILD"
	if [ ! -e "$BUILD/.apt-updated" ]; then
		$sudo apt-get update -qq >"$BUILD/apt.log" 2>&1 || {
			tail -n 20 "$BUILD/apt.log" >&2
			die "apt-get update failed; cannot install ${missing[*]}"; }
		touch "$BUILD/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
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
