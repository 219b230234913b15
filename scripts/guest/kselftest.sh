# SPDX-License-Identifier: GPL-2.0
# Guest side of the vmtest: load our nvme.ko and run the nvme-dbbuf
# kselftest (copied to /test by the runner).  Its TAP goes to the console.
. /lib/guest-lib.sh

load_nvme ours || { echo "Bail out! our nvme.ko did not load"; exit 1; }
export NVME_DBBUF_KO=/lib/modules/ours/nvme.ko
# The scratch namespace the tests may overwrite; without it they skip.
export NVME_DBBUF_DEV=/dev/nvme0n1
[ -n "${NVME_DBBUF_TESTS:-}" ] && export NVME_DBBUF_TESTS
cd /test && ./nvme_dbbuf_test
