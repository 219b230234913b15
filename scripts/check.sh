#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test, on both bases.  Each step is one test; the
# closing line is "N passed, N failed" and the exit status is non-zero on
# any failure.
#
#   check.sh [STEP...]   steps: series-check checkpatch build-series sparse
#                        model microbench negatives vmtest (default: all)
#
# The steps that depend on the base (series-check, checkpatch,
# build-series, sparse, vmtest) run for 6.12 and then for 6.1, each
# result named by its base; BASE=6.12 or BASE=6.1 runs one only.  The
# model, the microbenchmark and the negatives are the same for both and
# run once.

# Before lib.sh picks a default: did the user choose a base?
USER_BASE=${BASE:-}
USER_KVER=${KVER:-} USER_KDIR=${KDIR:-} USER_KSRC=${KSRC:-}
set -uo pipefail
. "$(dirname "$0")/lib.sh"

CHECK=$BUILD/check
OUT=$CHECK
mkdir -p "$OUT"
pass=0 fail=0 skipped=0 failed=()
PREFIX=

# result NAME STATUS [LOG]; NAME gets the base's prefix, if any.
result() {
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1))
		printf 'ok   %s%s\n' "$PREFIX" "$1"
	else
		fail=$((fail + 1))
		failed+=("$PREFIX$1")
		printf 'FAIL %s%s\n' "$PREFIX" "$1"
		[ -z "${3:-}" ] || { tail -n 25 "$3" | sed 's/^/     /'; echo "     (log: ${3#$TOP/})"; }
	fi
}

# step NAME CMD...: run CMD with its output in a log, record the result.
step() {
	local name=$1 log=$OUT/$1.log t0
	shift
	say "$name"
	t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	result "$name ($((SECONDS - t0)) s)" $rc "$log"
}

patches() { grep -v -e '^#' -e '^[[:space:]]*$' "$PATCHES/series"; }

do_series_check() {
	need_pkgs git
	step series-check "$TOP/scripts/series.sh" check
}

do_checkpatch() {
	need_pkgs perl python3
	load_base
	local p log out
	for p in $(patches); do
		log=$OUT/checkpatch-${p%.patch}.log
		# From the base source, which has no git history: checkpatch
		# checks the commit ids that patches cite (Fixes:, upstream
		# commit) against the git repository it runs in, and this
		# project's is not the kernel's.
		(cd "$BASE_SRC" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl \
			--no-tree --strict --show-types "$PATCHES/$p") \
			>"$log" 2>&1
		# Reports that cannot be settled here are checked another
		# way; see scripts/checkpatch-filter.py.
		out=$("$TOP/scripts/checkpatch-filter.py" "$log" \
			"$PATCHES/$p" "$TOP/scripts/known-commits")
		local filt=$?
		[ -z "$out" ] || printf '%s\n' "$out" >>"$log"
		grep -q '^total: ' "$log"
		local ok=$?
		[ $filt -eq 0 ] && [ $ok -eq 0 ]
		result "checkpatch --strict $p" $? "$log"
	done
	# The filter's exceptions are narrow: a patch citing a commit that
	# is not in scripts/known-commits still fails.
	local first tamper=$OUT/checkpatch-tampered.patch
	first=$(grep -l -e '^Fixes: ' -e '^\[ Upstream commit ' $(patches | sed "s|^|$PATCHES/|") | head -n1)
	[ -n "$first" ] || return 0
	sed -e 's/^Fixes: [0-9a-f]*/Fixes: 0123456789ab/' \
	    -e 's/^\[ Upstream commit [0-9a-f]* \]/[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]/' \
		"$first" > "$tamper"
	(cd "$BASE_SRC" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl \
		--no-tree --strict --show-types "$tamper") >"$tamper.log" 2>&1
	! "$TOP/scripts/checkpatch-filter.py" "$tamper.log" "$tamper" \
		"$TOP/scripts/known-commits" >/dev/null
	result "checkpatch: $(basename "$first") with unknown commit ids still fails" $? "$tamper.log"
}

apply_here() {
	[ -d "$OUT/series/.git" ] && return 0
	"$TOP/scripts/series.sh" apply "$OUT/series" >"$OUT/apply.log" 2>&1 || {
		cat "$OUT/apply.log"
		return 1
	}
}

do_build_series() {
	local n i c name
	# The kselftest is a userspace program: it needs the C library's
	# headers and the kernel's uapi headers.
	need_pkgs gcc make libc6-dev linux-libc-dev
	rm -rf "$OUT/series"
	apply_here || { result "the series applies" 1; return; }
	n=$(git -C "$OUT/series" rev-list --count base..main)
	for i in $(seq 1 "$n"); do
		c=$(git -C "$OUT/series" rev-list --reverse base..main | sed -n "${i}p")
		name=$(git -C "$OUT/series" log -1 --format=%s "$c")
		git -C "$OUT/series" checkout -q "$c"
		{
			SRC_TREE=$OUT/series OUT=$OUT/build-$i \
				"$TOP/scripts/modules.sh" &&
			if [ -d "$OUT/series/tools/testing/selftests/nvme-dbbuf" ]; then
				mkdir -p "$OUT/build-$i/kselftest" &&
				make -C "$OUT/series/tools/testing/selftests/nvme-dbbuf" \
					OUTPUT="$OUT/build-$i/kselftest"
			fi
		} >"$OUT/build-$i.log" 2>&1
		local rc=$?
		# The kselftest is built with -Wall -Wextra: no warnings either.
		! grep -q 'warning:' "$OUT/build-$i.log" || rc=1
		result "build with patches 1-$i ($name)" $rc "$OUT/build-$i.log"
	done
	git -C "$OUT/series" checkout -q main
	# Test-only knobs (-DNVME_DBBUF_TEST) stay out of production builds.
	local parms
	parms=$(modinfo -F parm "$OUT/build-$n/nvme.ko" 2>&1)
	! echo "$parms" | grep -q '^dbbuf_test' && echo "$parms" | grep -q '^dbbuf:'
	result "the production nvme.ko has no test-only parameter, and has dbbuf" $? "$OUT/build-$n.log"
}

do_sparse() {
	local log=$OUT/sparse.log
	need_pkgs sparse
	apply_here || { result "the series applies" 1; return; }
	SRC_TREE=$OUT/series OUT=$OUT/sparse EXTRA="C=2 W=1" \
		"$TOP/scripts/modules.sh" >"$log" 2>&1
	local rc=$?
	cat "$OUT/sparse/build.log" >>"$log" 2>/dev/null
	# kbuild prints CHECK for each file sparse looked at: make sure it ran.
	if [ $rc -eq 0 ] && grep -q 'CHECK .*dbbuf\.c' "$log" &&
	   ! grep -qE 'warning:|error:' "$OUT/sparse/build.log"; then
		rc=0
	else
		rc=1
	fi
	result "sparse (C=2) and W=1: no warnings in nvme.ko's sources" $rc "$log"

	# The same with the engine compiled out: dbbuf.h's stubs.
	log=$OUT/sparse-off.log
	SRC_TREE=$OUT/series OUT=$OUT/sparse-off \
		EXTRA="C=2 W=1 CONFIG_NVME_PCI_DBBUF=n" \
		"$TOP/scripts/modules.sh" >"$log" 2>&1
	rc=$?
	cat "$OUT/sparse-off/build.log" >>"$log" 2>/dev/null
	if [ $rc -eq 0 ] && grep -q 'CHECK .*pci\.c' "$log" &&
	   ! grep -q 'CHECK .*dbbuf\.c' "$log" &&
	   ! grep -qE 'warning:|error:' "$OUT/sparse-off/build.log"; then
		rc=0
	else
		rc=1
	fi
	result "sparse (C=2) and W=1 with CONFIG_NVME_PCI_DBBUF=n: no warnings, no dbbuf.c" $rc "$log"
}

do_vmtest() {
	local log=$OUT/vmtest.log line
	apply_here || { result "the series applies" 1; return; }
	say "vmtest: the nvme-dbbuf kselftest in QEMU guests (about 6 min under TCG)"
	SRC_TREE=$OUT/series "$TOP/scripts/vmtest.sh" >"$log" 2>&1
	local rc=$?
	# Each TAP line, from the guest or the host-side checks, is a test.
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) skipped=$((skipped + 1)); printf 'skip %s%s\n' "$PREFIX" "vmtest: ${line#ok - }" ;;
		"ok "*) result "vmtest: ${line#ok - }" 0 ;;
		"not ok "*) result "vmtest: ${line#not ok - }" 1 ;;
		esac
	done < <(grep -E '^(not )?ok ' "$log")
	[ $rc -eq 0 ] || result "vmtest: the runner finished (exit $rc)" 1 "$log"
}

# The vmtest's verdict scripts, on tampered and saved logs: each broken
# boot must fail, on the check that matters.
do_negatives() {
	local log=$OUT/negatives.log line
	need_pkgs python3
	say "negatives: the vmtest's verdicts on tampered and saved logs"
	"$TOP/tests/vmtest/negatives.sh" >"$log" 2>&1
	local rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) result "${line#ok [0-9]* }" 0 ;;
		"not ok "*) result "${line#not ok [0-9]* }" 1 "$log" ;;
		esac
	done < <(grep -E '^(not )?ok ' "$log")
	[ $rc -eq 0 ] || grep -q '^not ok ' "$log" ||
		result "negatives: the runner finished (exit $rc)" 1 "$log"
}

do_model() {
	need_pkgs gcc make libc6-dev
	step model-test make -C "$TOP/tests/model" check
}

# A smoke test: the microbenchmark builds and runs; its figures are for
# reading (make microbench), not judged here.
do_microbench() {
	need_pkgs gcc make libc6-dev
	step microbench make -s -C "$TOP/tests/model" microbench \
		MB_ARGS="-n 200000 -r 3"
	sed 's/^/     /' "$OUT/microbench.log"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(series-check checkpatch build-series sparse model microbench negatives vmtest)
for s in "${steps[@]}"; do
	case $s in
	series-check|checkpatch|build-series|sparse|model|microbench|negatives|vmtest) ;;
	*) die "unknown check step: $s" ;;
	esac
done
bases=("${BASES[@]}")
[ -z "$USER_BASE" ] || bases=("$USER_BASE")
accels=()

# Each base's steps, in the order given.
for b in "${bases[@]}"; do
	BASE=$b KVER=$USER_KVER KDIR=$USER_KDIR KSRC=$USER_KSRC
	pick_base
	PREFIX="[$BASE] " OUT=$CHECK/$BASE
	mkdir -p "$OUT"
	rm -rf "$OUT/series"
	say "base $BASE"
	for s in "${steps[@]}"; do
		case $s in
		series-check) do_series_check ;;
		checkpatch) do_checkpatch ;;
		build-series) do_build_series ;;
		sparse) do_sparse ;;
		vmtest) do_vmtest ;;
		esac
	done
	if [ -f "$BASE_ENV" ]; then
		load_base
		[ ! -f "$BUILD/accel-$KVER.env" ] ||
			accels+=("$BASE: $(sed -n 's/^ACCEL=//p' "$BUILD/accel-$KVER.env")")
	fi
done
# The steps that are the same for every base.
PREFIX= OUT=$CHECK
for s in "${steps[@]}"; do
	case $s in
	model) do_model ;;
	microbench) do_microbench ;;
	negatives) do_negatives ;;
	esac
done

[ $fail -eq 0 ] || { echo; echo "failed:"; printf '  %s\n' "${failed[@]}"; }
echo
echo "make check took $((SECONDS / 60)) min $((SECONDS % 60)) s ($(date -u '+%Y-%m-%d %H:%M UTC'), bases ${bases[*]}, QEMU accelerator: ${accels[*]:-none})"
[ $skipped -eq 0 ] || echo "($skipped skipped, listed above)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
