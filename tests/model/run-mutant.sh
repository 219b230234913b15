#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one mutant of the protocol model; succeed only if the model fails the
# way this mutant must make it fail.
#
#   run-mutant.sh NAME DESCRIPTION TESTS MESSAGE BINARY [MODEL OPTIONS...]
#
# TESTS is a space-separated list of the model's tests; the binary runs
# only those (-t).  Caught means: the model exits with status 1, and every
# one of TESTS has a plain "not ok" TAP line (no TODO, no SKIP) whose YAML
# "message" matches MESSAGE, an extended regular expression.
#
# Exit status, and what is printed:
#   0  caught as expected
#   1  SURVIVED: the model passed, or one of TESTS passed
#   2  WRONG FAILURE: one of TESTS failed for another reason, only as TODO,
#      or is missing from the output
#   3  BROKEN RUN: killed by a signal (a crash, an OOM kill, an abort()),
#      timed out, or any exit status but 0 and 1
#
# Environment: TIMEOUT (seconds, default 600), LOG (default BINARY.log).

if [ $# -lt 5 ]; then
	echo "usage: $0 NAME DESCRIPTION TESTS MESSAGE BINARY [OPTIONS...]" >&2
	exit 3
fi
name=$1 desc=$2 tests=$3 want=$4 bin=$5
shift 5
log=${LOG:-$bin.log}
timeout=${TIMEOUT:-600}

t0=$(date +%s%N)
# The shell's own report of a crash ("Segmentation fault") goes to the log.
{ timeout "$timeout" "$bin" -t "${tests// /,}" "$@" > "$log" 2>&1; } \
	2>> "$log"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
secs=$(printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100)))
seed=$(sed -n 's/^# seed \([^ ]*\).*/\1/p' "$log")
where="in $secs s (seed ${seed:-none}; log: $log)"

case $rc in
0)
	echo "mutant $name: SURVIVED $where: the model did not notice: $desc"
	exit 1
	;;
1)
	;;
124)
	echo "mutant $name: BROKEN RUN $where: timed out after $timeout s"
	exit 3
	;;
12[5-7])
	echo "mutant $name: BROKEN RUN $where: exit status $rc" \
	     "(timeout or the binary could not run)"
	exit 3
	;;
12[89]|1[3-9][0-9]|2[0-5][0-9])
	echo "mutant $name: BROKEN RUN $where: killed by signal $((rc - 128))" \
	     "($(kill -l $((rc - 128)) 2>/dev/null || echo '?')), not a test failure"
	exit 3
	;;
*)
	echo "mutant $name: BROKEN RUN $where: exit status $rc"
	exit 3
	;;
esac

# The TAP line of test $1, and its YAML message (quotes undone).
tap_line() {
	grep -m1 -E "^(not )?ok [0-9]+ - $1(:| |\$)" "$log"
}
tap_message() {
	awk -v t="$1" '
		$0 ~ "^not ok [0-9]+ - " t ":" { on = 1; next }
		on && /^  message: '\''/ {
			m = substr($0, 13)
			sub(/'\''$/, "", m)
			gsub(/'\'''\''/, "'\''", m)
			print m
			exit
		}
		on && /^[^ ]/ { exit }
	' "$log"
}

survived=() wrong=() why=()
for t in $tests; do
	line=$(tap_line "$t")
	case $line in
	'')
		wrong+=("$t: no TAP line")
		;;
	'not ok '*'# TODO'*|'not ok '*'# todo'*)
		wrong+=("$t: failed only as TODO: ${line#*- }")
		;;
	'not ok '*'# SKIP'*|'ok '*'# SKIP'*)
		wrong+=("$t: skipped")
		;;
	'ok '*)
		survived+=("$t")
		;;
	'not ok '*)
		msg=$(tap_message "$t")
		if [ -z "$msg" ]; then
			wrong+=("$t: failed without a message")
		elif grep -qE -e "$want" <<< "$msg"; then
			why+=("$t: $msg")
		else
			wrong+=("$t: $msg")
		fi
		;;
	esac
done

if [ ${#survived[@]} -gt 0 ]; then
	echo "mutant $name: SURVIVED $where: ${survived[*]} passed: $desc"
	exit 1
fi
if [ ${#wrong[@]} -gt 0 ]; then
	echo "mutant $name: WRONG FAILURE $where: want /$want/ in: $tests"
	printf '    %s\n' "${wrong[@]}"
	exit 2
fi
echo "mutant $name ($desc): caught by $tests $where"
printf '    %.150s\n' "${why[@]}"
exit 0
