#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's matching kernel in QEMU with an emulated NVMe controller and
# run a guest script.  The initramfs holds busybox, fio, nvme-cli, the
# stock modules nvme.ko needs, Debian's stock nvme.ko and ours.
#
# usage: vm.sh [options] GUEST_SCRIPT [FILE...]
#   --drive null|file   backend: null-co (fast, discards data) or a raw
#                       file on tmpfs (default: null)
#   --size SIZE         drive size (default 1G)
#   --drive2 null|file  a second NVMe controller (serial dbbuf0002) with
#                       this backend; the first keeps serial dbbuf0001
#   --size2 SIZE        the second drive's size (default: --size)
#   --queues N          I/O queue pairs the controller offers (max_ioqpairs)
#   --mqes N            maximum queue entries, zero-based (default QEMU's)
#   --msix N            MSI-X vectors the controller offers (msix_qsize)
#   --append ARGS       more guest kernel command line (e.g. possible_cpus=N)
#   --smp N --mem SIZE  guest CPUs (default 2) and memory (default 1G)
#   --trace FILE        log QEMU's doorbell trace events to FILE
#   --trace-events LIST with --trace: the events to log, comma-separated
#                       (default: the doorbell, Doorbell Buffer Config
#                       and Get Features events)
#   --timeout SEC       hard limit for the whole boot (default 900)
#   VM_IDLE_LIMIT=SEC   a QEMU that uses no CPU time for this long (default
#                       120; 0: never) has stopped: see "stopped" below
#   VM_RETRIES=N        boots lost to the emulator booted again (default 2)
#   --log FILE          where the console goes (default build/vm/console.log)
#   --module FILE       our nvme.ko (default build/modules/<KVER>/nvme.ko)
#   --env NAME=VALUE    a variable for the guest script (repeatable)
#   FILE...             extra files for the guest, put in /test/
# Exits with the guest script's status; 124 when the guest hung, 126 when
# QEMU stopped in every boot.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

DRIVE=null SIZE=1G QUEUES= MQES= MSIX= APPEND= SMP=2 MEM=1G TRACE= TIMEOUT=900
DRIVE2= SIZE2= TRACE_EVENTS=pci_nvme_mmio_doorbell_sq,pci_nvme_mmio_doorbell_cq,pci_nvme_dbbuf_config,pci_nvme_getfeat
LOG= MODULE= ENVS=()
while [ $# -gt 0 ]; do
	case $1 in
	--drive) DRIVE=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	--drive2) DRIVE2=$2; shift 2 ;;
	--size2) SIZE2=$2; shift 2 ;;
	--trace-events) TRACE_EVENTS=$2; shift 2 ;;
	--queues) QUEUES=$2; shift 2 ;;
	--mqes) MQES=$2; shift 2 ;;
	--msix) MSIX=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--trace) TRACE=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	--module) MODULE=$2; shift 2 ;;
	--env) ENVS+=("$2"); shift 2 ;;
	-*) die "vm.sh: unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "usage: vm.sh [options] GUEST_SCRIPT [FILE...]"
SCRIPT=$1
shift
[ -f "$SCRIPT" ] || die "no guest script $SCRIPT"

load_base
need_image
[ -n "$IMAGE" ] || die "the target $KVER is not a Debian ABI with a linux-image package; the guest needs one (BASE=6.12 or BASE=6.1, without KDIR=)"
need_pkgs qemu-system-x86 busybox-static fio nvme-cli cpio kmod xz-utils
MODULE=${MODULE:-$BUILD/modules/$KVER/nvme.ko}
[ -f "$MODULE" ] || "$TOP/scripts/modules.sh"

VM=$BUILD/vm
mkdir -p "$VM"
LOG=${LOG:-$VM/console.log}

# --- the modules nvme.ko needs ----------------------------------------------
MODROOT=$IMAGE/lib/modules/$KVER
# The module file of NAME in the image (- and _ are the same), or nothing.
mod_file() {
	find "$MODROOT/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o \
		-name "$1.ko.zst" -o -name "${1//-/_}.ko*" -o -name "${1//_/-}.ko*" \) |
		head -n1
}
# mod_order NAME: NAME and the modules it needs, dependencies first:
# modinfo's depends, its softdep pre: modules, and the crypto module that
# implements the algorithm of its name, which its init asks for
# (crc64-rocksoft: crc64_rocksoft_generic); an alias resolves through the
# image's modules.alias (to the _generic module where there is one), and
# builtin modules are skipped.
declare -A MOD_SEEN
MOD_ORDER=()
mod_visit() {
	local m=$1 f d alts
	[ -n "${MOD_SEEN[$m]:-}" ] && return 0
	MOD_SEEN[$m]=1
	f=$(mod_file "$m")
	if [ -z "$f" ]; then
		grep -qE "/(${m}|${m//-/_}|${m//_/-})\.ko\$" "$MODROOT/modules.builtin" && return 0
		alts=$(awk -v a="$m" '$1 == "alias" && $2 == a { print $3 }' "$MODROOT/modules.alias")
		if echo "$alts" | grep -q '_generic$'; then
			alts=$(echo "$alts" | grep '_generic$')
		fi
		for d in $alts; do mod_visit "$d"; done
		return 0
	fi
	for d in $(modinfo -F depends "$f" | tr ',' ' ') \
		 $(modinfo -F softdep "$f" | sed -n 's/.*pre: *\([^:]*\)\( post:.*\)\{0,1\}$/\1/p') \
		 "crypto-$(basename "${f%%.ko*}")"; do
		mod_visit "$d"
	done
	MOD_ORDER+=("$(basename "${f%%.ko*}")")
}
mod_order() {
	# The image package has no modules.alias: depmod makes it.
	[ -f "$MODROOT/modules.alias" ] || depmod -b "$IMAGE" "$KVER" ||
		die "depmod -b $IMAGE $KVER failed"
	MOD_SEEN=() MOD_ORDER=()
	mod_visit "$1"
	echo "${MOD_ORDER[*]}"
}

# --- the base initramfs, cached per kernel ----------------------------------
base_cpio=$VM/base-$KVER.cpio
stamp=$(cat "$TOP/scripts/guest/init" "$TOP/scripts/guest/lib.sh" "$0" |
	md5sum | cut -c1-12)
if [ ! -f "$base_cpio" ] || [ "$(cat "$base_cpio.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "building the guest initramfs (busybox, fio, nvme-cli, modules of $KVER)"
	root=$VM/root-$KVER
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,test,lib/modules/ours,lib/modules/$KVER,usr/bin,usr/sbin}
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
	done
	for b in /usr/bin/fio /usr/sbin/nvme; do
		cp "$b" "$root$b"
		for l in $(ldd "$b" | awk '/=>/{print $3} /^\t\/lib/{print $1}'); do
			[ -e "$root$l" ] || cp -L --parents "$l" "$root/"
		done
	done
	ld=$(ldd /usr/bin/fio | awk '/ld-linux/{print $1}')
	cp -L --parents "$ld" "$root/"
	[ -e "$root/lib64" ] || ln -s lib "$root/lib64" 2>/dev/null || true
	# nvme.ko and what it needs, in load order, from the image's own
	# module information; busybox's insmod resolves nothing and takes
	# only uncompressed modules (6.12's image has .ko.xz).
	mods=$(mod_order nvme)
	[ -n "$mods" ] && [ "${mods##* }" = nvme ] ||
		die "cannot find nvme.ko and its dependencies in the image of $KVER"
	for m in $mods; do
		f=$(mod_file "$m")
		case $f in
		*.ko) cp "$f" "$root/lib/modules/$KVER/$m.ko" ;;
		*.ko.xz) xz -dc "$f" > "$root/lib/modules/$KVER/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" > "$root/lib/modules/$KVER/$m.ko" ;;
		esac
	done
	cp "$TOP/scripts/guest/init" "$root/init"
	chmod +x "$root/init"
	cp "$TOP/scripts/guest/lib.sh" "$root/lib/guest-lib.sh"
	printf 'KVER=%s\nDEPS="%s"\n' "$KVER" "${mods% nvme}" > "$root/etc/guest.env"
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$base_cpio"
	echo "$stamp" > "$base_cpio.stamp"
fi

# --- this run's files -------------------------------------------------------
run=$(mktemp -d "$VM/run.XXXXXX")
trap 'rm -rf "$run"' EXIT
mkdir -p "$run/root/lib/modules/ours" "$run/root/test" "$run/root/etc"
printf '%s\n' "${ENVS[@]}" > "$run/root/etc/run.env"
cp "$SCRIPT" "$run/root/guest.sh"
cp "$MODULE" "$run/root/lib/modules/ours/nvme.ko"
for f in "$@"; do cp -a "$f" "$run/root/test/"; done
(cd "$run/root" && find . | cpio -o -H newc --quiet) > "$run/extra.cpio"
cat "$base_cpio" "$run/extra.cpio" > "$run/initrd"

# --- QEMU -------------------------------------------------------------------
imgs=()
# backend N KIND SIZE NODE: the -blockdev argument for drive N ("" or 2).
backend() {
	local bytes img
	bytes=$(numfmt --from=iec "$3") || die "--size$1 $3 is not a size"
	case $2 in
	null)
		blockdev="driver=null-co,node-name=$4,size=$bytes,read-zeroes=on" ;;
	file)
		img=$(mktemp /dev/shm/nvme-dbbuf.XXXXXX.img)
		imgs+=("$img")
		trap 'rm -rf "$run" "${imgs[@]}"' EXIT
		truncate -s "$3" "$img"
		blockdev="driver=raw,node-name=$4,file.driver=file,file.filename=$img" ;;
	*) die "--drive$1 must be null or file" ;;
	esac
}
# nvme_dev SERIAL NODE: the -device argument for one controller.
nvme_dev() {
	dev="nvme,serial=$1,drive=$2"
	[ -z "$QUEUES" ] || dev+=",max_ioqpairs=$QUEUES"
	[ -z "$MSIX" ] || dev+=",msix_qsize=$MSIX"
	if [ -n "$MQES" ]; then
		qemu-system-x86_64 -device nvme,help 2>/dev/null | grep -qw mqes ||
			die "--mqes: this QEMU ($(qemu-system-x86_64 --version | head -n1)) has no nvme 'mqes' property; shrink the queues from the guest with nvme.io_queue_depth instead"
		dev+=",mqes=$MQES"
	fi
}
backend "" "$DRIVE" "$SIZE" nvm
nvme_dev dbbuf0001 nvm
drives=(-blockdev "$blockdev" -device "$dev")
if [ -n "$DRIVE2" ]; then
	SIZE2=${SIZE2:-$SIZE}
	backend 2 "$DRIVE2" "$SIZE2" nvm2
	nvme_dev dbbuf0002 nvm2
	drives+=(-blockdev "$blockdev" -device "$dev")
fi

pick_accel
accel=("${ACCEL_ARGS[@]}")
trace=()
if [ -n "$TRACE" ]; then
	: > "$TRACE"
	for e in ${TRACE_EVENTS//,/ }; do
		trace+=(-trace "enable=$e")
	done
	trace+=(-D "$TRACE")
fi

say "booting $KVER under QEMU ($ACCEL: $ACCEL_WHY; $SMP CPUs, $DRIVE drive $SIZE${DRIVE2:+ + $DRIVE2 drive ${SIZE2}}${QUEUES:+, $QUEUES queues}${MSIX:+, $MSIX MSI-X vectors}${MQES:+, mqes $MQES}${APPEND:+, kernel: $APPEND}); console: ${LOG#$TOP/}"
echo "VM-ACCEL $ACCEL ($ACCEL_WHY)" > "$LOG"
set +e
# qboot: a minimal firmware that boots -kernel directly.  Unlike SeaBIOS it
# does not probe (and enable) the NVMe controller before Linux does, so the
# trace holds only the guest driver's controller enables; it is faster too.
bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
# A stopped QEMU: no CPU time at all, in any thread, for VM_IDLE_LIMIT
# seconds.  A live guest kernel always has a timer to serve (its
# watchdogs' fire every few seconds, on every CPU), whatever its driver
# does; a deadlocked one too.  So this is the emulator: under QEMU 7.2's
# multi-threaded TCG both vCPUs have been seen halted for good, no timer
# interrupt delivered, right after a driver reload
# (results/tcg-hangs-2026-12-03/).  The watchdog kills such a QEMU, and
# leaves a mark for the caller.
#
# The other form of the same lost wake-up: one vCPU spins in
# smp_call_function_many_cond(), waiting for the other, halted, to run
# its IPI (the kernel's soft-lockup report says so, every 20-30 s); QEMU
# is busy then, so the CPU-time watch above never fires.  Under TCG only,
# that report is taken for the emulator too (ipi_stall in lib.sh).  A
# driver that really held a CPU with interrupts off would stall the same
# way on the second boot, and fail it.
IDLE_LIMIT=${VM_IDLE_LIMIT:-120}
[[ $IDLE_LIMIT =~ ^[0-9]+$ ]] || die "VM_IDLE_LIMIT=$IDLE_LIMIT: must be whole seconds"
idle_watch() {	# idle_watch PIDFILE MARK
	local pid= t last= still=0 why
	while [ -z "$pid" ]; do
		sleep 1
		pid=$(cat "$1" 2>/dev/null) || pid=
	done
	while [ -r "/proc/$pid/stat" ]; do
		# utime + stime, fields 14 and 15, after the command name
		t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || break
		[ -n "$t" ] || break
		if [ "$t" = "$last" ]; then
			still=$((still + 5))
		else
			still=0 last=$t
		fi
		if [ "$still" -ge "$IDLE_LIMIT" ]; then
			echo "QEMU (pid $pid) used no CPU time for $still s" > "$2"
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		if [ "$ACCEL" = tcg ] && why=$(ipi_stall "$LOG"); then
			echo "$why" > "$2"
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 5
	done
}
boot_qemu() {
	local watcher=
	rm -f "$run/qemu.pid" "$run/stopped"
	if [ "$IDLE_LIMIT" -gt 0 ]; then
		idle_watch "$run/qemu.pid" "$run/stopped" &
		watcher=$!
	fi
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -machine q35 "${accel[@]}" "${bios[@]}" \
		-pidfile "$run/qemu.pid" \
		-smp "$SMP" -m "$MEM" -nographic -no-reboot -nodefaults \
		-serial stdio -kernel "$IMAGE/boot/vmlinuz-$KVER" -initrd "$run/initrd" \
		-append "console=ttyS0 loglevel=8 panic=-1 oops=panic${APPEND:+ $APPEND}" \
		"${drives[@]}" "${trace[@]}" \
		< /dev/null 2>&1 | sed -u 's/\r//g' | tee -a "$LOG" |
		sed -u -e '/^FIO-JSON-BEGIN/,/^FIO-JSON-END/d' -e 's/\x1b[[0-9;?]*[a-zA-Z]//g' \
			-e '/^\x1bc/d' -e 's/^/  | /' >&2
	qrc=${PIPESTATUS[0]}
	[ -z "$watcher" ] || { kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; }
}
boot_qemu
# A boot that tested nothing of ours, for one of the emulator's faults
# below, is booted again, from the start, its console kept and the retry
# said in the new one (a VM-RETRY line, which the callers report as a
# skip), up to VM_RETRIES times (default 2).  A fault in the boot after
# the last retry fails it: a stop with 126, a crash with 125 (no result).
# A driver's fault, unlike the emulator's, comes back every time.
# - A stopped QEMU (above).
# - A guest kernel that dies before its /init has run (under TCG, now
#   and then, an oops in early boot code, before any module is loaded).
#   A guest that reached /init ("guest: Linux ...") is not, unless:
# - under TCG, the guest kernel died of a crash that multi-threaded TCG
#   causes and no code of ours can (emulator_crash in lib.sh: an int3
#   trap where memory holds no int3, or a double fault that is no stack
#   overflow).
RETRIES=${VM_RETRIES:-2}
[[ $RETRIES =~ ^[0-9]+$ ]] || die "VM_RETRIES=$RETRIES: must be a whole number"
tries=0
while :; do
	retry= keep=
	if [ -f "$run/stopped" ]; then
		retry="QEMU stopped in boot $((tries + 1)): $(cat "$run/stopped")" keep=stopped
	elif [ "$qrc" -ne 124 ] && [ "$qrc" -ne 137 ] && ! grep -q '^GUEST-EXIT ' "$LOG"; then
		if ! grep -q '^guest: Linux ' "$LOG"; then
			retry="the guest kernel died before /init ran in boot $((tries + 1)) (QEMU exit $qrc)" keep=died-before-init
		elif [ "$ACCEL" = tcg ] && why=$(emulator_crash "$LOG"); then
			retry="the guest kernel died in boot $((tries + 1)): $why" keep=crashed
		fi
	fi
	[ -n "$retry" ] && [ "$tries" -lt "$RETRIES" ] || break
	tries=$((tries + 1))
	[ "$tries" -eq 1 ] || keep=$keep.$tries
	prev=$(grep '^VM-RETRY ' "$LOG")
	cp "$LOG" "$LOG.$keep"
	echo "vm: $retry; console kept in ${LOG#$TOP/}.$keep; booting once more" >&2
	echo "VM-ACCEL $ACCEL ($ACCEL_WHY)" > "$LOG"
	[ -z "$prev" ] || echo "$prev" >> "$LOG"
	echo "VM-RETRY $retry (console: ${LOG#$TOP/}.$keep)" >> "$LOG"
	[ -z "$TRACE" ] || : > "$TRACE"
	boot_qemu
done
if [ -f "$run/stopped" ]; then
	echo "error: QEMU stopped again: $(cat "$run/stopped") (console log: ${LOG#$TOP/})" >&2
	exit 126
fi
set -e
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "error: the guest hung: no result within $TIMEOUT s (console log: ${LOG#$TOP/})" >&2
	exit 124
fi
rc=$(sed -n 's/^GUEST-EXIT \([0-9]*\)$/\1/p' "$LOG" | tail -n1)
if [ -z "$rc" ]; then
	echo "error: the guest died without a result (QEMU exit $qrc; console log: ${LOG#$TOP/})" >&2
	exit 125
fi
exit "$rc"
