# SPDX-License-Identifier: GPL-2.0
# Guest script of tests/vmtest/text-poke.sh: keep the scheduler busy on
# both CPUs (tasks on pipes wake each other) and toggle one trace event on
# a cold path TEXT_POKE_TOGGLES times, with options/record-cmd set to
# RECORD_CMD.  With record-cmd on, the first enabled event hooks
# sched_switch and sched_wakeup (to record task names) and the last one
# disabled unhooks them: each toggle patches the scheduler's code too.
. /etc/run.env
T=/sys/kernel/debug/tracing
E=$T/events/module/module_load/enable
[ -w "$E" ] || { echo "text-poke: no $E"; exit 1; }
echo "$RECORD_CMD" > $T/options/record-cmd || exit 1
echo "text-poke: record-cmd $(cat $T/options/record-cmd), $TEXT_POKE_TOGGLES toggles of module_load"
for c in 1 2; do
	(while :; do dd if=/dev/zero bs=512 count=4000 2>/dev/null | cat > /dev/null; done) &
done
i=0
while [ $i -lt "$TEXT_POKE_TOGGLES" ]; do
	echo 1 > "$E"
	echo 0 > "$E"
	i=$((i + 1))
done
echo "TEXT-POKE-DONE $i"
