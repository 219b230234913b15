#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test, on the three bases.  Each step is one test; the
# closing line is "N passed, N failed" and the exit status is non-zero on
# any failure.
#
#   check.sh [STEP...]   steps: series-check checkpatch build-series sparse
#                        kernel-doc coccicheck docs model microbench
#                        archive bench-report series-hygiene negatives dkms
#                        vmtest kselftest-std debug (default: all;
#                        debug and kselftest-std run on 7.3 only)
#
# The steps that depend on the base (series-check, checkpatch,
# build-series, sparse, kernel-doc, coccicheck, docs, vmtest) run for 6.12
# and then for 6.1, each
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
	# When Debian's source moves on and a hunk no longer applies, the
	# check names the patch, the file and line, and the version: a base
	# whose pci.c lacks a line the first patch changes.
	local neg=$OUT/apply-negative log=$OUT/apply-negative.log
	rm -rf "$neg" "$neg-base"
	load_base
	git clone -q "$BUILD/base/$BASE_ID/git" "$neg-base" &&
	sed -i 's/^static void nvme_dbbuf_set(struct nvme_dev \*dev)$/static void nvme_dbbuf_set_moved(struct nvme_dev *dev)/' \
		"$neg-base/drivers/nvme/host/pci.c" &&
	git -C "$neg-base" -c user.name=check -c user.email=check@invalid \
		commit -q -am "a base that moved on"
	! APPLY_BASE=$neg-base "$TOP/scripts/series.sh" apply "$neg" >"$log" 2>&1 &&
		grep -q "[0-9][0-9][0-9][0-9]-.*does not apply to Linux $LINUXVER (Debian $DEBVER): error: patch failed: drivers/nvme/host/pci.c:[0-9]" "$log"
	result "series-check: a base the series no longer applies to is named, with the patch and the hunk" $? "$log"
	rm -rf "$neg" "$neg-base"
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
			--no-tree --no-signoff --strict --show-types "$PATCHES/$p") \
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
	# (The first patch that cites one: a Fixes: tag, an upstream commit line, or a commit cited in a message.)
	first=$(grep -l -E -e '^Fixes: ' -e '^\[ Upstream commit ' -e '(commit |^)[0-9a-f]{12} \(' \
		$(patches | sed "s|^|$PATCHES/|") | head -n1)
	[ -n "$first" ] || { result "checkpatch: a patch that cites a commit, to tamper with" 1; return; }
	sed -e 's/^Fixes: [0-9a-f]*/Fixes: 0123456789ab/' \
	    -e 's/^\[ Upstream commit [0-9a-f]* \]/[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]/' \
	    -e 's/^[0-9a-f]\{12\} (/0123456789ab (/' \
	    -e 's/commit [0-9a-f]\{12\} (/commit 0123456789ab (/' \
		"$first" > "$tamper"
	(cd "$BASE_SRC" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl \
		--no-tree --no-signoff --strict --show-types "$tamper") >"$tamper.log" 2>&1
	# It fails, and for the tampered id: not a crash of the filter.
	"$TOP/scripts/checkpatch-filter.py" "$tamper.log" "$tamper" \
		"$TOP/scripts/known-commits" >"$tamper.filter" 2>&1
	local frc=$?
	cat "$tamper.filter" >>"$tamper.log"
	[ $frc -eq 1 ] && grep -q '0123456789ab.*not in scripts/known-commits\|0123456789ab.*: cited, but not in' "$tamper.filter"
	# (the status first: a $(...) in result's arguments would reset $?)
	local rc=$?
	result "checkpatch: ${first##*/} with unknown commit ids still fails, naming the id" $rc "$tamper.log"
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
	# Test-only knobs live in tests/patches/, never in the posted driver:
	# the series' nvme.ko has none, and the same build with the test-only
	# patch applied (as vmtest builds it) has one, so the check can fail.
	local parms tparms
	parms=$(modinfo -F parm "$OUT/build-$n/nvme.ko" 2>&1)
	# Nor a parameter of its own: shadow doorbells are turned off with
	# nvme.quirks= (no_dbbuf), which the backports add as later kernels
	# have it.
	! echo "$parms" | grep -q '^dbbuf' && echo "$parms" | grep -q '^quirks:' &&
		! grep -lE 'NVME_DBBUF_TEST([^S]|$)|dbbuf_test_' "$OUT"/series/drivers/nvme/host/*.[ch] \
			"$OUT"/series/tools/testing/selftests/nvme-dbbuf/*.c >&2
	result "the posted nvme.ko has no test-only or dbbuf parameter, and has quirks; the posted kselftest names no test-only knob" $? "$OUT/build-$n.log"
	SRC_TREE=$OUT/series OUT=$OUT/build-test \
		TEST_PATCHES="$TOP/tests/patches/test-trace-unarmed.patch $TOP/tests/patches/test-misalign.patch" \
		"$TOP/scripts/modules.sh" >"$OUT/build-test.log" 2>&1 &&
		tparms=$(modinfo -F parm "$OUT/build-test/nvme.ko" 2>&1) &&
		echo "$tparms" | grep -q '^dbbuf_test_misalign:'
	result "the test build (tests/patches/test-trace-unarmed.patch and test-misalign.patch applied) builds and has dbbuf_test_misalign" $? "$OUT/build-test.log"
	# Its kselftest half (the fail test) applies to the posted kselftest
	# and builds without a warning, as the vmtest builds it.
	build_test_kselftest "$OUT/series" "$OUT/build-test/kselftest" \
		>"$OUT/build-test/kselftest.log" 2>&1 &&
		grep -q '"fail", ' "$OUT/build-test/kselftest/nvme-dbbuf/nvme_dbbuf_test.c"
	result "the test-only fail test (tests/patches/test-fail-kselftest.patch) applies to the kselftest and builds" $? "$OUT/build-test/kselftest.log"
}

do_sparse() {
	local log c=C=2 what="sparse (C=2) and W=1" cvalid
	need_pkgs sparse
	apply_here || { result "the series applies" 1; return; }
	# 7.3's kbuild runs only a sparse that knows __typeof_unqual__, which
	# Debian's sparse (0.6.4) does not: there W=1 alone, said as a skip;
	# the same dbbuf.c and dbbuf.h go through sparse on 6.12 and 6.1.
	load_base
	cvalid=$KDIR/source/scripts/checker-valid.sh
	[ -f "$cvalid" ] || cvalid=$KDIR/scripts/checker-valid.sh
	if [ -f "$cvalid" ] && [ "$(sh "$cvalid" sparse -m64 2>/dev/null)" != 1 ]; then
		skipped=$((skipped + 1))
		printf 'skip %ssparse (C=2): %s rejects Debian'"'"'s sparse %s (no __typeof_unqual__); dbbuf.c and dbbuf.h are checked on the backports\n' \
			"$PREFIX" "scripts/checker-valid.sh" "$(sparse --version 2>/dev/null)"
		c= what="W=1"
	fi
	log=$OUT/sparse.log
	SRC_TREE=$OUT/series OUT=$OUT/sparse EXTRA="$c W=1" \
		"$TOP/scripts/modules.sh" >"$log" 2>&1
	local rc=$?
	cat "$OUT/sparse/build.log" >>"$log" 2>/dev/null
	# kbuild prints CHECK for each file sparse looked at: make sure it
	# ran, on pci.c and dbbuf.c.
	[ $rc -eq 0 ] && ! grep -qE 'warning:|error:' "$OUT/sparse/build.log" || rc=1
	if [ -n "$c" ]; then
		grep -q 'CHECK .*pci\.c' "$log" && grep -q 'CHECK .*dbbuf\.c' "$log" || rc=1
	fi
	result "$what: no warnings in nvme.ko's sources" $rc "$log"
}

# The files the series adds to drivers/: what kernel-doc and coccicheck
# must find clean.
OUR_FILES=(drivers/nvme/host/dbbuf.c drivers/nvme/host/dbbuf.h)

# kdoc ARGS...: the series tree's scripts/kernel-doc, Perl (6.12, 6.1) or
# Python (7.3, a link to tools/docs/kernel-doc), run by its path.
kdoc() {
	local k=$OUT/series/scripts/kernel-doc
	if head -n1 "$(readlink -f "$k")" 2>/dev/null | grep -q python; then
		python3 "$k" "$@"
	else
		perl "$k" "$@"
	fi
}

# kernel-doc_coverage DIR: every function of dbbuf.c and dbbuf.h that
# pci.c calls has a kernel-doc comment, which kernel-doc itself finds.
# Prints the ones that lack one; the count of those checked on fd 3.
kerneldoc_coverage() {
	local dir=$1 f n=0 missing=0
	for f in $(grep -o 'nvme_dbbuf_[a-z_]*' "$dir/drivers/nvme/host/pci.c" | sort -u); do
		# Defined (not only declared) in our files?
		grep -qE "^(static inline )?[a-z_ ]*[ *]$f\(|^$f\(" \
			"${OUR_FILES[@]/#/$dir/}" || continue
		n=$((n + 1))
		if [ -z "$(cd "$dir" && kdoc -rst -function "$f" \
				"${OUR_FILES[@]}" 2>/dev/null)" ]; then
			echo "no kernel-doc comment: $f()"
			missing=$((missing + 1))
		fi
	done
	echo "$n" >&3
	[ $missing -eq 0 ] && [ $n -gt 0 ]
}

do_kerneldoc() {
	local log=$OUT/kernel-doc.log n tamper=$OUT/kernel-doc-tampered
	rm -rf "$tamper-params"
	need_pkgs perl
	apply_here || { result "the series applies" 1; return; }
	# Every warning kernel-doc has: -Wall where it exists (6.12), -v before
	# (6.1, where -v turns on the Return: checks).
	local wall=-v
	! grep -q -- '-Wall' "$(readlink -f "$OUT/series/scripts/kernel-doc")" || wall=-Wall
	(cd "$OUT/series" && kdoc -none $wall "${OUR_FILES[@]}") >"$log" 2>&1
	[ $? -eq 0 ] && ! grep -qiE 'warning|error|unknown' "$log"
	result "kernel-doc -none $wall: dbbuf.c and dbbuf.h clean" $? "$log"
	# and it does warn: a parameter documented under a name it lacks.
	mkdir -p "$tamper-params"
	sed '0,/^ \* @dbq: /s// * @dbqx: /' "$OUT/series/drivers/nvme/host/dbbuf.h" >"$tamper-params/dbbuf.h"
	kdoc -none $wall "$tamper-params/dbbuf.h" >"$tamper-params.log" 2>&1
	grep -q 'dbqx' "$tamper-params.log"
	result "kernel-doc: a misnamed parameter is reported" $? "$tamper-params.log"
	log=$OUT/kernel-doc-coverage.log
	kerneldoc_coverage "$OUT/series" >"$log" 2>&1 3>"$log.n"
	local rc=$?
	n=$(cat "$log.n")
	result "kernel-doc: each of the $n dbbuf functions pci.c calls is documented" $rc "$log"
	# The coverage check sees a missing comment: take one away.
	rm -rf "$tamper" && mkdir -p "$tamper/drivers/nvme/host"
	cp "$OUT/series/drivers/nvme/host/"{pci.c,dbbuf.c,dbbuf.h} "$tamper/drivers/nvme/host/"
	sed -i '0,/^\/\*\* *$/s//\/*/' "$tamper/drivers/nvme/host/dbbuf.c"
	! kerneldoc_coverage "$tamper" >"$tamper.log" 2>&1 3>/dev/null &&
		grep -q '^no kernel-doc comment: ' "$tamper.log"
	result "kernel-doc: the coverage check fails when a comment is not kernel-doc" $? "$tamper.log"
}

# coccicheck_dir DIR LOG [COCCI]: the base's scripts/coccicheck, in report
# mode, on the files in DIR (as an external module directory, so that only
# they are searched).  Prints the reports on DIR's files.
coccicheck_dir() {
	local dir=$1 log=$2
	# The directory to search: KBUILD_EXTMOD up to 6.12, srcroot in 7.3.
	(srctree=$OUT/series srcroot=$dir KBUILD_EXTMOD=$dir MODE=report J=1 \
		COCCI=${3:-} bash "$OUT/series/scripts/coccicheck") >"$log" 2>&1 || {
		echo "coccicheck failed (exit $?)"; return 1; }
	# spatch ran on the files: no usage message (an empty --dir).
	! grep -q '^Usage: spatch' "$log" || { echo "spatch was called without its files"; return 1; }
	grep "^$dir/" "$log"
	return 0
}

do_coccicheck() {
	local log=$OUT/coccicheck.log dir=$OUT/coccicheck reports
	# ocaml-nox and libpython3.N: some semantic patches run OCaml or
	# Python scripts, which spatch loads at run time.
	need_pkgs coccinelle ocaml-nox
	need_pkgs "libpython$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
	apply_here || { result "the series applies" 1; return; }
	say "coccicheck: every semantic patch of the base on dbbuf.c and dbbuf.h (about 30 s)"
	rm -rf "$dir" "$dir-tampered" && mkdir -p "$dir" "$dir-tampered"
	cp "${OUR_FILES[@]/#/$OUT/series/}" "$dir/"
	reports=$(coccicheck_dir "$dir" "$log")
	local rc=$?
	[ -z "$reports" ] || { echo "reports:"; echo "$reports"; } >>"$log"
	local ncocci
	ncocci=$(grep -c '^/.*spatch ' "$log")
	[ $rc -eq 0 ] && [ -z "$reports" ] && [ "$ncocci" -gt 50 ]
	rc=$?
	result "coccicheck (report mode, $ncocci semantic patches): dbbuf.c and dbbuf.h clean" $rc "$log"
	# It reports what it should: a needless NULL check before kfree().
	cp "$dir"/* "$dir-tampered/"
	printf '\nstatic void nvme_dbbuf_tampered(void *p)\n{\n\tif (p)\n\t\tkfree(p);\n}\n' \
		>>"$dir-tampered/dbbuf.c"
	coccicheck_dir "$dir-tampered" "$dir-tampered.log" \
		"$OUT/series/scripts/coccinelle/free/ifnullfree.cocci" | grep -q 'dbbuf.c:.*WARNING'
	result "coccicheck: a tampered dbbuf.c is reported" $? "$dir-tampered.log"
}

# The documentation page, rendered by Sphinx as the kernel's documentation
# is, with warnings as errors: Documentation/nvme/ as the series leaves it
# (the subset of the kernel's documentation that holds our pages), and
# the toctree entry that links it into the kernel's.
do_docs() {
	local log=$OUT/docs.log src=$OUT/docs/src
	need_pkgs python3-sphinx
	apply_here || { result "the series applies" 1; return; }
	rm -rf "$OUT/docs" && mkdir -p "$src"
	# The page the series adds, under an index of its own: the base's
	# other pages link to documents outside this subset.
	cp "$OUT/series/Documentation/nvme/dbbuf.rst" "$src/" 2>/dev/null
	printf 'NVMe\n====\n\n.. toctree::\n\n   dbbuf\n' > "$src/index.rst"
	sphinx-build -q -W --keep-going -C -D master_doc=index \
		-D project="Linux NVMe" -b html "$src" "$OUT/docs/html" >"$log" 2>&1 &&
		[ -s "$OUT/docs/html/dbbuf.html" ]
	result "docs: Documentation/nvme/dbbuf.rst renders with Sphinx, no warnings" $? "$log"
	# Linked in: nvme/index lists it, and subsystem-apis.rst lists
	# nvme/index exactly once (7.3 has both already; 'git am -3' of a
	# patch that adds them again duplicates the entry silently).
	[ "$(grep -cx '   nvme/index' "$OUT/series/Documentation/subsystem-apis.rst")" = 1 ] &&
		[ "$(grep -cx '   dbbuf' "$OUT/series/Documentation/nvme/index.rst")" = 1 ]
	result "docs: subsystem-apis.rst lists nvme/index once, and nvme/index lists dbbuf once" $?
	# A broken page fails: an inline literal left open.
	cp -r "$src" "$OUT/docs/tampered"
	printf '\nThis ``literal is never closed.\n' >>"$OUT/docs/tampered/dbbuf.rst"
	! sphinx-build -q -W -C -D master_doc=index -D project=t -b html \
		"$OUT/docs/tampered" "$OUT/docs/tampered-html" >"$OUT/docs/tampered.log" 2>&1 &&
		grep -q 'dbbuf.rst:[0-9]*:.*Inline literal start-string without end-string' "$OUT/docs/tampered.log"
	result "docs: a page with an unclosed inline literal fails the render, for that literal" $? "$OUT/docs/tampered.log"
}

do_vmtest() {
	local log=$OUT/vmtest.log line
	apply_here || { result "the series applies" 1; return; }
	# The 7.3 debug kernel (KASAN, lockdep, kmemleak) runs the guest about
	# ten times slower under TCG: there, the main boot with the I/O and
	# the reload tests (accounting, cycle) and the failure path through
	# fault injection (fail-inject) keeps make check within its hour; the
	# backports run every test on the same files.
	local boots=${VMTEST:-} tests=${VMTEST_TESTS:-}
	if [ "$BASE" = 7.3 ]; then
		boots=${VMTEST:-main} tests=${VMTEST_TESTS:-accounting,cycle,fail-inject}
	fi
	say "vmtest: the nvme-dbbuf kselftest in QEMU guests (${boots:-all boots}${tests:+, tests $tests}; about 6 min under TCG)"
	SRC_TREE=$OUT/series VMTEST=$boots VMTEST_TESTS=$tests "$TOP/scripts/vmtest.sh" >"$log" 2>&1
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

# The debug kernel's detectors (7.3): each test-only mutant in tests/debug
# must trip its detector, and the series none over 50 reloads.
do_debug() {
	[ "$BASE" = 7.3 ] || return 0
	apply_here || { result "the series applies" 1; return; }
	say "debug: lockdep, KASAN, DMA-API and kmemleak on mutants and on the series (about 10 min under TCG)"
	SRC_TREE=$OUT/series tap_step debug "$TOP/tests/debug/run.sh"
}

# The kselftest built, installed and run the standard way (make -C
# tools/testing/selftests TARGETS=nvme-dbbuf, make install,
# run_kselftest.sh -c nvme-dbbuf in a guest): 7.3 only, the one base with
# a full tree.
do_kselftest_std() {
	[ "$BASE" = 7.3 ] || return 0
	say "kselftest-std: the kselftest the standard way, in a 7.3 guest (about 3 min under TCG)"
	tap_step kselftest-std "$TOP/tests/kselftest/run.sh"
}

# The vmtest's verdict scripts, on tampered and saved logs: each broken
# boot must fail, on the check that matters.
do_negatives() {
	need_pkgs python3
	say "negatives: the vmtest's verdicts on tampered and saved logs"
	tap_step negatives "$TOP/tests/vmtest/negatives.sh"
	# vm.sh's retry of a boot lost to the emulator (a stopped QEMU, an
	# IPI stall, a TCG crash; booted again twice at most): real boots,
	# SIGSTOP from the host, guests that crash.
	say "negatives: vm.sh's retry of a boot the emulator lost (real boots, a few minutes under TCG)"
	tap_step vm-stopped "$TOP/tests/vmtest/stopped.sh"
}

# tap_step NAME SCRIPT: a test script that prints TAP; each line is a result.
tap_step() {	# tap_step NAME [sudo] SCRIPT
	local step=$1 log=$OUT/$1.log line name
	shift
	"$@" >"$log" 2>&1
	local rc=$?
	while IFS= read -r line; do
		# "ok N name", "ok - name" or "ok N - name": the name alone
		name=$(sed -E 's/^(not )?ok( [0-9]+)?( -)? //' <<<"$line")
		case $line in
		"ok "*) result "$name" 0 ;;
		"not ok "*) result "$name" 1 "$log" ;;
		esac
	done < <(grep -E '^(not )?ok ' "$log")
	[ $rc -eq 0 ] || grep -q '^not ok ' "$log" ||
		result "$step: the runner finished (exit $rc)" 1 "$log"
}

# The choice of Debian packages, on fake archive listings: today's shape
# (a signed image missing), the 7.x shape (split images), fallbacks.
do_archive() {
	need_pkgs python3
	tap_step archive "$TOP/tests/archive/run.sh"
}

# make bench's report, on synthetic raw data, against golden output.
do_bench_report() {
	need_pkgs python3
	tap_step bench-report "$TOP/tests/bench/run.sh"
}

# make dkms-install and dkms-remove in a new Debian 12 root with the 6.12
# and 6.1 kernels and headers installed, and their negatives.
# It installs kernels into a chroot: root, or sudo as the rest does.
do_dkms() {
	say "dkms: make dkms-install and dkms-remove in a new Debian 12 root, 6.12 and 6.1 (about 5 min)"
	tap_step dkms $SUDO "$TOP/tests/dkms/run.sh"
}

# series.sh's export, series-check hygiene and post, on a throwaway git tree.
do_series_hygiene() {
	need_pkgs git
	tap_step series-hygiene "$TOP/tests/series/run.sh"
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

# took STEP T0: the step's time, where it is long enough to matter to the
# hour make check may take, and kept for the summary.
times=()
took() {
	local t=$((SECONDS - $2))
	[ $t -ge 30 ] || return 0
	printf '     (%s: %d min %d s)\n' "$1" $((t / 60)) $((t % 60))
	times+=("$(printf '%4d s  %s' $t "$1")")
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(series-check checkpatch build-series sparse kernel-doc coccicheck docs model microbench archive bench-report series-hygiene negatives dkms vmtest kselftest-std debug)
for s in "${steps[@]}"; do
	case $s in
	series-check|checkpatch|build-series|sparse|kernel-doc|coccicheck|docs|model|microbench|archive|bench-report|series-hygiene|negatives|dkms|vmtest|kselftest-std|debug) ;;
	*) die "unknown check step: $s" ;;
	esac
done
bases=("${BASES[@]}")
[ -z "$USER_BASE" ] || bases=("$USER_BASE")
accels=() used=()

# Each base's steps, in the order given.
for b in "${bases[@]}"; do
	BASE=$b KVER=$USER_KVER KDIR=$USER_KDIR KSRC=$USER_KSRC
	pick_base
	PREFIX="[$BASE] " OUT=$CHECK/$BASE
	mkdir -p "$OUT"
	rm -rf "$OUT/series"
	say "base $BASE"
	for s in "${steps[@]}"; do
		t0=$SECONDS
		case $s in
		series-check) do_series_check ;;
		checkpatch) do_checkpatch ;;
		build-series) do_build_series ;;
		sparse) do_sparse ;;
		kernel-doc) do_kerneldoc ;;
		coccicheck) do_coccicheck ;;
		docs) do_docs ;;
		vmtest) do_vmtest ;;
		kselftest-std) do_kselftest_std ;;
		debug) do_debug ;;
		esac
		took "$PREFIX$s" $t0
	done
	if [ -f "$BASE_ENV" ]; then
		load_base
		used+=("$BASE: Linux $LINUXVER, Debian $DEBVER from $SUITE (newest there: $NEWEST_DEBVER), ABI $KVER, image ${IMAGE_PKGS:-none}, QEMU $(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/.*version \([^ ]*\).*/\1/p')")
		[ ! -f "$BUILD/accel-$KVER.env" ] ||
			accels+=("$BASE: $(sed -n 's/^ACCEL=//p' "$BUILD/accel-$KVER.env")")
	fi
done
# The steps that are the same for every base.
PREFIX= OUT=$CHECK
for s in "${steps[@]}"; do
	t0=$SECONDS
	case $s in
	model) do_model ;;
	microbench) do_microbench ;;
	archive) do_archive ;;
	bench-report) do_bench_report ;;
	series-hygiene) do_series_hygiene ;;
	negatives) do_negatives ;;
	dkms) do_dkms ;;
	esac
	took "$s" $t0
done

[ $fail -eq 0 ] || { echo; echo "failed:"; printf '  %s\n' "${failed[@]}"; }
echo
# What was tested, exactly: the archive moves every week.
if [ ${#used[@]} -gt 0 ]; then
	echo "Debian packages used ($(. /etc/os-release && echo "$PRETTY_NAME") host):"
	printf '  %s\n' "${used[@]}"
	printf '%s\n' "${used[@]}" > "$CHECK/versions.txt"
fi
if [ ${#times[@]} -gt 0 ]; then
	echo "The steps that took 30 s or more, longest first:"
	printf '%s\n' "${times[@]}" | sort -rn | sed 's/^/  /'
fi
echo "make check took $((SECONDS / 60)) min $((SECONDS % 60)) s ($(date -u '+%Y-%m-%d %H:%M UTC'), bases ${bases[*]}, QEMU accelerator: ${accels[*]:-none})"
[ $skipped -eq 0 ] || echo "($skipped skipped, listed above)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
