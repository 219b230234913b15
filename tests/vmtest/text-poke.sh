#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TCG crash of README's Known limits, on demand: guests that toggle a
# trace event on a cold path while the scheduler is busy on both CPUs
# (tests/vmtest/text-poke-guest.sh), with options/record-cmd on (the
# kernel's default: each toggle also hooks and unhooks sched_switch and
# sched_wakeup, patching the scheduler's code) and off (what the test
# guests' /init sets), in interleaved boots.  Counts the QEMU boots whose
# guest kernel died, and the deaths emulator_crash (lib.sh) recognises.
# vm.sh boots a crashed guest again (twice at most), so a run is one to
# three boots.
#
#   TEXT_POKE_RUNS=N      runs of each setting (default 5)
#   TEXT_POKE_TOGGLES=N   event toggles per boot (default 1000)
#
# Prints a line per run and the totals; exits 0 when every run finished.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
load_base
need_image
RUNS=${TEXT_POKE_RUNS:-5}
TOGGLES=${TEXT_POKE_TOGGLES:-1000}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "TEXT_POKE_RUNS=$RUNS: must be a whole number, 1 or more"
[[ $TOGGLES =~ ^[1-9][0-9]*$ ]] || die "TEXT_POKE_TOGGLES=$TOGGLES: must be a whole number, 1 or more"
OUT=$BUILD/text-poke-$BASE
rm -rf "$OUT" && mkdir -p "$OUT"
declare -A boots deaths known ran
for r in 1 0; do boots[$r]=0 deaths[$r]=0 known[$r]=0 ran[$r]=0; done
say "text-poke: $RUNS runs each with record-cmd 1 and 0, $TOGGLES toggles a boot; base $BASE ($KVER)"
for i in $(seq 1 "$RUNS"); do
	for r in 1 0; do
		log=$OUT/rc$r-$i.log
		VM_IDLE_LIMIT=60 "$TOP/scripts/vm.sh" --log "$log" --timeout 600 \
			--env "RECORD_CMD=$r" --env "TEXT_POKE_TOGGLES=$TOGGLES" \
			"$HERE/text-poke-guest.sh" > "$OUT/rc$r-$i.out" 2>&1
		rc=$?
		line="run $i, record-cmd $r: exit $rc"
		for f in "$log".* "$log"; do
			[ -f "$f" ] || continue
			boots[$r]=$((boots[$r] + 1))
			grep -q '^TEXT-POKE-DONE ' "$f" && ran[$r]=$((ran[$r] + 1))
			grep -qE 'Oops|Kernel panic|PANIC: double fault' "$f" || continue
			deaths[$r]=$((deaths[$r] + 1))
			if why=$(emulator_crash "$f"); then
				known[$r]=$((known[$r] + 1))
				line="$line; died: $why"
			else
				line="$line; died: $(grep -m1 -E 'Oops|Kernel panic|PANIC' "$f" | cut -c1-100)"
			fi
		done
		echo "$line"
	done
done
echo "# text-poke, $(date -u '+%Y-%m-%d %H:%M UTC'): base $BASE ($KVER), $(qemu-system-x86_64 --version | head -n1), accelerator $(sed -n 's/^VM-ACCEL //p' "$OUT/rc1-1.log" | head -n1)"
for r in 1 0; do
	echo "record-cmd $r: ${deaths[$r]} of ${boots[$r]} boots died (${known[$r]} of them of an emulator crash); ${ran[$r]} boots toggled $TOGGLES times"
done
