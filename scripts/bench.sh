#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: Debian's stock nvme.ko (upstream's shadow doorbells) against
# ours and ours with the no_dbbuf quirk (nvme.quirks=1b36:0010:no_dbbuf
# on QEMU's controller; MMIO doorbells only), over the fio jobs of
# scripts/bench-jobs, in interleaved guest boots (stock ours off stock2
# stock ours off stock2 ...).  stock2 is the stock driver again, in boots
# of its own: stock2 against stock is an A/A comparison, made through the
# same pipeline as ours against stock, and bench-report.py derives the
# noise floor of every ratio from it.  IOPS come from untraced boots; MMIO
# doorbells per I/O from separate boots with QEMU's doorbell trace events
# on, since tracing (a log line per doorbell) slows QEMU down.  Every boot
# also logs pci_nvme_dbbuf_config (one line per controller, no cost), so
# each boot shows whether shadow doorbells were really on or off.  Each
# boot also records its accelerator (the VM-ACCEL line vm.sh writes first
# in the console log; the run stops if it changes, and the report refuses
# to compare boots of different accelerators) and how much of the host's
# CPU other processes took.
#
#   BENCH=quick      1 untraced + 1 traced boot per driver, 2 s per job
#                    (about 7 minutes under TCG)
#   BENCH=full       (default) 5 untraced + 3 traced boots per driver,
#                    10 s per job (about 85 minutes under TCG; doorbells per
#                    I/O at iodepth 32 vary between boots, by as much as
#                    the A/A comparison shows, hence 3 traced boots for a
#                    median)
#   BENCH_RUNTIME=S  seconds per fio job
#   BENCH_RAMP=S     fio ramp time in untraced boots (quick 0.5, full 1)
#   BENCH_BOOTS=N    untraced boots per driver
#   BENCH_TRACED=N   traced boots per driver
#   BENCH_JOBS="A B" only these jobs of scripts/bench-jobs
#   BENCH_DRIVER_COUNTS=1  in traced boots, also count our driver's
#                    doorbells with hist triggers on its tracepoints and
#                    compare them with QEMU's (default 0: the hist triggers
#                    slow our doorbell path, and stock's has none, so the
#                    doorbells per I/O would not compare like with like)
#   BENCH_DRY=1      print the plan and the time estimate, boot nothing
#
# Raw data: build/bench/raw/ (the previous run's moves to raw.prev/, and
# its results are removed: bench-report.py renders them again from there).
# Results: build/bench/bench.{md,csv,png}, rendered by
# scripts/bench-report.py, which can re-render them from raw/ alone.
# Exit status: 0; 1 when a boot failed; 3 when the results are INVALID
# (shadow doorbells not in the state a driver stands for).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

MODE=${BENCH:-full}
case $MODE in
quick) boots=1 traced=1 runtime=2 ramp=0.5 ;;
full) boots=5 traced=3 runtime=10 ramp=1 ;;
*) die "BENCH must be quick or full, not '$MODE'" ;;
esac
BOOTS=${BENCH_BOOTS:-$boots}
TRACED=${BENCH_TRACED:-$traced}
DRIVER_COUNTS=${BENCH_DRIVER_COUNTS:-0}
case $DRIVER_COUNTS in 0|1) ;; *) die "BENCH_DRIVER_COUNTS must be 0 or 1, not $DRIVER_COUNTS" ;; esac
RUNTIME=${BENCH_RUNTIME:-$runtime}
RAMP=${BENCH_RAMP:-$ramp}
[[ $BOOTS =~ ^[0-9]+$ ]] && [ "$BOOTS" -ge 1 ] || die "BENCH_BOOTS must be a number >= 1"
[[ $TRACED =~ ^[0-9]+$ ]] && [ "$TRACED" -ge 1 ] || die "BENCH_TRACED must be a number >= 1"
[[ $RUNTIME =~ ^[0-9]+$ ]] && [ "$RUNTIME" -ge 1 ] || die "BENCH_RUNTIME must be whole seconds >= 1"
[[ $RAMP =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_RAMP must be seconds, e.g. 1 or 0.5"
ramp_ms=$(awk -v r="$RAMP" 'BEGIN { printf "%d", r * 1000 }')
# The order of the boots in each round.
DRIVERS=(stock ours off stock2)
ndrv=${#DRIVERS[@]}
declare -A DESC=([stock]="Debian's stock nvme.ko" [ours]="our nvme.ko"
	[off]="our nvme.ko with the no_dbbuf quirk, quirks=1b36:0010:no_dbbuf"
	[stock2]="Debian's stock nvme.ko again, the A/A comparison")

# The exact command, for the labels of every table and figure.
cmd=
for v in BENCH BENCH_RUNTIME BENCH_RAMP BENCH_BOOTS BENCH_TRACED BENCH_JOBS BENCH_DRIVER_COUNTS KVER; do
	[ -z "${!v:-}" ] || cmd+="$v=$(printf '%q' "${!v}") "
done
if [ -n "${MAKELEVEL:-}" ]; then cmd+="make bench"; else cmd+="scripts/bench.sh"; fi

need_pkgs python3 gnuplot-nox
"$TOP/scripts/base.sh"
load_base
need_image
"$TOP/scripts/modules.sh"

# --- the jobs ----------------------------------------------------------------
JOBFILE=$TOP/scripts/bench-jobs
mapfile -t alljobs < <(awk '!/^#/ && NF { print $1 }' "$JOBFILE")
if [ -n "${BENCH_JOBS:-}" ]; then
	for j in $BENCH_JOBS; do
		printf '%s\n' "${alljobs[@]}" | grep -qx -- "$j" ||
			die "BENCH_JOBS: no job '$j' in scripts/bench-jobs (jobs: ${alljobs[*]})"
	done
	read -r -a jobs <<<"$BENCH_JOBS"
else
	jobs=("${alljobs[@]}")
fi
drives=null
for j in "${jobs[@]}"; do
	[ "$(awk -v j="$j" '$1 == j { print $2 }' "$JOBFILE")" = file ] && drives="null file"
done
njobs=${#jobs[@]}

OUT=$BUILD/bench/$BASE
RAW=$OUT/raw
SMP=2

# --- the plan ----------------------------------------------------------------
# Boots: the traced rounds first (they check the setup early: marks, the
# off state), then the untraced ones; each round is stock ours off stock2.
plan=()
for r in $(seq 1 "$TRACED"); do
	for d in "${DRIVERS[@]}"; do plan+=("traced $r $d"); done
done
for r in $(seq 1 "$BOOTS"); do
	for d in "${DRIVERS[@]}"; do plan+=("untraced $r $d"); done
done
nboots=${#plan[@]}
# Seconds per boot under TCG, measured here: about 12 s of boot and
# power-off, and 0.9 s per job besides its runtime and ramp.
est_boot() { # KIND
	local ramp=$RAMP
	[ "$1" = traced ] && ramp=0
	awk -v n="$njobs" -v t="$RUNTIME" -v r="$ramp" \
		'BEGIN { printf "%d", 12 + n * (t + r + 0.9) }'
}
est_u=$(est_boot untraced) est_t=$(est_boot traced)
est_total=$((ndrv * BOOTS * est_u + ndrv * TRACED * est_t))
fmt_time() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
# cpu_ticks: busy and total CPU ticks of the host (all CPUs), and the CPU
# ticks of this script's finished children (the boots: vm.sh, QEMU, ...).
# The difference in busy ticks over a boot minus its own is what other
# processes took of the host's CPU during that boot.
cpu_ticks() {
	local u n s i w q sq st f
	read -r _ u n s i w q sq st _ < /proc/stat
	read -r -a f < <(sed 's/^.*) //' "/proc/$$/stat")
	echo $((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st)) \
		$((f[13] + f[14]))
}

# The accelerator: vm.sh's choice (lib.sh: pick_accel), made here once so
# that the plan can show it and every boot uses the same verdict.  A dry
# run only reads the kept verdict: a KVM probe would boot a guest.
if [ -n "${BENCH_DRY:-}" ]; then
	if [ -n "${ACCEL:-}" ]; then
		accel_note="${ACCEL^^} (ACCEL=$ACCEL given)"
	elif [ -f "$BUILD/accel-$KVER.env" ]; then
		accel_note="$(sed -n 's/^ACCEL=//p' "$BUILD/accel-$KVER.env" | tr '[:lower:]' '[:upper:]') (as last probed, ${BUILD#"$TOP"/}/accel-$KVER.env)"
	else
		accel_note="not probed yet (vm.sh probes KVM at the first boot)"
	fi
else
	pick_accel
	# Every boot's vm.sh uses this verdict, and says why it was made.
	export ACCEL ACCEL_WHY
	accel_note="${ACCEL^^} ($ACCEL_WHY)"
fi

say "bench ($MODE): $njobs job(s) x $ndrv drivers (${DRIVERS[*]}; stock2 = stock again, the A/A noise floor); $TRACED traced + $BOOTS untraced boot(s) per driver = $nboots boots"
say "  $RUNTIME s per job (+ ${RAMP} s ramp when untraced); drives: $drives; $(nproc) host cores, $SMP vCPUs"
say "  accelerator: $accel_note"
say "  estimated total: $(fmt_time $est_total) under TCG (boots of about $est_t s traced, $est_u s untraced)"
say "  command: $cmd; raw data: ${RAW#"$TOP"/}/"
[ -z "${BENCH_DRY:-}" ] || exit 0
if pgrep -f '^qemu-system-x86_64 ' >/dev/null 2>&1; then
	say "WARNING: another QEMU is running on this machine and competes for the host's CPU; the A/A comparison (stock2 against stock) measures what that does to the results"
fi

# --- the run's raw directory -------------------------------------------------
mkdir -p "$OUT"
if [ -d "$RAW" ]; then
	rm -rf "$OUT/raw.prev"
	mv "$RAW" "$OUT/raw.prev"
fi
rm -f "$OUT"/bench.md "$OUT"/bench.csv "$OUT"/bench.png "$OUT"/bench-plot.*
mkdir -p "$RAW"
# Our module is copied, so a rebuild during a long run changes nothing.
cp "$BUILD/modules/$KVER/nvme.ko" "$RAW/nvme-ours.ko"
cp "$JOBFILE" "$RAW/bench-jobs"
# So is the guest tooling: bash reads a script as it runs it, so editing
# scripts/vm.sh during a long run would break the boot under way.  The copy
# gets its own build directory (base.env, and a cached initramfs in vm/)
# so that it does not rebuild build/vm/ under another user of vm.sh.
SNAP=$OUT/snapshot
rm -rf "$SNAP/scripts"
mkdir -p "$SNAP/scripts/guest" "$SNAP/build"
cp "$TOP/scripts/vm.sh" "$TOP/scripts/lib.sh" "$TOP/scripts/doorbells.py" "$SNAP/scripts/"
cp "$TOP"/scripts/guest/* "$SNAP/scripts/guest/"
cp "$BASE_ENV" "$SNAP/build/base-$BASE.env"
# and the accelerator's verdict, so that the copy does not probe again.
rm -f "$SNAP/build/accel-$KVER.env"
[ ! -f "$BUILD/accel-$KVER.env" ] || cp "$BUILD/accel-$KVER.env" "$SNAP/build/accel-$KVER.env"
stock_ko=$(find "$IMAGE/lib/modules/$KVER" -name 'nvme.ko*' -path '*nvme/host*')
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "MODE=$MODE"
	echo "BOOTS=$BOOTS"
	echo "TRACED=$TRACED"
	echo "DRIVER_COUNTS=$DRIVER_COUNTS"
	echo "RUNTIME=$RUNTIME"
	echo "RAMP=$RAMP"
	echo "JOBS=${jobs[*]}"
	echo "DRIVES=$drives"
	echo "ACCEL=$ACCEL"
	echo "ACCEL_WHY=$ACCEL_WHY"
	echo "HOST_CORES=$(nproc)"
	echo "HOST_CPU=$cpu"
	echo "GUEST_CPUS=$SMP"
	echo "KVER=$KVER"
	echo "QEMU=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')"
	echo "FIO=$(fio --version)"
	echo "DATE=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "COMMAND=$cmd"
	echo "SRC_stock=$(modinfo -F srcversion "$stock_ko")"
	echo "SRC_ours=$(modinfo -F srcversion "$RAW/nvme-ours.ko")"
	echo "SRC_off=$(modinfo -F srcversion "$RAW/nvme-ours.ko")"
	echo "SRC_stock2=$(modinfo -F srcversion "$stock_ko")"
} > "$RAW/bench.env"

# --- the boots ---------------------------------------------------------------
failed=0 invalid=0 t_start=$SECONDS done_est=0 k=0 accel1='' boot1='' prev=''
for p in "${plan[@]}"; do
	read -r kind round drv <<<"$p"
	k=$((k + 1))
	dir=$RAW/$(printf '%02d' $k)-$kind$round-$drv
	mkdir -p "$dir"
	envs=(--env "BENCH_DRIVER=$drv" --env "BENCH_RUNTIME=$RUNTIME"
	      --env "BENCH_DRIVES='$drives'" --env "BENCH_JOBS='${jobs[*]}'")
	if [ "$kind" = traced ]; then
		# Doorbells per I/O come from QEMU's trace alone.  Our driver's
		# own count (hist triggers on its tracepoints) slows each of
		# its doorbell updates, which changes how QEMU's EventIdx
		# updates interleave with them, so ours would be measured under
		# a load stock does not carry: off unless asked for.
		envs+=(--env BENCH_RAMP=0 --env "BENCH_COUNTS=$DRIVER_COUNTS")
		tr=(--trace "$dir/trace.log")
		total=$TRACED
	else
		# No hist triggers on our tracepoints: IOPS are measured with
		# them off, as on a system where nobody traces.
		envs+=(--env "BENCH_RAMP=${ramp_ms}ms" --env BENCH_COUNTS=0)
		tr=(--trace "$dir/trace.log" --trace-events pci_nvme_dbbuf_config)
		total=$BOOTS
	fi
	drive2=()
	[ "$drives" = null ] || drive2=(--drive2 file --size2 1G)
	say "boot $k/$nboots: $kind $round/$total, driver $drv ($(printf '%s' "${DESC[$drv]}"))"
	t0=$SECONDS
	set +e
	read -r busy0 total0 mine0 < <(cpu_ticks)
	# The filter shows the job under way, on a terminal.
	BUILD=$SNAP/build "$SNAP/scripts/vm.sh" --log "$dir/console.log" \
		--timeout $((300 + 3 * njobs * (RUNTIME + 2))) \
		--module "$RAW/nvme-ours.ko" "${drive2[@]}" "${tr[@]}" "${envs[@]}" \
		"$SNAP/scripts/guest/bench.sh" "$RAW/bench-jobs" 2>&1 |
		tee "$dir/vm.log" |
		awk -v m="$njobs" -v tty="$([ -t 2 ] && echo 1)" '
			/MARK .*-begin$/ {
				j = $NF; sub(/-begin$/, "", j); n++
				if (tty) { printf "\r     job %d/%d %-20s", n, m, j > "/dev/stderr"; fflush("/dev/stderr") }
			}
			END { if (tty && n) printf "\r%50s\r", "" > "/dev/stderr" }'
	rc=${PIPESTATUS[0]}
	set -e
	dt=$((SECONDS - t0))
	read -r busy1 total1 mine1 < <(cpu_ticks)
	other=$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v m=$((mine1 - mine0)) \
		'BEGIN { o = t > 0 ? 100 * (b - m) / t : 0; printf "%.0f", o < 0 ? 0 : o }')
	# vm.sh's first console line: VM-ACCEL kvm|tcg (why)
	accel=$(sed -n 's/^VM-ACCEL \([a-z]*\).*/\1/p' "$dir/console.log" 2>/dev/null | head -n1)
	{
		echo "KIND=$kind"
		echo "ROUND=$round"
		echo "DRIVER=$drv"
		echo "ACCEL=$accel"
		echo "RC=$rc"
		echo "SECONDS=$dt"
		echo "OTHER_CPU=$other"
	} > "$dir/meta.env"
	note=
	[ "$other" -lt 5 ] || note+=" (other processes took $other% of the host's CPU)"
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		note+=" FAILED (exit $rc; see ${dir#"$TOP"/}/vm.log)"
	fi
	ndb=$(grep -c pci_nvme_dbbuf_config "$dir/trace.log" 2>/dev/null || true)
	if [ "$drv" = off ] && [ "${ndb:-0}" -gt 0 ]; then
		invalid=1
		note+=" INVALID: QEMU got Doorbell Buffer Config $ndb time(s) with the no_dbbuf quirk (quirks=1b36:0010:no_dbbuf)"
	elif [ "$drv" != off ] && [ "${ndb:-0}" -eq 0 ] && [ "$rc" -eq 0 ]; then
		invalid=1
		note+=" INVALID: QEMU never got Doorbell Buffer Config"
	fi
	if [ "$kind" = traced ] && [ -s "$dir/trace.log" ]; then
		"$SNAP/scripts/doorbells.py" "$dir/console.log" "$dir/trace.log" --tsv \
			> "$dir/doorbells.tsv" 2> "$dir/doorbells.err" ||
			note+=" (doorbells.py: $(cat "$dir/doorbells.err"))"
		gzip -1 "$dir/trace.log"
	fi
	[ "$kind" = traced ] && e=$est_t || e=$est_u
	done_est=$((done_est + e))
	el=$((SECONDS - t_start))
	left=$(awk -v el="$el" -v d="$done_est" -v t="$est_total" \
		'BEGIN { printf "%d", (t - d) * el / d }')
	say "  boot $k/$nboots done in $dt s under ${accel:-an unknown accelerator}, $ndb Doorbell Buffer Config(s)$note; $(fmt_time "$el") elapsed, about $(fmt_time "$left") left"
	# Boots of different accelerators cannot be compared: stop now.
	if [ -n "$accel" ] && [ -z "$accel1" ]; then
		accel1=$accel boot1=${dir##*/}
	elif [ -n "$accel" ] && [ "$accel" != "$accel1" ]; then
		earlier="boot $boot1"
		[ "${prev##*/}" = "$boot1" ] || earlier="boots $boot1 to ${prev##*/}"
		die "boot ${dir##*/} ran under $accel, but $earlier under $accel1: boots of different accelerators cannot be compared, so the run stops; run make bench again (ACCEL=kvm or ACCEL=tcg forces one; raw data: ${RAW#"$TOP"/}/)"
	fi
	[ -z "$accel" ] || prev=$dir
done

# --- the report --------------------------------------------------------------
say "report"
set +e
python3 "$TOP/scripts/bench-report.py" "$RAW" --out "$OUT"
rrc=$?
set -e
say "wall time: $(fmt_time $((SECONDS - t_start))) for $nboots boots"
[ "$rrc" -eq 0 ] || [ "$rrc" -eq 3 ] || die "bench-report.py failed (exit $rrc)"
if [ "$failed" -gt 0 ]; then
	echo "error: $failed of $nboots boots failed (logs under ${RAW#"$TOP"/}/)" >&2
	exit 1
fi
if [ "$rrc" -eq 3 ] || [ "$invalid" -eq 1 ]; then
	exit 3
fi
exit 0
