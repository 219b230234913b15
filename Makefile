# SPDX-License-Identifier: GPL-2.0
#
# Entry points.  Each target delegates to a script in scripts/; see README.md.
# Variables passed through: BASE=6.12|6.1 (the series' base; default: the
# running kernel's line if it is a Debian kernel with headers, else 6.12),
# KSRC= KDIR= KVER= (another kernel), V=1.

SHELL := /bin/bash
export BASE KSRC KDIR KVER DRIVER BENCH BENCH_RUNTIME ACCEL VMTEST VMTEST_TESTS REROLL

.PHONY: all help base tree series series-check post modules run check \
	checkpatch build-series sparse kernel-doc coccicheck docs vmtest debug vmtest-negatives model-test microbench bench tcg-rate dkms-install dkms-remove clean distclean

all: modules

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## base          find and unpack the matching Debian source, headers, image
base:
	@scripts/base.sh

## tree          build/tree-BASE: the base with its patches applied, as git
##               commits (patches/ for 7.3, patches/6.12/ and patches/6.1/
##               for the backports)
tree:
	@scripts/series.sh tree

## series        export build/tree-BASE back into its patches and the views
##               (REROLL=N: version N of the posting, [PATCH vN]; a commit's
##               git note is its changelog, below the '---'); the patches
##               carry no Signed-off-by:, From: the series' label
series:
	@scripts/series.sh export

## series-check  fail when build/tree-BASE, the base's patches and the views
##               disagree; all three bases unless BASE= is given
series-check:
	@if [ -n "$(BASE)" ]; then scripts/series.sh check; else \
		for b in 7.3 6.12 6.1; do BASE=$$b scripts/series.sh check || exit 1; done; fi

## post          format build/tree-BASE for posting into DIR (default
##               build/post-BASE; BASE=7.3 by default), From: and
##               Signed-off-by: you (git config user.name, user.email);
##               refuses a placeholder or a no-mail address; prints the
##               git send-email command, does not run it (REROLL=N as series)
post:
	@scripts/series.sh post "$(DIR)"

## modules       build nvme.ko from base + series for the target kernel
modules:
	@scripts/modules.sh

## run           build, boot it in a QEMU guest, show it working
##               (DRIVER=stock: the same with Debian's nvme.ko)
run:
	@scripts/run.sh

## check         every test, on the three bases (BASE=: one); ends with
##               "N passed, N failed"
check:
	@scripts/check.sh

## checkpatch    checkpatch --strict on every patch
checkpatch:
	@scripts/check.sh checkpatch

## build-series  build every prefix of the series
build-series:
	@scripts/check.sh build-series

## sparse        sparse (C=2) and W=1 over our files
sparse:
	@scripts/check.sh sparse

## kernel-doc    scripts/kernel-doc -none on dbbuf.c and dbbuf.h, and every
##               function pci.c calls documented
kernel-doc:
	@scripts/check.sh kernel-doc

## coccicheck    the base's coccicheck (report mode) on dbbuf.c and dbbuf.h
coccicheck:
	@scripts/check.sh coccicheck

## docs          render Documentation/nvme with Sphinx, warnings as errors
##               (build/check/BASE/docs/html)
docs:
	@scripts/check.sh docs

## vmtest        the nvme-dbbuf kselftest in QEMU guests (build/tree-BASE)
vmtest:
	@scripts/vmtest.sh

## model-test    the userspace protocol model of dbbuf.h
model-test:
	@. scripts/lib.sh && need_pkgs gcc make libc6-dev
	@$(MAKE) -s -C tests/model check

## microbench    ns per shadow doorbell update: upstream's barriers against
##               ours, side by side (tests/model/microbench.c; x86-64)
microbench:
	@. scripts/lib.sh && need_pkgs gcc make libc6-dev
	@$(MAKE) -s -C tests/model microbench

## debug         the 7.3 debug kernel's detectors: test-only mutants
##               (tests/debug/mutants) must trip lockdep, KASAN, DMA-API
##               debugging and kmemleak; the series, over 50 reloads, none
debug:
	@BASE=7.3 tests/debug/run.sh

## vmtest-negatives  the vmtest's verdicts on tampered and saved logs
vmtest-negatives:
	@tests/vmtest/negatives.sh

## tcg-rate      how often guests crash or hang under TCG: boots of one
##               kselftest test (TCG_RATE_TESTS, default cycle), N of them
##               (TCG_RATE_BOOTS, default 6); TCG_RATE_MODES="multi single"
##               interleaves QEMU's multi-threaded TCG with one thread
tcg-rate:
	@scripts/tcg-rate.sh

## bench         stock vs ours vs ours with the no_dbbuf quirk
##               (nvme.quirks=1b36:0010:no_dbbuf), and stock against
##               itself (the A/A noise floor), in interleaved boots: IOPS and
##               MMIO doorbells per I/O, ratios;
##               build/bench/BASE/bench.{md,csv,png}
##               (BENCH=quick: about 7 min; default full: about 86 min;
##               BENCH_RUNTIME=S per job)
bench:
	@scripts/bench.sh

## dkms-install register with DKMS, build and install for the running
##               kernel (KVER= another); dkms-remove undoes it
dkms-install:
	@scripts/dkms.sh install

dkms-remove:
	@scripts/dkms.sh remove

## clean         remove build products, keep the downloaded packages
clean:
	rm -rf build/tree-* build/modules build/vm build/series-check-* \
		build/check build/vmtest-* build/model build/run-* \
		build/vmtest-negatives

## distclean     remove all of build/
distclean:
	rm -rf build
