#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's 7.x debug test kernel from Debian's source: the
# newest linux-source-7.N of trixie-backports, configured from tinyconfig,
# kvm_guest.config and tests/kernel/debug.config (KASAN, lockdep,
# kmemleak, DMA-API debugging, fault injection; NVMe as modules), built
# out of tree with ccache and installed as a tree shaped like Debian's
# unpacked image, so that the other scripts can boot it and build modules
# against it.
#
#   kernel.sh          fetch, unpack, configure, build and install (a
#                      build of the same source and fragment is reused)
#   kernel.sh config   stop after the configuration is made and checked
#   kernel.sh probe    boot the built kernel in QEMU (TCG) into a busybox
#                      initramfs and check that the debug facilities
#                      announced themselves
#
# Results: build/kernel-7.env (KSRC_FULL KOBJ KVER DEBVER SRCPKG LINUXVER
# IMAGE), the build log build/kernel-<DEBVER>/build.log, the probe's
# console build/kernel-<DEBVER>/probe.log.
#
#   PROBE_TIMEOUT=sec  hard limit for the probe boot (default 300)

set -euo pipefail
. "$(dirname "$0")/lib.sh"

MODE=${1:-build}
case $MODE in
build|config|probe) ;;
*) die "usage: kernel.sh [build|config|probe]" ;;
esac

FRAGMENT=$TOP/tests/kernel/debug.config
DEBS=$BUILD/debs
ENV_OUT=$BUILD/kernel-7.env
[ -f "$FRAGMENT" ] || die "no Kconfig fragment $FRAGMENT"

# The probe needs only what a build left behind.
if [ "$MODE" = probe ]; then
	[ -f "$ENV_OUT" ] || die "no ${ENV_OUT#$TOP/}: run scripts/kernel.sh first"
	# shellcheck disable=SC1090
	. "$ENV_OUT"
fi

# Upstream version (x.y.z) of a kernel Makefile.
mk_version() {
	awk -F' = ' '/^VERSION =/{v=$2} /^PATCHLEVEL =/{p=$2}
		/^SUBLEVEL =/{s=$2} END{if (v != "") print v "." p "." s}' "$1"
}

# ---------------------------------------------------------------------------
# The source: newest linux-source-7.N, unpacked once.

fetch_source() {
	local out deb
	need_pkgs xz-utils python3
	papt_init trixie-backports
	out=$("$TOP/scripts/debian-pick.py" pick 7 source "$PAPT_LISTING") ||
		die "trixie-backports has no usable linux-source-7.N (see above)"
	eval "$out"
	SRCPKG=$DEB_SOURCE
	DEBVER=$DEB_VERSION
	mkdir -p "$DEBS"
	deb=$(ls "$DEBS/${SRCPKG}_${DEBVER//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		say "downloading $SRCPKG $DEBVER (about 170 MB)"
		(cd "$DEBS" && apt-get "${PAPT_OPTS[@]}" download -qq "$SRCPKG=$DEBVER" >&2) ||
			die "cannot download $SRCPKG $DEBVER from trixie-backports"
		deb=$(ls "$DEBS/${SRCPKG}_${DEBVER//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		[ -n "$deb" ] || die "apt-get download left no $SRCPKG .deb in ${DEBS#$TOP/}"
	fi

	KSRC_FULL=$BUILD/base/$DEBVER/linux
	local stamp=$BUILD/base/$DEBVER/.linux-done
	if [ "$(cat "$stamp" 2>/dev/null)" != "$(basename "$deb")" ] ||
	   [ ! -f "$KSRC_FULL/Makefile" ]; then
		say "unpacking the whole $SRCPKG $DEBVER into ${KSRC_FULL#$TOP/} (1.8 GB, about 30 s)"
		rm -rf "$KSRC_FULL" "$KSRC_FULL.tmp" "$stamp"
		mkdir -p "$KSRC_FULL.tmp"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$SRCPKG.tar.xz" |
			xz -dc -T0 |
			tar -x -C "$KSRC_FULL.tmp" --strip-components=1 ||
			die "unpacking $deb failed"
		[ -f "$KSRC_FULL.tmp/Makefile" ] ||
			die "$deb holds no kernel tree in usr/src/$SRCPKG.tar.xz"
		mv "$KSRC_FULL.tmp" "$KSRC_FULL"
		basename "$deb" > "$stamp"
	fi
	LINUXVER=$(mk_version "$KSRC_FULL/Makefile")
	case $LINUXVER in
	7.*) ;;
	*) die "$SRCPKG $DEBVER unpacked to a Linux $LINUXVER tree, not 7.x" ;;
	esac
}

# ---------------------------------------------------------------------------
# Configuration.

# Why olddefconfig dropped CONFIG_$1: the "depends on" of its Kconfig
# entry, and which of the symbols named there are off in the .config.
kconfig_why() {
	local sym=$1 files deps off t
	files=$(grep -rlE --include='Kconfig*' "^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*$" \
		"$KSRC_FULL" 2>/dev/null | grep -v -e '/arch/' -e '/tools/' || true)
	files+=" "$(grep -rlE --include='Kconfig*' "^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*$" \
		"$KSRC_FULL/arch/x86" 2>/dev/null || true)
	[ -n "${files// /}" ] || { echo "no such Kconfig symbol in $LINUXVER"; return; }
	# shellcheck disable=SC2086
	deps=$(awk -v sym="$sym" '
		$1 ~ /^(menu)?config$/ { inside = ($2 == sym); next }
		/^[[:space:]]*(choice|endchoice|menu|endmenu|if|endif|source|comment)([[:space:]]|$)/ { inside = 0 }
		inside && $1 == "depends" && $2 == "on" {
			sub(/^[[:space:]]*depends[[:space:]]+on[[:space:]]+/, ""); printf "%s%s", sep, $0; sep = " && "
		}
		inside && ($1 == "bool" || $1 == "tristate") && NF == 1 { noprompt = 1 }
		END { if (noprompt) printf "%s(no prompt: only selected by others)", sep }' $files)
	off=
	for t in $(echo "$deps" | grep -oE '\b[A-Z][A-Z0-9_]+\b' | sort -u); do
		grep -qE "^CONFIG_$t=[ym]" "$OBJ/.config" || off+=" $t"
	done
	echo "depends on ${deps:-nothing}${off:+; off here:$off}"
}

# Every CONFIG_X=VALUE of the fragment must be in the final .config, and
# every "# CONFIG_X is not set" must stay off.
verify_config() {
	local line sym val bad=0 want
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
			grep -qxF "CONFIG_$sym=$val" "$OBJ/.config" && continue
			want=$(grep -E "^(# )?CONFIG_$sym[= ]" "$OBJ/.config" || true)
			printf 'error: CONFIG_%s=%s was dropped (the .config has: %s): %s\n' \
				"$sym" "$val" "${want:-nothing}" "$(kconfig_why "$sym")" >&2
			bad=1
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set ]]; then
			sym=${BASH_REMATCH[1]}
			grep -qE "^CONFIG_$sym=" "$OBJ/.config" || continue
			printf 'error: CONFIG_%s should be off, but the .config has %s (something selects it)\n' \
				"$sym" "$(grep -E "^CONFIG_$sym=" "$OBJ/.config")" >&2
			bad=1
		fi
	done < "$FRAGMENT"
	[ $bad -eq 0 ] || die "olddefconfig did not keep tests/kernel/debug.config (see above); fix the fragment"
}

make_config() {
	local key=$1
	if [ "$(cat "$OBJ/.config-key" 2>/dev/null)" = "$key" ] && [ -f "$OBJ/.config" ]; then
		return 0
	fi
	say "configuring $LINUXVER: tinyconfig + kvm_guest.config + ${FRAGMENT#$TOP/}"
	mkdir -p "$OBJ"
	rm -f "$OBJ/.config-key"
	{
		"${MAKE[@]}" tinyconfig &&
		"${MAKE[@]}" kvm_guest.config &&
		(cd "$KSRC_FULL" && scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT") &&
		"${MAKE[@]}" olddefconfig
	} > "$KDIR_BUILD/config.log" 2>&1 || {
		tail -n 30 "$KDIR_BUILD/config.log" >&2
		die "configuring the kernel failed (log: ${KDIR_BUILD#$TOP/}/config.log)"
	}
	verify_config
	echo "$key" > "$OBJ/.config-key"
}

# ---------------------------------------------------------------------------
# The build, with a line of progress at least every 30 s.

run_build() {
	local log=$KDIR_BUILD/build.log pid rc n start=$SECONDS last=$SECONDS
	say "building bzImage and modules with -j$(nproc) (log: ${log#$TOP/})"
	"${MAKE[@]}" -j"$(nproc)" bzImage modules > "$log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; exit 130' INT TERM
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		if [ $((SECONDS - last)) -ge 30 ]; then
			last=$SECONDS
			n=$(grep -cE '^  (CC|AS) ' "$log" || true)
			say "build: $n objects, $((SECONDS - start)) s"
		fi
	done
	wait $pid && rc=0 || rc=$?
	trap - INT TERM
	n=$(grep -cE '^  (CC|AS) ' "$log" || true)
	if [ $rc -ne 0 ]; then
		tail -n 40 "$log" >&2
		die "the kernel build failed after $((SECONDS - start)) s (exit $rc; full log: ${log#$TOP/})"
	fi
	BUILD_SECS=$((SECONDS - start))
	say "build: done, $n objects, $BUILD_SECS s"
}

# An external module must build against the obj dir (KDIR for the series'
# nvme.ko).
check_external() {
	local dir
	"${MAKE[@]}" -s modules_prepare >> "$KDIR_BUILD/build.log" 2>&1 ||
		die "make modules_prepare failed (see ${KDIR_BUILD#$TOP/}/build.log)"
	dir=$(mktemp -d)
	printf '#include <linux/module.h>\nstatic int __init t_init(void) { return 0; }\nmodule_init(t_init);\nMODULE_LICENSE("GPL");\n' \
		> "$dir/kdirtest.c"
	echo 'obj-m := kdirtest.o' > "$dir/Kbuild"
	make -C "$OBJ" M="$dir" CC="ccache gcc" modules > "$dir/log" 2>&1 && [ -f "$dir/kdirtest.ko" ] || {
		tail -n 20 "$dir/log" >&2
		rm -rf "$dir"
		die "an external module does not build against ${OBJ#$TOP/} (make -C OBJ M=dir modules)"
	}
	rm -rf "$dir"
}

install_image() {
	IMAGE=$BUILD/base/image-$KVER
	say "installing $KVER into ${IMAGE#$TOP/}"
	rm -rf "$IMAGE"
	mkdir -p "$IMAGE/boot"
	cp "$OBJ/arch/x86/boot/bzImage" "$IMAGE/boot/vmlinuz-$KVER"
	cp "$OBJ/.config" "$IMAGE/boot/config-$KVER"
	cp "$OBJ/System.map" "$IMAGE/boot/System.map-$KVER"
	"${MAKE[@]}" -s modules_install INSTALL_MOD_PATH="$IMAGE" DEPMOD=/bin/true \
		>> "$KDIR_BUILD/build.log" 2>&1 ||
		die "make modules_install failed (see ${KDIR_BUILD#$TOP/}/build.log)"
	depmod -b "$IMAGE" "$KVER" || die "depmod -b ${IMAGE#$TOP/} $KVER failed"
	[ -f "$IMAGE/lib/modules/$KVER/kernel/drivers/nvme/host/nvme.ko" ] ||
		die "the installed tree has no drivers/nvme/host/nvme.ko"
}

write_env() {
	local v
	{
		echo "# scripts/kernel.sh: the 7.x debug test kernel"
		for v in KSRC_FULL KOBJ KVER DEBVER SRCPKG LINUXVER IMAGE; do
			printf '%s=%q\n' "$v" "${!v}"
		done
	} > "$ENV_OUT.tmp"
	mv "$ENV_OUT.tmp" "$ENV_OUT"
	grep -v '^#' "$ENV_OUT"
}

# ---------------------------------------------------------------------------
# The probe: boot into busybox and look at what the kernel announced.

probe() {
	local dir log rc order m found missing=() t0
	need_pkgs qemu-system-x86 busybox-static cpio kmod
	[ -f "$IMAGE/boot/vmlinuz-$KVER" ] || die "no ${IMAGE#$TOP/}/boot/vmlinuz-$KVER: run scripts/kernel.sh first"
	dir=$(mktemp -d)
	log=$BUILD/kernel-$DEBVER/probe.log
	mkdir -p "$dir/root/bin" "$dir/root/proc" "$dir/root/sys" "$dir/root/dev" "$dir/root/mod"
	cp /bin/busybox "$dir/root/bin/busybox"
	# nvme.ko and what it needs, in load order (busybox insmod resolves
	# nothing).
	order=$(modprobe -d "$IMAGE" -S "$KVER" --show-depends nvme | awk '$1 == "insmod" {print $2}') ||
		die "modprobe --show-depends nvme failed on ${IMAGE#$TOP/}"
	for m in $order; do
		cp "$m" "$dir/root/mod/"
		echo "$(basename "$m")" >> "$dir/root/mod/order"
	done
	cat > "$dir/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "PROBE: init reached, $(uname -r)"
mount -t debugfs debugfs /sys/kernel/debug && echo "PROBE: debugfs mounted"
mount -t tracefs tracefs /sys/kernel/tracing && echo "PROBE: tracefs mounted"
[ -d /sys/kernel/debug/fail_make_request ] && echo "PROBE: fail_make_request present"
[ -f /sys/kernel/debug/kmemleak ] && echo "PROBE: kmemleak file present"
for m in $(cat /mod/order); do
	insmod /mod/$m || echo "PROBE: insmod $m failed"
done
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
[ -b /dev/nvme0n1 ] && echo "PROBE: nvme0n1 present"
[ -d /sys/kernel/tracing/events/nvme ] &&
	echo "PROBE: nvme tracepoints: $(ls /sys/kernel/tracing/events/nvme | grep -vc -e enable -e filter)"
f=$(ls -d /sys/kernel/debug/nvme*/fault_inject 2>/dev/null | head -n1)
[ -n "$f" ] && echo "PROBE: nvme fault injection at $f"
dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=256 iflag=direct 2>/dev/null && echo "PROBE: direct read ok"
rmmod nvme && echo "PROBE: rmmod nvme ok"
echo PROBE: done
poweroff -f
EOF
	chmod +x "$dir/root/init"
	(cd "$dir/root" && find . | cpio -o -H newc --quiet) > "$dir/initrd"
	local bios=()
	[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
	say "probe: booting $KVER under TCG (at most ${PROBE_TIMEOUT:-300} s; console: ${log#$TOP/})"
	t0=$SECONDS
	(timeout -k 5 "${PROBE_TIMEOUT:-300}" qemu-system-x86_64 -machine q35 -accel tcg "${bios[@]}" \
		-smp 2 -m 1G -nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$IMAGE/boot/vmlinuz-$KVER" -initrd "$dir/initrd" \
		-blockdev driver=null-co,node-name=nvm,size=67108864,read-zeroes=on \
		-device nvme,serial=probe0001,drive=nvm \
		-append "console=ttyS0 loglevel=8 panic=-1" </dev/null; exit $?) 2>&1 |
		sed -u 's/\r//g' > "$log" && rc=0 || rc=$?
	rm -rf "$dir"
	say "probe: QEMU exited after $((SECONDS - t0)) s (status $rc)"

	# What must show up on the console.
	local want=(
		"PROBE: init reached"
		"Lock dependency validator"
		"KernelAddressSanitizer initialized"
		"Kernel memory leak detector initialized"
		"DMA-API: debugging enabled"
		"PROBE: debugfs mounted"
		"PROBE: tracefs mounted"
		"PROBE: fail_make_request present"
		"PROBE: kmemleak file present"
		"PROBE: nvme0n1 present"
		"PROBE: nvme tracepoints"
		"PROBE: nvme fault injection"
		"PROBE: direct read ok"
		"PROBE: rmmod nvme ok"
		"PROBE: done"
	)
	for m in "${want[@]}"; do
		found=$(grep -m1 -F "$m" "$log" || true)
		if [ -n "$found" ]; then
			printf 'probe: ok      %s\n' "$found"
		else
			printf 'probe: MISSING %s\n' "$m"
			missing+=("$m")
		fi
	done
	# A debug kernel that splats on a plain boot is of no use: lockdep
	# turns itself off after its first report.
	local splat
	splat=$(grep -E -m5 'BUG:|WARNING:|Oops|possible recursive locking|circular locking|KASAN:|kmemleak: .*new suspected|Kernel panic|PROBE: insmod' "$log" || true)
	if [ -n "$splat" ]; then
		printf 'probe: REPORT  %s\n' "$splat"
		missing+=("a clean boot")
	fi
	[ ${#missing[@]} -eq 0 ] ||
		die "probe failed: ${#missing[@]} check(s) failed (console: ${log#$TOP/})"
	say "probe passed"
}

if [ "$MODE" = probe ]; then
	probe
	exit 0
fi

# ---------------------------------------------------------------------------
# build / config

fetch_source
need_pkgs flex bison libelf-dev libssl-dev bc cpio ccache gcc make python3 kmod
KDIR_BUILD=$BUILD/kernel-$DEBVER
OBJ=$KDIR_BUILD/obj
KOBJ=$OBJ
mkdir -p "$KDIR_BUILD" "$BUILD/ccache"
export CCACHE_DIR=$BUILD/ccache CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-6G}
MAKE=(make -C "$KSRC_FULL" O="$OBJ" CC="ccache gcc")

# What the build depends on besides the tree: the fragment and the
# compiler.
KEY="$DEBVER $(sha256sum < "$FRAGMENT" | cut -c1-16) $(gcc -dumpfullversion)"
make_config "$KEY"
# kernelrelease reads CONFIG_LOCALVERSION from include/config/auto.conf,
# which only syncconfig (or the build) writes.
"${MAKE[@]}" -s syncconfig > "$KDIR_BUILD/syncconfig.log" 2>&1 || {
	tail -n 20 "$KDIR_BUILD/syncconfig.log" >&2
	die "make syncconfig failed"
}
KVER=$("${MAKE[@]}" -s kernelrelease)
LOCALVERSION=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$OBJ/.config")
[ "$KVER" = "$LINUXVER$LOCALVERSION" ] ||
	die "make kernelrelease printed '$KVER', not $LINUXVER$LOCALVERSION"
if [ "$MODE" = config ]; then
	say "configured $KVER in ${OBJ#$TOP/}"
	exit 0
fi

IMAGE=$BUILD/base/image-$KVER
if [ "$(cat "$KDIR_BUILD/built.key" 2>/dev/null)" = "$KEY" ] &&
   [ -f "$IMAGE/boot/vmlinuz-$KVER" ] && [ -f "$OBJ/Module.symvers" ]; then
	say "$KVER is built already from $SRCPKG $DEBVER and this fragment: nothing to do"
else
	rm -f "$KDIR_BUILD/built.key"
	run_build
	check_external
	install_image
	echo "$KEY" > "$KDIR_BUILD/built.key"
	say "built $KVER in $BUILD_SECS s"
fi
write_env
