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

# The Debian suite each line's kernel packages come from.  They are read
# through a private apt view of that suite alone (build/apt/SUITE), so the
# host's apt configuration is never touched, and every line works the same
# on a Debian 12 or a Debian 13 host.
line_suite() {
	case $1 in
	6.1|6.12) echo bookworm-security ;;
	7*) echo trixie-backports ;;
	*) die "no Debian suite is known for the kernel line $1" ;;
	esac
}

# The host's Debian mirror (and security mirror), as its apt sources name
# them; deb.debian.org when they name none.
host_mirror() {	# host_mirror security|main
	local uris
	uris=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -E '^(URIs:|deb )' |
		sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//' | awk '{print $1}')
	if [ "$1" = security ]; then
		echo "$uris" | grep -m1 'debian-security' || echo http://deb.debian.org/debian-security
	else
		echo "$uris" | grep -v security | grep -m1 '/debian/*$' || echo http://deb.debian.org/debian
	fi
}

# papt_init SUITE: set PAPT_DIR, PAPT_OPTS (apt options of the private view)
# and PAPT_LISTING (the suite's Packages file, decompressed); refresh the
# view once a day.
papt_init() {
	local suite=$1 uri
	PAPT_DIR=$BUILD/apt/$suite
	PAPT_OPTS=(-o "Dir::Etc::sourcelist=$PAPT_DIR/sources.list"
		-o "Dir::Etc::sourceparts=$PAPT_DIR/empty.d"
		-o "Dir::State::Lists=$PAPT_DIR/lists"
		-o "Dir::Cache=$PAPT_DIR/cache"
		-o "Dir::Etc::preferences=$PAPT_DIR/empty.d/none"
		-o "Dir::Etc::preferencesparts=$PAPT_DIR/empty.d"
		-o Acquire::Languages=none -o APT::Architectures::=amd64
		-o APT::Sandbox::User=root)
	PAPT_LISTING=$PAPT_DIR/Packages
	mkdir -p "$PAPT_DIR/empty.d"
	if [ -s "$PAPT_LISTING" ] && [ -z "$(find "$PAPT_LISTING" -mmin +1440)" ]; then
		return 0
	fi
	case $suite in
	*-security) uri=$(host_mirror security) ;;
	*) uri=$(host_mirror main) ;;
	esac
	mkdir -p "$PAPT_DIR/lists/partial" "$PAPT_DIR/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
		> "$PAPT_DIR/sources.list"
	papt_unreachable() {
		die "cannot read the package lists of $suite from $uri: no network, or the mirror is unreachable (see ${PAPT_DIR#$TOP/}/update.log); the kernel's own packages are needed to build, so nothing was built"
	}
	say "reading the kernel packages of $suite ($uri) into ${PAPT_DIR#$TOP/}"
	apt-get "${PAPT_OPTS[@]}" update -qq >"$PAPT_DIR/update.log" 2>&1 || {
		tail -n 5 "$PAPT_DIR/update.log" >&2
		if [ -s "$PAPT_LISTING" ]; then
			say "could not refresh $suite; using the listing of $(date -r "$PAPT_LISTING" '+%F %R')"
			return 0
		fi
		papt_unreachable
	}
	local f lists=()
	for f in "$PAPT_DIR"/lists/*_Packages*; do
		[ -e "$f" ] && lists+=("$f")
	done
	# apt-get update ends with status 0 when it fetched nothing (offline:
	# "Temporary failure resolving"), so no list is the same failure.
	[ ${#lists[@]} -gt 0 ] || {
		grep -E '^(W|E):' "$PAPT_DIR/update.log" | tail -n 3 >&2
		papt_unreachable
	}
	for f in "${lists[@]}"; do
		/usr/lib/apt/apt-helper cat-file "$f"
		echo
	done > "$PAPT_LISTING.tmp" && mv "$PAPT_LISTING.tmp" "$PAPT_LISTING"
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

# The base the series is for: 7.3, the posting base (patches/), or one of
# the backports, 6.12 (patches/6.12/) and 6.1 (patches/6.1/).
# BASE=7.3|6.12|6.1 chooses; by default, the running kernel's line when it
# is a Debian 6.12 or 6.1 kernel with its headers installed, as DKMS would
# build for it, and 6.12 otherwise: Debian's 6.12 image boots at once,
# where 7.3 first builds its debug kernel.  Sets PATCHES (the series),
# TREE (build/tree-BASE, the series as git commits) and BASE_ENV (what
# scripts/base.sh found, build/base-BASE.env).
# What the series and the checks need from the base's source (scripts/base.sh
# unpacks it): nothing else is kept.
BASE_SUBSET_ALL=(
	drivers/nvme/host
	include/linux/nvme.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/kernel-doc scripts/coccicheck scripts/coccinelle
	tools/testing/selftests/Makefile tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest
	Documentation/process Documentation/index.rst
	Documentation/subsystem-apis.rst
)
# 7.3 has a Documentation/nvme of its own, which the series adds a page to
# (pick_base sets BASE_SUBSET for the base).

BASES=(7.3 6.12 6.1)
pick_base() {
	local run
	if [ -z "${BASE:-}" ] && [ -n "${KVER:-}" ]; then
		# A kernel named (DKMS does): its line.
		case $KVER in
		6.1.0-*) BASE=6.1 ;;
		6.12.*) BASE=6.12 ;;
		esac
	fi
	if [ -z "${BASE:-}" ]; then
		run=$(uname -r)
		if [[ $run =~ ^6\.1\.0-[0-9]+-(amd64|cloud-amd64|rt-amd64)$ ]] &&
		   [ -f "/lib/modules/$run/build/Makefile" ]; then
			BASE=6.1
		else
			BASE=6.12
		fi
	fi
	case $BASE in
	7.3) PATCHES=$TOP/patches ;;
	6.12) PATCHES=$TOP/patches/6.12 ;;
	6.1) PATCHES=$TOP/patches/6.1 ;;
	*) die "BASE=$BASE: the series has the posting base 7.3 and the backports 6.12 and 6.1" ;;
	esac
	BASE_SUBSET=("${BASE_SUBSET_ALL[@]}")
	# 7.3's scripts/kernel-doc is a link to a Python program and its
	# library.
	[ "$BASE" != 7.3 ] || BASE_SUBSET+=(Documentation/nvme tools/docs/kernel-doc tools/lib/python)
	TREE=$BUILD/tree-$BASE
	BASE_ENV=$BUILD/base-$BASE.env
	export BASE
}
pick_base

# Load the target chosen by scripts/base.sh for $BASE.

load_base() {
	KERNEL_BUILD= IMAGE_PKGS= NEWEST_DEBVER= SUITE=
	[ -f "$BASE_ENV" ] || "$TOP/scripts/base.sh"
	# shellcheck disable=SC1090
	. "$BASE_ENV"
	# A subset unpacked before BASE_SUBSET grew: unpack it again.
	if [ "$(cat "$BASE_SRC/../.src-done" 2>/dev/null)" != "${BASE_SUBSET[*]}" ]; then
		"$TOP/scripts/base.sh"
		# shellcheck disable=SC1090
		. "$BASE_ENV"
	fi
}

# The kernel a base builds itself (7.3's debug kernel): build it, or find
# it up to date (scripts/kernel.sh keeps it in build/).  Needs load_base.
need_kernel() {
	[ -n "${KERNEL_BUILD:-}" ] || return 0
	if [ ! -f "$IMAGE/boot/vmlinuz-$KVER" ] || [ ! -f "$KDIR/Module.symvers" ] ||
	   [ "$TOP/tests/kernel/debug.config" -nt "$IMAGE/boot/vmlinuz-$KVER" ]; then
		"$TOP/scripts/kernel.sh" >&2 || die "the $BASE test kernel did not build"
	fi
	[ -f "$IMAGE/boot/vmlinuz-$KVER" ] && [ -f "$KDIR/Module.symvers" ] ||
		die "scripts/kernel.sh left no $KVER in ${IMAGE#$TOP/} and ${KDIR#$TOP/}"
}

# The kernel a guest boots: 7.3's debug kernel (need_kernel), or the
# Debian image of 6.12 or 6.1, which scripts/base.sh downloads on first
# use, so that a module build (make modules, DKMS) downloads none.  Needs
# load_base.
need_image() {
	if [ -n "${KERNEL_BUILD:-}" ]; then
		need_kernel
		return
	fi
	[ -n "$IMAGE" ] && [ ! -f "$IMAGE/.done" ] || return 0
	KVER=$KVER "$TOP/scripts/base.sh" image || die "no image of $KVER to boot"
	# shellcheck disable=SC1090
	. "$BASE_ENV"
}

# Choose QEMU's accelerator once per machine; sets ACCEL (kvm|tcg),
# ACCEL_ARGS (an array) and ACCEL_WHY.  A writable /dev/kvm is not enough:
# under nested virtualization QEMU may abort ("failed to set MSR 0x10a") or
# hang after the kernel is decompressed.  So KVM is used only after a probe
# boot of the guest kernel reached its /init; the verdict is kept in
# build/accel.env.  ACCEL=kvm|tcg overrides the probe.  Needs load_base.
pick_accel() {
	local cache=$BUILD/accel-$KVER.env key probe rc
	key="$(uname -r) $(qemu-system-x86_64 --version | head -n1) $KVER"
	case ${ACCEL:-} in
	kvm)
		[ -w /dev/kvm ] || die "ACCEL=kvm, but /dev/kvm is missing or not writable"
		# A caller that chose already (make bench) passes its reason.
		ACCEL_WHY=${ACCEL_WHY:-ACCEL=kvm given} ;;
	tcg)
		ACCEL_WHY=${ACCEL_WHY:-ACCEL=tcg given} ;;
	'')
		if [ -f "$cache" ] && [ "$(sed -n 's/^# key: //p' "$cache")" = "$key" ]; then
			# shellcheck disable=SC1090
			. "$cache"
		else
			if [ ! -e /dev/kvm ]; then
				ACCEL=tcg ACCEL_WHY="no /dev/kvm"
			elif [ ! -w /dev/kvm ]; then
				ACCEL=tcg ACCEL_WHY="/dev/kvm is not writable by $(id -un)"
			else
				say "probing KVM: a short boot of $KVER must reach the guest's /init (at most 60 s)"
				probe=$(mktemp -d)
				mkdir -p "$probe/root/bin"
				cp /bin/busybox "$probe/root/bin/busybox"
				printf '#!/bin/busybox sh\n/bin/busybox echo KVM-PROBE-INIT-REACHED\n/bin/busybox poweroff -f\n' \
					> "$probe/root/init"
				chmod +x "$probe/root/init"
				(cd "$probe/root" && find . | cpio -o -H newc --quiet) > "$probe/initrd"
				# In a subshell, so that the shell's own report of a
				# QEMU that aborts goes to the log too.
				(timeout -k 5 60 qemu-system-x86_64 -machine q35 -accel kvm -cpu host \
					-smp 1 -m 256M -nographic -no-reboot -nodefaults -serial stdio \
					-kernel "$IMAGE/boot/vmlinuz-$KVER" -initrd "$probe/initrd" \
					-append "console=ttyS0 quiet panic=-1" </dev/null; exit $?) \
					> "$probe/log" 2>&1 && rc=0 || rc=$?
				if grep -q KVM-PROBE-INIT-REACHED "$probe/log"; then
					ACCEL=kvm ACCEL_WHY="a probe boot under KVM reached /init"
				elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
					ACCEL=tcg ACCEL_WHY="/dev/kvm exists, but a probe boot under KVM hung (nested virtualization?)"
				else
					ACCEL=tcg ACCEL_WHY="/dev/kvm exists, but QEMU cannot use it: $(grep -m1 -i -e error -e assert "$probe/log" | cut -c1-120)"
				fi
				cp "$probe/log" "$BUILD/accel-probe.log"
				rm -rf "$probe"
			fi
			say "QEMU accelerator: $ACCEL ($ACCEL_WHY); kept in ${cache#$TOP/}"
			mkdir -p "$BUILD"
			printf '# key: %s\nACCEL=%s\nACCEL_WHY=%q\n' "$key" "$ACCEL" "$ACCEL_WHY" > "$cache"
		fi ;;
	*)
		die "ACCEL=$ACCEL: must be kvm or tcg" ;;
	esac
	if [ "$ACCEL" = kvm ]; then
		ACCEL_ARGS=(-accel kvm -cpu host)
	else
		case ${TCG_THREAD:=multi} in
		single|multi) ;;
		*) die "TCG_THREAD=$TCG_THREAD: must be single or multi" ;;
		esac
		ACCEL_ARGS=(-accel "tcg,thread=$TCG_THREAD")
	fi
}

# ipi_stall CONSOLE: succeed, and say why, when the guest kernel reported
# a soft lockup with the stuck CPU in smp_call_function_many_cond(): a
# cross-call that the other CPU never ran (see vm.sh, "stopped").
ipi_stall() {
	awk '/watchdog: BUG: soft lockup/ { n = NR; what = $0; sub(/^.*BUG: /, "", what) }
		n && NR - n <= 6 && /RIP: [0-9a-f]+:smp_call_function_many_cond\+/ {
			print "the guest kernel reported \"" what "\", spinning in smp_call_function_many_cond(): an IPI the other vCPU never ran"
			found = 1; exit }
		END { exit !found }' "$1" 2>/dev/null
}

# emulator_crash CONSOLE: succeed, and say why, when the guest kernel died
# of one of the two crashes that multi-threaded TCG (QEMU 7.2) causes and
# no code of ours can:
# - an int3 trap where memory holds no int3: the oops's "Code:" line
#   (memory at the time of the oops) has another byte than 0xcc just
#   before the trapping RIP.  text_poke_bp() had finished patching that
#   site (int3, then the new bytes, each step synced on every CPU), and a
#   vCPU still ran a stale translation of it.  Seen in core text
#   (ttwu_do_activate, run_timer_softirq), before and after our module
#   was loaded;
# - a double fault that is not a stack overflow (the kernel says "stack
#   guard page was hit" for that one), seen with garbage in EFLAGS.
# See README, Known limits.
emulator_crash() {
	awk 'function stale(code,   b) {
			# the byte before "<": the int3 the CPU trapped on
			if (!match(code, /[0-9a-f][0-9a-f] <[0-9a-f][0-9a-f]>/))
				return ""
			b = substr(code, RSTART, 2)
			return b == "cc" ? "" : b
		}
		/stack guard page was hit/ { guard = 1 }
		/(Oops: )?int3: [0-9a-f]+ \[#[0-9]+\]/ { n = NR; rip = "" }
		n && NR - n <= 12 && rip == "" && /RIP: [0-9a-f]+:/ {
			rip = $0; sub(/^.*RIP: [0-9a-f]+:/, "", rip); sub(/ .*/, "", rip) }
		n && NR - n <= 12 && /Code: / {
			if ((b = stale($0)) != "") {
				print "the guest kernel trapped on an int3 at " rip " where memory holds 0x" b ": a stale TCG translation of patched text"
				found = 1; exit }
			n = 0 }
		/PANIC: double fault|Oops: double fault/ { dbl = 1 }
		END {
			if (!found && dbl && !guard) {
				print "the guest kernel took a double fault that is no stack overflow"
				found = 1 }
			exit !found }' "$1" 2>/dev/null
}

# build_test_kselftest SRC_TREE DIR: the kselftest with the test-only fail
# test (tests/patches/test-fail-kselftest.patch), from a patched copy in
# DIR, built as its Makefile builds it (-O2 -Wall -Wextra) into
# DIR/nvme_dbbuf_test.  The posted kselftest has no fail test: it needs
# the test build's dbbuf_test_misalign.  Output goes to stderr; fails on
# a patch that does not apply, a build error or a warning.
build_test_kselftest() {
	local src=$1/tools/testing/selftests dir=$2
	rm -rf "$dir" && mkdir -p "$dir/nvme-dbbuf" &&
		cp "$src/kselftest.h" "$dir/" &&
		cp "$src/nvme-dbbuf/nvme_dbbuf_test.c" "$dir/nvme-dbbuf/" &&
		(cd "$dir/nvme-dbbuf" && patch -s -p5 < "$TOP/tests/patches/test-fail-kselftest.patch") >&2 &&
		gcc -O2 -Wall -Wextra -o "$dir/nvme_dbbuf_test" \
			"$dir/nvme-dbbuf/nvme_dbbuf_test.c" 2> "$dir/gcc.log" &&
		! grep -q 'warning:' "$dir/gcc.log"
	local rc=$?
	cat "$dir/gcc.log" >&2 2>/dev/null
	return $rc
}
