#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one mutant of the protocol model; succeed only if the model fails.
#
#   run-mutant.sh NAME DESCRIPTION BINARY [MODEL OPTIONS...]
#
# The binary runs with -x (stop at the first failure).  Caught: status 1 (a
# failed test) or death by a signal (an assertion).  Survived: status 0.
# Anything else (usage error, timeout) is a broken run and fails too.

name=$1 desc=$2 bin=$3
shift 3
log=$bin.log
timeout=${TIMEOUT:-600}

t0=$(date +%s%N)
timeout "$timeout" "$bin" -x "$@" > "$log" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
secs=$(printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100)))
seed=$(sed -n 's/^# seed \([^ ]*\).*/\1/p' "$log")

case $rc in
0)
	echo "mutant $name: SURVIVED in $secs s (seed $seed): the model" \
	     "did not notice: $desc"
	exit 1
	;;
1|13[0-9])
	why=$(grep -m1 -e '^Bail out!' -e '^WARNING' "$log")
	[ $rc = 1 ] || why="killed by signal $((rc - 128)); $why"
	echo "mutant $name ($desc): caught in $secs s (seed $seed): $why"
	exit 0
	;;
*)
	echo "mutant $name: ERROR, exit status $rc; see $log"
	exit 1
	;;
esac
