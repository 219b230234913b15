#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A fake protocol model for "make mutant-selftest": it prints TAP as
# build/model/model does and ends as FAKE_MODE says, so that run-mutant.sh
# can be shown to accept only the expected failure.  run-mutant.sh is run
# with TESTS "qemu-sq qemu-cq" and MESSAGE "^lost doorbell: update".
# Options (-t ...) are ignored.

lost="lost doorbell: update #7 (tail 0 -> 1, no MMIO, depth 2) never reached the controller"

tap_head() {
	echo "TAP version 13"
	echo "1..2"
	echo "# seed 0xfa4e (-s 0xfa4e to repeat), fake model"
}

# not_ok N NAME MESSAGE [DIRECTIVE]
not_ok() {
	echo "not ok $1 - $2: fake failure${4:+ # $4}"
	echo "  ---"
	echo "  message: '${3//\'/\'\'}'"
	echo "  ..."
}

case $FAKE_MODE in
right)		# control: the failure the mutant must produce
	tap_head
	not_ok 1 qemu-sq "$lost"
	not_ok 2 qemu-cq "$lost"
	exit 1
	;;
exit0)		# the model passed
	tap_head
	echo "ok 1 - qemu-sq: fake"
	echo "ok 2 - qemu-cq: fake"
	exit 0
	;;
one-passes)	# one expected test failed, the other passed
	tap_head
	not_ok 1 qemu-sq "$lost"
	echo "ok 2 - qemu-cq: fake"
	exit 1
	;;
wrong-msg)	# failed, but not for the expected reason
	tap_head
	not_ok 1 qemu-sq "$lost"
	not_ok 2 qemu-cq "hang: no progress for 10 s, controller awake"
	exit 1
	;;
todo)		# failed only as TODO
	tap_head
	not_ok 1 qemu-sq "$lost"
	not_ok 2 qemu-cq "$lost" "TODO known defect"
	exit 1
	;;
no-tap)		# exit status 1 with the message, but no TAP
	echo "$lost"
	exit 1
	;;
segv)		# the expected failures, then a crash
	tap_head
	not_ok 1 qemu-sq "$lost"
	not_ok 2 qemu-cq "$lost"
	kill -SEGV $$
	;;
oom)		# killed as the OOM killer does
	tap_head
	kill -KILL $$
	;;
abort)		# abort(), as the shim's WARN_ON() does
	tap_head
	echo "WARNING: dbbuf.h:1: lost doorbell"
	kill -ABRT $$
	;;
hang)		# run with TIMEOUT=1
	tap_head
	exec sleep 30
	;;
usage)		# a bad option
	echo "usage: model [-s SEED] ..." >&2
	exit 2
	;;
*)
	echo "fake-model.sh: unknown FAKE_MODE '$FAKE_MODE'" >&2
	exit 2
	;;
esac
