// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of shadow doorbell buffers (Doorbell Buffer Config, NVMe 1.3
 * section 5.7) in the NVMe PCIe driver.
 *
 * They need a virtual machine with an emulated NVMe controller that
 * supports the command (QEMU 7.1 or later), fio, and a namespace whose data
 * may be overwritten: the data tests write to it.  They refuse to write to a
 * controller that is not QEMU's unless NVME_DBBUF_ALLOW_WRITE=1.
 *
 * Some results can only be seen from outside the guest: how many MMIO
 * doorbell writes trapped, how often the controller received the command.
 * The tests bracket such workloads with a Get Features (Timestamp) command
 * and a "# MARK name" line, which a host-side runner pairs with the
 * emulator's trace.
 *
 * Environment:
 *   NVME_DBBUF_CTRL   controller device (default /dev/nvme0)
 *   NVME_DBBUF_NS     namespace device (default /dev/nvme0n1)
 *   NVME_DBBUF_KO     nvme.ko to insmod when a test reloads the driver
 *                     (default: modprobe nvme)
 *   NVME_DBBUF_TESTS  comma-separated names of the tests to run (default all)
 *   NVME_DBBUF_ALLOW_WRITE=1  allow writing to a controller not QEMU's
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>

#include "../kselftest.h"

#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ADMIN_GET_FEATURES	0x0a
#define NVME_FEAT_TIMESTAMP	0x0e
#define NVME_ID_CNS_CTRL	0x01
#define NVME_OACS_DBBUF		0x0100	/* OACS bit 8 */
#define NR_RESETS		20
#define NR_CYCLES		20

/* fio, with its JSON report in a file: report, job name, device, options */
#define FIO_CMD \
	"fio --eta=never --output-format=json --output=%s --name=%s --filename=%s --direct=1 --group_reporting %s"
/* The workload whose MMIO doorbells the host counts */
#define ACCT_JOB \
	"--ioengine=libaio --rw=randread --bs=4k --iodepth=32 --numjobs=2 --runtime=5 --time_based"
#define MSG_NO_DBBUF \
	"the controller does not support Doorbell Buffer Config (OACS bit 8 clear)\n"
#define MSG_NOT_QEMU \
	"the tests overwrite %s, which is not on a QEMU controller; set NVME_DBBUF_ALLOW_WRITE=1 to allow it\n"

static const char *ctrl_dev = "/dev/nvme0";
static const char *ns_dev = "/dev/nvme0n1";
static const char *nvme_ko;
static const char *only;
static unsigned long long ns_bytes;

struct test {
	const char *name;
	const char *desc;
	void (*fn)(const struct test *t);
};

static int shell(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

static int admin_cmd(struct nvme_admin_cmd *cmd)
{
	int fd, rc;

	fd = open(ctrl_dev, O_RDONLY);
	if (fd < 0)
		return -errno;
	rc = ioctl(fd, NVME_IOCTL_ADMIN_CMD, cmd);
	if (rc < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int identify_ctrl(uint8_t *id)
{
	struct nvme_admin_cmd cmd = {
		.opcode = NVME_ADMIN_IDENTIFY,
		.addr = (uintptr_t)id,
		.data_len = 4096,
		.cdw10 = NVME_ID_CNS_CTRL,
	};

	return admin_cmd(&cmd);
}

/*
 * A point the host can find in the emulator's trace: QEMU traces Get
 * Features as pci_nvme_getfeat with the feature id, and nothing else here
 * asks for the Timestamp feature.
 */
static void mark(const char *name)
{
	uint64_t ts;
	struct nvme_admin_cmd cmd = {
		.opcode = NVME_ADMIN_GET_FEATURES,
		.addr = (uintptr_t)&ts,
		.data_len = sizeof(ts),
		.cdw10 = NVME_FEAT_TIMESTAMP,
	};

	ksft_print_msg("MARK %s\n", name);
	fflush(stdout);
	admin_cmd(&cmd);
}

static bool wait_for(const char *path, int seconds)
{
	struct stat st;
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (!stat(path, &st))
			return true;
		usleep(100000);
	}
	return false;
}

/* Reload the driver with @params; true once the namespace is back. */
static bool reload_driver(const char *params)
{
	shell("rmmod nvme 2>/dev/null");
	if (nvme_ko) {
		if (shell("insmod %s %s", nvme_ko, params))
			return false;
	} else if (shell("modprobe nvme %s", params)) {
		return false;
	}
	return wait_for(ns_dev, 30);
}

/* reload_driver() for test @t; on failure, report @t failed and say why. */
static bool reload_for(const struct test *t, const char *params)
{
	if (reload_driver(params))
		return true;
	ksft_test_result_fail("%s: loading the driver with '%s' failed\n",
			      t->desc, params);
	return false;
}

static bool has_param(const char *param)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/nvme/parameters/%s", param);
	return !access(path, F_OK);
}

/* Sum of every "total_ios" in a fio JSON report. */
static long fio_ios(const char *path)
{
	char line[512], *p;
	long ios = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "\"total_ios\" : ");
		if (p)
			ios += strtol(p + strlen("\"total_ios\" : "), NULL, 10);
	}
	fclose(f);
	return ios;
}

/*
 * Run fio job @name on the namespace; 0 when it completed without error
 * (with --verify, that includes every block reading back as written).
 */
static int run_fio(const char *name, const char *fmt, ...)
{
	char *args, report[64];
	va_list ap;
	long ios;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&args, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	snprintf(report, sizeof(report), "/tmp/fio-%s.json", name);
	rc = shell(FIO_CMD, report, name, ns_dev, args);
	free(args);
	ios = fio_ios(report);
	ksft_print_msg("IOS %s %ld\n", name, ios);
	if (rc)
		ksft_print_msg("fio job %s failed (exit %d)\n", name, rc);
	return rc || ios <= 0;
}

/* Random writes of 4 KiB, each block read back and checked (crc32c). */
static int fio_verify(const char *name, int iodepth, int jobs,
		      unsigned long long per_job)
{
	return run_fio(name,
		       "--ioengine=libaio --rw=randwrite --bs=4k --iodepth=%d --numjobs=%d --size=%llu --offset_increment=%llu --verify=crc32c --do_verify=1 --verify_fatal=1",
		       iodepth, jobs, per_job, per_job);
}

/* Sequential writes of mixed sizes from 512 B to 128 KiB, then verified. */
static int fio_verify_mixed(const char *name)
{
	unsigned long long size = ns_bytes < (256ULL << 20) ? ns_bytes :
				  (256ULL << 20);

	return run_fio(name,
		       "--ioengine=libaio --rw=write --bsrange=512-128k --iodepth=16 --size=%llu --verify=crc32c --do_verify=1 --verify_fatal=1",
		       size);
}

static unsigned long long per_job(int jobs, unsigned long long want)
{
	unsigned long long max = ns_bytes / jobs;

	return (want < max ? want : max) & ~4095ULL;
}

static void test_verify(const struct test *t)
{
	static const int depths[] = { 1, 32, 128 };
	unsigned int i, jobs;
	char name[32];
	int fails = 0;

	for (jobs = 1; jobs <= 2; jobs++) {
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "verify-qd%d-j%u",
				 depths[i], jobs);
			fails += !!fio_verify(name, depths[i], jobs,
					      per_job(jobs, 32ULL << 20));
		}
	}
	fails += !!fio_verify_mixed("verify-mixed");
	ksft_test_result(!fails, "%s\n", t->desc);
}

/*
 * The workload for the host's trap count: 4 KiB random reads at iodepth 32
 * with 2 jobs, once with shadow doorbells and once on the MMIO-only path.
 */
static void test_accounting(const struct test *t)
{
	int rc;

	mark("acct-on-begin");
	rc = run_fio("acct-on", ACCT_JOB);
	mark("acct-on-end");
	if (!has_param("use_dbbuf")) {
		ksft_test_result_skip("%s: the driver has no use_dbbuf parameter\n",
				      t->desc);
		return;
	}
	mark("acct-off-begin");
	if (!reload_for(t, "use_dbbuf=0"))
		return;
	rc |= run_fio("acct-off", ACCT_JOB);
	mark("acct-off-end");
	if (!reload_for(t, ""))
		return;
	ksft_test_result(!rc, "%s\n", t->desc);
}

static int reset_ctrl(void)
{
	char path[128];
	const char *dev = strrchr(ctrl_dev, '/') + 1;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/reset_controller",
		 dev);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	/* Returns once the controller is live again, or failed. */
	if (write(fd, "1", 1) != 1)
		rc = -errno;
	close(fd);
	return rc;
}

static bool ctrl_live(void)
{
	char path[128], state[32] = "";
	const char *dev = strrchr(ctrl_dev, '/') + 1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/state", dev);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return !strncmp(state, "live", 4);
}

static void test_reset(const struct test *t)
{
	int i, status, failed = 0, done_early = -1;
	pid_t pid;

	mark("reset-begin");
	pid = fork();
	if (pid < 0) {
		ksft_test_result_fail("%s: fork: %s\n", t->desc,
				      strerror(errno));
		return;
	}
	if (!pid) {
		/* Writes verified as they go, for up to 40 s. */
		exit(run_fio("reset-io",
			     "--ioengine=libaio --rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=%llu --offset_increment=%llu --loops=1000 --runtime=40 --verify=crc32c --verify_backlog=64 --verify_fatal=1",
			     per_job(2, 64ULL << 20), per_job(2, 64ULL << 20)));
	}
	sleep(2);
	for (i = 0; i < NR_RESETS; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			done_early = i;
			break;
		}
		if (reset_ctrl()) {
			ksft_print_msg("reset %d failed\n", i + 1);
			failed++;
		}
		usleep(300000);
	}
	if (done_early < 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	mark("reset-end");
	if (done_early >= 0) {
		ksft_test_result_fail("%s: fio ended before reset %d\n",
				      t->desc, done_early + 1);
		return;
	}
	if (failed || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    !ctrl_live()) {
		ksft_test_result_fail("%s: %d resets failed, fio status %d, controller %s\n",
				      t->desc, failed, status,
				      ctrl_live() ? "live" : "not live");
		return;
	}
	ksft_test_result_pass("%s\n", t->desc);
}

static void test_wrap(const struct test *t)
{
	int rc;

	if (!reload_for(t, "io_queue_depth=32"))
		return;
	/* 2 x 64 MiB of 4 KiB writes and reads: thousands of laps. */
	rc = fio_verify("wrap", 32, 2, per_job(2, 64ULL << 20));
	if (!reload_for(t, ""))
		return;
	ksft_test_result(!rc, "%s\n", t->desc);
}

static void test_cycle(const struct test *t)
{
	char name[32];
	int i;

	mark("cycle-begin");
	for (i = 0; i < NR_CYCLES; i++) {
		if (!reload_driver("")) {
			ksft_test_result_fail("%s: reload %d failed\n",
					      t->desc, i + 1);
			return;
		}
		snprintf(name, sizeof(name), "cycle-%d", i + 1);
		if (fio_verify(name, 8, 1, per_job(1, 4ULL << 20))) {
			ksft_test_result_fail("%s: I/O after reload %d failed\n",
					      t->desc, i + 1);
			return;
		}
	}
	mark("cycle-end");
	ksft_test_result_pass("%s\n", t->desc);
}

static void test_mmio_only(const struct test *t)
{
	int rc;

	if (!has_param("use_dbbuf")) {
		ksft_test_result_skip("%s: the driver has no use_dbbuf parameter\n",
				      t->desc);
		return;
	}
	mark("mmio-only-begin");
	if (!reload_for(t, "use_dbbuf=0"))
		return;
	rc = fio_verify("mmio-only-qd32-j2", 32, 2, per_job(2, 32ULL << 20));
	rc |= fio_verify_mixed("mmio-only-mixed");
	mark("mmio-only-end");
	if (!reload_for(t, ""))
		return;
	ksft_test_result(!rc, "%s\n", t->desc);
}

static const struct test tests[] = {
	{ "verify", "fio --verify: iodepth 1/32/128, 1/2 jobs, 512 B-128 KiB",
	  test_verify },
	{ "accounting", "workload for the trap count: iodepth 32, 2 jobs, shadow on and off",
	  test_accounting },
	{ "reset", "20 controller resets under fio --verify",
	  test_reset },
	{ "wrap", "queue depth 32: indices wrap thousands of times, verified",
	  test_wrap },
	{ "cycle", "20 driver reloads with verified I/O after each",
	  test_cycle },
	{ "mmio-only", "use_dbbuf=0: fio --verify on the MMIO-only path",
	  test_mmio_only },
};

static bool selected(const char *name)
{
	size_t n = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

int main(void)
{
	static uint8_t id[4096];
	unsigned int i, n = 0;
	bool allow_write;
	char model[41];
	uint16_t oacs;
	int fd, rc;

	ctrl_dev = getenv("NVME_DBBUF_CTRL") ?: ctrl_dev;
	ns_dev = getenv("NVME_DBBUF_NS") ?: ns_dev;
	nvme_ko = getenv("NVME_DBBUF_KO");
	only = getenv("NVME_DBBUF_TESTS");
	allow_write = getenv("NVME_DBBUF_ALLOW_WRITE") &&
		      !strcmp(getenv("NVME_DBBUF_ALLOW_WRITE"), "1");

	ksft_print_header();
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		n += selected(tests[i].name);
	ksft_set_plan(n);

	if (!strrchr(ctrl_dev, '/'))
		ksft_exit_fail_msg("NVME_DBBUF_CTRL=%s is not a device path\n",
				   ctrl_dev);
	rc = identify_ctrl(id);
	if (rc == -ENOENT || rc == -EACCES || rc == -EPERM)
		ksft_exit_skip("cannot use %s: %s\n", ctrl_dev, strerror(-rc));
	if (rc)
		ksft_exit_fail_msg("Identify Controller on %s failed: %d\n",
				   ctrl_dev, rc);
	memcpy(model, id + 24, 40);
	model[40] = '\0';
	oacs = id[256] | id[257] << 8;
	ksft_print_msg("%s: model '%.40s', OACS %#x\n", ctrl_dev, model, oacs);

	fd = open(ns_dev, O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &ns_bytes))
		ksft_exit_fail_msg("cannot size %s: %s\n", ns_dev,
				   strerror(errno));
	close(fd);

	if (!(oacs & NVME_OACS_DBBUF))
		ksft_exit_skip(MSG_NO_DBBUF);
	if (strncmp(model, "QEMU NVMe Ctrl", 14) && !allow_write)
		ksft_exit_skip(MSG_NOT_QEMU, ns_dev);
	if (shell("fio --version >/dev/null 2>&1"))
		ksft_exit_skip("fio is not installed\n");

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!selected(tests[i].name))
			continue;
		ksft_print_msg("test %s\n", tests[i].name);
		fflush(stdout);
		tests[i].fn(&tests[i]);
		fflush(stdout);
	}
	ksft_finished();
}
