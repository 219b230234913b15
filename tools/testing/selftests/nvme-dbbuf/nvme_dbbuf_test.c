// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of shadow doorbell buffers (Doorbell Buffer Config, NVMe 1.3
 * section 5.7) in the NVMe PCIe driver.
 *
 * They need a virtual machine with an emulated NVMe controller that
 * supports the command (QEMU 7.1 or later), fio, and a scratch namespace,
 * named in NVME_DBBUF_DEV: the tests overwrite it, reset its controller and
 * reload the nvme driver.  Without NVME_DBBUF_DEV they skip.  They also
 * skip, touching nothing, while any NVMe namespace or partition is mounted
 * or held, while another process has an NVMe device open, and while the
 * nvme driver drives another controller: reloading the driver would remove
 * it from under its user.
 *
 * A lost doorbell does not corrupt data: the driver's timeout handler
 * aborts the command after 30 s and resets the controller after 60 s, and
 * the data then verifies.  So no test relies on fio --verify alone:
 *  - each test reads the kernel log written while it ran, and fails on any
 *    nvme timeout, abort, controller reset or error message; the tests
 *    reset the controller through sysfs, which logs nothing, so every such
 *    message comes from the driver's own recovery;
 *  - after each controller reset the reset test reads one block from every
 *    CPU, and fails when a read does not complete within PROBE_TIMEOUT_MS
 *    (a stalled queue).
 *
 * Some results can only be seen from outside the guest: how many MMIO
 * doorbell writes trapped, how often the controller was enabled and
 * received the command.  The tests bracket such workloads with a Get
 * Features (Timestamp) command and a "# MARK name" line, which a host-side
 * runner pairs with the emulator's trace, and print the controller enables
 * and commands each span must contain ("# SPAN name enables=N configs=N").
 * Every driver load and controller reset a test causes lies in a span.
 *
 * Environment:
 *   NVME_DBBUF_DEV    the scratch namespace, e.g. /dev/nvme0n1 (required)
 *   NVME_DBBUF_KO     nvme.ko to insmod when a test reloads the driver
 *                     (default: modprobe nvme)
 *   NVME_DBBUF_TESTS  comma-separated names of the tests to run (default all)
 *                     (pagefit skips unless the controller offers 512
 *                     I/O queues or more and the guest can use them)
 *   NVME_DBBUF_RESETS controller resets per queue depth (default 100 at
 *                     iodepth 32, 40 at iodepth 4)
 *   NVME_DBBUF_SEED   seed for the reset test's random delays
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <regex.h>
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
#define NR_RESETS_QD32		100
#define NR_RESETS_QD4		40
#define NR_CYCLES		20
#define MIN_RESET_DELAY_MS	100
#define MAX_RESET_DELAY_MS	400
#define PROBE_TIMEOUT_MS	5000
#define STALL_WAIT_S		100
#define MAX_STALLED_RESETS	3	/* then the reset test gives up */
#define PAGEFIT_POLL_QUEUES	8
#define PAGEFIT_QUEUES		528	/* I/O queues to ask for: past the page */
#define FAIL_RESETS		3	/* resets with a failed command */
#define ADMIN_PROCS		32	/* concurrent admin command issuers */
#define ADMIN_CMDS		60	/* Identify commands each */
/* Queue pairs, admin included, with slots in a 4 KiB page at stride 4 */
#define PAGE_QUEUES		512
#define BAD_QUIRK		"no_such_quirk"

/* fio, with its JSON report in a file: report, job name, device, options */
#define FIO_CMD \
	"fio --eta=never --output-format=json --output=%s --name=%s --filename=%s --direct=1 --group_reporting %s"
/* The workload whose MMIO doorbells the host counts */
#define ACCT_JOB \
	"--ioengine=libaio --rw=randread --bs=4k --iodepth=32 --numjobs=2 --runtime=%d --time_based"
/* 4 KiB random writes, verified, interrupt-driven or polled (hipri=1) */
#define PAGEFIT_JOB \
	"--ioengine=io_uring --hipri=%d --rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=%llu --offset_increment=%llu --verify=crc32c --do_verify=1 --verify_fatal=1"
#define MSG_FEWER_QUEUES "the shadow doorbell page holds no more"
#define MSG_FEW_QUEUES \
	"too few I/O queues to fill the shadow doorbell page (boot with more possible CPUs and MSI-X vectors)"
#define MSG_CONFIG_FAILED "Doorbell Buffer Config failed with status"
#define MSG_NO_FAULT_INJECT \
	"needs nvme-core's fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS)"
#define MSG_NO_DBBUF \
	"the controller does not support Doorbell Buffer Config (OACS bit 8 clear)\n"
#define MSG_PROBE_FAILED \
	"after reset %d: the read from CPU %d failed (status %#x)\n"
#define MSG_STALL \
	"after reset %d: STALL: a read from CPU %d did not complete in %d ms\n"
#define MSG_NO_NSSR \
	"NVM Subsystem Reset: not supported by this controller (CAP.NSSRS clear); controller resets only\n"
#define MSG_RESETS \
	"%d resets (%d NSSR) at iodepth 32 and 4, seed %u: %d failed, %d stalled reads\n"
#define MSG_NO_DEV \
	"set NVME_DBBUF_DEV to a scratch NVMe namespace, e.g. /dev/nvme0n1: the tests overwrite it and reload the nvme driver\n"
#define MSG_IN_USE \
	"%s: the tests reload the nvme driver, which would remove it\n"

static char ctrl_dev[64];
static const char *ns_dev;
static const char *nvme_ko;
static const char *only;
static unsigned long long ns_bytes;
static int nr_resets;	/* per queue depth, if set */
static unsigned int seed;

struct test {
	const char *name;
	const char *desc;
	bool (*fn)(const struct test *t);
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

/* Driver loads so far: the driver's counters start again at each. */
static int driver_gen;

/*
 * The MMIO doorbells the driver traced: admin SQ, CQ; I/O SQs, CQs.  Only
 * updates published in a shadow slot are traced, so a queue on MMIO
 * doorbells alone adds nothing here.
 */
struct mmio_count {
	unsigned long long asq, acq, sq, cq;
	unsigned long long ssq, scq;	/* I/O queue updates EventIdx suppressed */
};

/* The driver's tracepoints (dbbuf_trace.h), where tracefs shows them. */
static const char *trace_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events/nvme_dbbuf",
		"/sys/kernel/debug/tracing/events/nvme_dbbuf",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!access(dirs[i], F_OK))
			return dirs[i];
	return NULL;
}

static const char *const dbbuf_events[] = { "nvme_dbbuf_sq", "nvme_dbbuf_cq" };
#define DBBUF_HIST "hist:keys=qid,mmio:vals=hitcount"

/* Write @cmd to the trigger file of each of the driver's events. */
static bool set_triggers(const char *cmd, int ok_errno)
{
	const char *dir = trace_dir();
	char path[PATH_MAX];
	unsigned int i;
	bool ok = !!dir;
	FILE *f;

	for (i = 0; dir && i < ARRAY_SIZE(dbbuf_events); i++) {
		snprintf(path, sizeof(path), "%s/%s/trigger", dir,
			 dbbuf_events[i]);
		f = fopen(path, "w");
		if (!f) {
			ok = false;
			continue;
		}
		fprintf(f, "%s\n", cmd);
		if (fclose(f) && errno != ok_errno)
			ok = false;
	}
	return ok;
}

/*
 * Count the driver's doorbell updates in the kernel from here on: a hist
 * trigger on each of its two events, keyed by queue and MMIO.
 * Every load of the driver creates the events afresh, without triggers,
 * so call this after each load.  False if the driver has no tracepoints.
 * Armed already (EEXIST): by the loader, for this driver.
 */
static bool arm_counts(void)
{
	return set_triggers(DBBUF_HIST, EEXIST);
}

/*
 * Remove the triggers before the driver is unloaded: a module must not go
 * with probes still on its tracepoints (the kernel warns).
 */
static void disarm_counts(void)
{
	set_triggers("!" DBBUF_HIST, ENOENT);
}

/*
 * Sum the driver's counts, from the hist triggers arm_counts() set: the
 * MMIO doorbells of the admin queue and of the I/O queues, SQ and CQ, and
 * the I/O queue updates published but not rung.  False if there are none.
 */
static bool read_mmio_count(struct mmio_count *c)
{
	unsigned int i, qid, mmio;
	const char *dir = trace_dir();
	char path[PATH_MAX], line[256];
	unsigned long long n;
	bool ok = true;
	FILE *f;

	if (!dir)
		return false;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(dbbuf_events); i++) {
		snprintf(path, sizeof(path), "%s/%s/hist", dir,
			 dbbuf_events[i]);
		f = fopen(path, "r");
		if (!f) {
			ok = false;
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "{ qid: %u, mmio: %u } hitcount: %llu",
				   &qid, &mmio, &n) != 3)
				continue;
			if (!qid && mmio)
				*(i ? &c->acq : &c->asq) += n;
			else if (qid && mmio)
				*(i ? &c->cq : &c->sq) += n;
			else if (qid)
				*(i ? &c->scq : &c->ssq) += n;
		}
		fclose(f);
	}
	return ok;
}

/*
 * Wait up to 2 s for the driver's counters to stay put for @quiet_ms,
 * then print them for the host: "# MMIO-COUNT @when gen asq acq sq cq ssq
 * scq" (the MMIO doorbells of the admin queue, SQ and CQ, those of the I/O
 * queues, and the I/O queue updates EventIdx suppressed), or "none"
 * without counters.
 */
static void print_mmio_count(const char *when, int quiet_ms)
{
	struct mmio_count a, b;
	int i, still = 0;

	if (!read_mmio_count(&a)) {
		ksft_print_msg("MMIO-COUNT %s none\n", when);
		return;
	}
	for (i = 0; i < 100 && still < quiet_ms; i++) {
		usleep(20000);
		if (!read_mmio_count(&b))
			break;
		still = memcmp(&a, &b, sizeof(a)) ? 0 : still + 20;
		a = b;
	}
	ksft_print_msg("MMIO-COUNT %s %d %llu %llu %llu %llu %llu %llu\n",
		       when, driver_gen, a.asq, a.acq, a.sq, a.cq, a.ssq, a.scq);
}

/*
 * A point the host can find in the emulator's trace: QEMU traces Get
 * Features as pci_nvme_getfeat with the feature id, and nothing else here
 * asks for the Timestamp feature.  Around it, the driver's own count of
 * MMIO doorbells, which the host compares with QEMU's between marks.
 */
static void mark_quiet(const char *name, const char *suffix, int quiet_ms)
{
	uint64_t ts;
	struct nvme_admin_cmd cmd = {
		.opcode = NVME_ADMIN_GET_FEATURES,
		.addr = (uintptr_t)&ts,
		.data_len = sizeof(ts),
		.cdw10 = NVME_FEAT_TIMESTAMP,
	};

	/* Nothing but the mark's own command may fall between the two. */
	print_mmio_count("pre", quiet_ms);
	ksft_print_msg("MARK %s%s\n", name, suffix);
	fflush(stdout);
	admin_cmd(&cmd);
	print_mmio_count("post", 20);
}

static void mark(const char *name, const char *suffix)
{
	mark_quiet(name, suffix, 40);
}

static void span_begin(const char *name)
{
	mark(name, "-begin");
}

/*
 * End span @name: the host checks that the controller was enabled exactly
 * @enables times in it and received Doorbell Buffer Config @configs times.
 */
static void span_end(const char *name, int enables, int configs)
{
	ksft_print_msg("SPAN %s enables=%d configs=%d\n", name, enables,
		       configs);
	mark(name, "-end");
}

/* --- the kernel log --------------------------------------------------- */

/* A /dev/kmsg reader positioned at the end of the log, or -1. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Is this kernel log record a sign of trouble from nvme?  Anything the
 * driver's timeout and recovery paths print, at any level, and any nvme
 * message at warning level or above, except the notice that an out-of-tree
 * module taints the kernel.
 */
static const char *expected_msg[2];	/* kernel log lines the test causes */

static bool kmsg_bad(int level, const char *msg)
{
	static const char *const trouble[] = {
		"timeout", "abort", "reset controller", "completion polled",
		"Removing after", "failed", "dbbuf", "I/O error", "kick",
		"stall",
	};
	unsigned int i;

	if (!strstr(msg, "nvme"))
		return false;
	if (strstr(msg, "taints kernel") ||
	    strstr(msg, "module verification failed"))
		return false;
	for (i = 0; i < ARRAY_SIZE(expected_msg); i++)
		if (expected_msg[i] && strstr(msg, expected_msg[i]))
			return false;
	for (i = 0; i < ARRAY_SIZE(trouble); i++)
		if (strstr(msg, trouble[i]))
			return true;
	return level <= 4;	/* KERN_WARNING */
}

/* Close @fd; the number of bad records logged since kmsg_open(). */
static int kmsg_check(int fd)
{
	char rec[2048], *msg;
	int bad = 0, level;
	ssize_t n;

	if (fd < 0) {
		ksft_print_msg("cannot read /dev/kmsg: the kernel log is not checked\n");
		return 1;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		*msg++ = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		level = atoi(rec) & 7;
		if (kmsg_bad(level, msg)) {
			ksft_print_msg("kernel log: <%d> %s\n", level, msg);
			bad++;
		}
	}
	close(fd);
	return bad;
}

/* Close @fd; the number of records logged since kmsg_open() holding @what. */
static int kmsg_count(int fd, const char *what)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	if (fd < 0)
		return -1;
	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		n += !!strstr(rec, what);
	}
	close(fd);
	return n;
}

/* --- the driver -------------------------------------------------------- */

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

static bool nvme_in_use(char *busy, size_t len);

/*
 * Reload the driver with @params; true once the namespace is back.  Never
 * while an NVMe device is in use, which the unload would remove.
 */
static bool reload_driver(const char *params)
{
	char name[32], busy[PATH_MAX];
	bool ok;

	if (nvme_in_use(busy, sizeof(busy))) {
		ksft_print_msg(MSG_IN_USE, busy);
		return false;
	}
	disarm_counts();
	shell("rmmod nvme 2>/dev/null");
	if (!access("/sys/module/nvme", F_OK)) {
		ksft_print_msg("nvme could not be unloaded: not reloading it\n");
		arm_counts();
		return false;
	}
	driver_gen++;
	if (nvme_ko) {
		if (shell("insmod '%s' %s", nvme_ko, params))
			return false;
	} else if (shell("modprobe nvme %s", params)) {
		return false;
	}
	ok = wait_for(ns_dev, 30);
	arm_counts();
	/*
	 * From here the host can compare the new driver's counts, once the
	 * namespace scan's admin commands are over.
	 */
	snprintf(name, sizeof(name), "loaded-%d", driver_gen);
	mark_quiet(name, "", 200);
	return ok;
}

/* The value of parameter @name of module @mod; NULL if none. */
static const char *mod_param(const char *mod, const char *name)
{
	static char val[32];
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(val, sizeof(val), f))
		val[0] = '\0';
	fclose(f);
	val[strcspn(val, "\n")] = '\0';
	return val;
}

/* The value of parameter @name of the loaded nvme module; NULL if none. */
static const char *param(const char *name)
{
	return mod_param("nvme", name);
}

/* Is parameter @name of the loaded nvme module @want?  Say if not. */
static bool param_is(const char *name, const char *want)
{
	const char *val = param(name);

	if (val && !strcmp(val, want))
		return true;
	ksft_print_msg("nvme.%s is %s%s%s, not %s\n", name, val ? "'" : "",
		       val ?: "missing", val ? "'" : "", want);
	return false;
}

/* Reload with @params; on failure say why and return false. */
static bool reload_ok(const char *params)
{
	if (reload_driver(params))
		return true;
	ksft_print_msg("loading the driver with '%s' failed\n", params);
	return false;
}

/* Attribute @attr of the controller's PCI device, a hex number; 0 if none. */
static unsigned int pci_id(const char *attr)
{
	unsigned int id = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/device/%s",
		 strrchr(ctrl_dev, '/') + 1, attr);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%x", &id) != 1)
			id = 0;
		fclose(f);
	}
	return id;
}

/*
 * nvme.quirks= for this controller alone: "quirks=VID:DID:@names", the
 * IDs read from sysfs.  Shadow doorbells are turned off by the no_dbbuf
 * quirk, the admin queue's by taking dbbuf_admin away (^dbbuf_admin).
 */
static const char *quirks_param(const char *names)
{
	static char buf[64];
	unsigned int vid = pci_id("vendor"), did = pci_id("device");

	if (!vid || !did)
		ksft_exit_fail_msg("cannot read the PCI IDs of %s\n", ctrl_dev);
	snprintf(buf, sizeof(buf), "quirks=%04x:%04x:%s", vid, did, names);
	return buf;
}

/* Was the driver loaded with @params' quirks (@params NULL: none)? */
static bool quirks_are(const char *params)
{
	return param_is("quirks", params ? params + strlen("quirks=") : "");
}

static bool state_is(const char *want);

/* The state of a default load; beyond= depends on the CPUs. */
#define STATE_ON "^active armed=[1-9][0-9]* admin=1 beyond=[0-9]+$"

/*
 * Reload with default parameters, in span @name: one enable, one command,
 * and every queue armed again.
 */
static bool restore_driver(const char *name)
{
	span_begin(name);
	if (!reload_ok(""))
		return false;
	span_end(name, 1, 1);
	return state_is(STATE_ON);
}

/* --- fio --------------------------------------------------------------- */

/*
 * From a fio JSON report: the sum of every "total_ios", and the number of
 * non-zero "error" fields.  False if there is no report.
 */
static bool fio_report(const char *path, long *ios, int *errors)
{
	char line[512], *p;
	FILE *f;

	*ios = 0;
	*errors = 0;
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "\"total_ios\" : ");
		if (p)
			*ios += strtol(p + strlen("\"total_ios\" : "), NULL, 10);
		p = strstr(line, "\"error\" : ");
		if (p && strtol(p + strlen("\"error\" : "), NULL, 10))
			(*errors)++;
	}
	fclose(f);
	return true;
}

/*
 * Judge a finished fio job @name: @status from waitpid()/system(),
 * @stopped if the test ended it with SIGINT (fio then exits with 128).
 * 0 when it ran I/O and reported no error; with --verify, that includes
 * every block reading back as written.
 */
static int fio_result(const char *name, int rc, bool stopped)
{
	char report[64];
	long ios;
	int errors;

	snprintf(report, sizeof(report), "/tmp/fio-%s.json", name);
	if (!fio_report(report, &ios, &errors)) {
		ksft_print_msg("fio job %s left no report\n", name);
		return 1;
	}
	ksft_print_msg("IOS %s %ld\n", name, ios);
	if ((rc && !(stopped && rc == 128)) || errors || ios <= 0) {
		ksft_print_msg("fio job %s failed (exit %d, %d errors, %ld I/Os)\n",
			       name, rc, errors, ios);
		return 1;
	}
	return 0;
}

/*
 * The shell command that runs fio job @name on the namespace with the
 * options @fmt, its JSON report in /tmp/fio-@name.json (removed first) and
 * its other output in /tmp/fio-@name.log; NULL if out of memory.  exec, so
 * that a signal to the shell's pid reaches fio itself.
 */
static char *fio_command(const char *name, const char *fmt, va_list ap)
{
	char report[64], *args, *cmd;

	snprintf(report, sizeof(report), "/tmp/fio-%s.json", name);
	unlink(report);
	if (vasprintf(&args, fmt, ap) < 0)
		return NULL;
	if (asprintf(&cmd, "exec " FIO_CMD " >/tmp/fio-%s.log 2>&1", report,
		     name, ns_dev, args, name) < 0)
		cmd = NULL;
	free(args);
	return cmd;
}

/* Run fio job @name on the namespace; 0 when it completed without error. */
static int run_fio(const char *name, const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = fio_command(name, fmt, ap);
	va_end(ap);
	if (!cmd)
		return -1;
	rc = system(cmd);
	free(cmd);
	rc = (rc == -1 || !WIFEXITED(rc)) ? -1 : WEXITSTATUS(rc);
	return fio_result(name, rc, false);
}

/* Start fio job @name in the background; its pid, or -1. */
static pid_t start_fio(const char *name, const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	pid_t pid;

	va_start(ap, fmt);
	cmd = fio_command(name, fmt, ap);
	va_end(ap);
	if (!cmd)
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return pid;
}

/* Stop a background fio with SIGINT and judge it. */
static int stop_fio(const char *name, pid_t pid)
{
	int status;

	kill(pid, SIGINT);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		ksft_print_msg("fio job %s did not exit normally\n", name);
		return 1;
	}
	return fio_result(name, WEXITSTATUS(status), true);
}

static unsigned long long per_job(int jobs, unsigned long long want)
{
	unsigned long long max = ns_bytes / jobs;

	return (want < max ? want : max) & ~4095ULL;
}

/* Random writes of 4 KiB, each block read back and checked (crc32c). */
static int fio_verify(const char *name, int iodepth, int jobs,
		      unsigned long long size)
{
	return run_fio(name,
		       "--ioengine=libaio --rw=randwrite --bs=4k --iodepth=%d --numjobs=%d --size=%llu --offset_increment=%llu --verify=crc32c --do_verify=1 --verify_fatal=1",
		       iodepth, jobs, size, size);
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

/* The same data checks as test_verify(), with any driver. */
static int verify_all(const char *prefix)
{
	static const int depths[] = { 1, 32, 128 };
	unsigned int i, jobs;
	char name[48];
	int fails = 0;

	for (jobs = 1; jobs <= 2; jobs++) {
		for (i = 0; i < ARRAY_SIZE(depths); i++) {
			snprintf(name, sizeof(name), "%sverify-qd%d-j%u",
				 prefix, depths[i], jobs);
			fails += !!fio_verify(name, depths[i], jobs,
					      per_job(jobs, 32ULL << 20));
		}
	}
	snprintf(name, sizeof(name), "%sverify-mixed", prefix);
	fails += !!fio_verify_mixed(name);
	return fails;
}

/*
 * The workload whose MMIO doorbells per I/O the host counts, in span
 * @name: 4 KiB random reads at iodepth 32 with 2 jobs.
 */
static int measure(const char *name, int seconds)
{
	int rc;

	span_begin(name);
	rc = run_fio(name, ACCT_JOB, seconds);
	span_end(name, 0, 0);
	return rc;
}

/* --- the tests --------------------------------------------------------- */

static bool test_verify(const struct test *t)
{
	(void)t;
	return state_is(STATE_ON) & !verify_all("");
}

/*
 * The workload for the host's trap count, once with shadow doorbells and
 * once on the MMIO-only path; here, check that each ran on the driver it
 * was meant for.
 */
static bool test_accounting(const struct test *t)
{
	int rc;

	(void)t;
	if (!quirks_are(NULL))
		return false;
	rc = measure("acct-on", 5);

	span_begin("acct-off");
	if (!reload_ok(quirks_param("no_dbbuf")))
		return false;
	rc |= !quirks_are(quirks_param("no_dbbuf"));
	rc |= !state_is("^disabled reason=quirk$");
	rc |= run_fio("acct-off", ACCT_JOB, 5);
	span_end("acct-off", 1, 0);
	return restore_driver("acct-restore") && !rc;
}

static int ctrl_attr(const char *attr, char *buf, size_t len)
{
	const char *dev = strrchr(ctrl_dev, '/') + 1;
	char path[128];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/%s", dev, attr);
	fd = open(path, buf ? O_RDONLY : O_WRONLY);
	if (fd < 0)
		return -errno;
	if (buf) {
		n = read(fd, buf, len - 1);
		buf[n > 0 ? n : 0] = '\0';
	} else {
		/* reset_controller returns once the controller is live again */
		n = write(fd, "1", 1) == 1 ? 0 : -errno;
	}
	close(fd);
	return n < 0 ? (int)n : 0;
}

static bool ctrl_live(void)
{
	char state[32];

	return !ctrl_attr("state", state, sizeof(state)) &&
	       !strncmp(state, "live", 4);
}

/*
 * The driver's shadow doorbell state for the controller, in debugfs, must
 * match the extended regular expression @want.  Say what it holds.
 */
static bool state_is(const char *want)
{
	char path[128], state[128] = "", *nl;
	regex_t re;
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/nvme_dbbuf/%s",
		 strrchr(ctrl_dev, '/') + 1);
	f = fopen(path, "r");
	if (!f || !fgets(state, sizeof(state), f)) {
		ksft_print_msg("cannot read %s: %s\n", path,
			       f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	nl = strchr(state, '\n');
	if (nl)
		*nl = '\0';
	if (regcomp(&re, want, REG_EXTENDED | REG_NOSUB))
		ksft_exit_fail_msg("bad regular expression %s\n", want);
	ok = !regexec(&re, state, 0, NULL, 0);
	regfree(&re);
	ksft_print_msg("dbbuf state: %s%s%s\n", state, ok ? "" : ", expected ",
		       ok ? "" : want);
	return ok;
}

/* Wait up to @seconds for the controller to be live again. */
static bool wait_live(int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (ctrl_live())
			return true;
		usleep(50000);
	}
	return false;
}

/*
 * NVM Subsystem Reset, when the controller offers it (CAP.NSSRS): 0, or
 * -ENOTTY when it does not.
 */
static int subsys_reset(void)
{
	int fd, rc;

	fd = open(ctrl_dev, O_RDONLY);
	if (fd < 0)
		return -errno;
	rc = ioctl(fd, NVME_IOCTL_SUBSYS_RESET);
	rc = rc < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* Read one block at a random offset from CPU @cpu, in a child; its pid. */
static pid_t probe_start(int cpu)
{
	cpu_set_t set;
	pid_t pid;
	void *buf;
	off_t off;
	int fd;

	off = (off_t)(rand() % (ns_bytes / 4096)) * 4096;
	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		_exit(2);
	fd = open(ns_dev, O_RDONLY | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, 4096))
		_exit(3);
	_exit(pread(fd, buf, 4096, off) == 4096 ? 0 : 4);
}

/*
 * Is every hardware queue serving I/O?  One read from each CPU (blk-mq
 * maps each CPU to a queue) must complete within PROBE_TIMEOUT_MS; under
 * TCG one takes a few milliseconds even behind fio's.  A read that does
 * not is stuck behind a doorbell the controller never saw.  The first
 * time, wait for the driver to recover it (timeout, abort, reset) so that
 * the kernel log shows how; later ones are left to the next reset, which
 * requeues them, and reaped by probe_reap().  Returns the stuck reads.
 */
static pid_t stuck_pid[1024];
static int nr_stuck;
static bool waited;
static const char *skip_reason;	/* set by a test that could not run */

static int probe_queues(int reset)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, ms, status, stuck = 0;
	pid_t pid[64];

	if (ncpu > 64)
		ncpu = 64;
	for (cpu = 0; cpu < ncpu; cpu++)
		pid[cpu] = probe_start(cpu);
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (pid[cpu] < 0) {
			stuck++;
			continue;
		}
		for (ms = 0; ms < PROBE_TIMEOUT_MS; ms += 5) {
			if (waitpid(pid[cpu], &status, WNOHANG) == pid[cpu])
				break;
			usleep(5000);
		}
		if (ms < PROBE_TIMEOUT_MS) {
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				ksft_print_msg(MSG_PROBE_FAILED, reset, cpu,
					       status);
				stuck++;
			}
			continue;
		}
		stuck++;
		ksft_print_msg(MSG_STALL, reset, cpu, PROBE_TIMEOUT_MS);
		if (waited || stuck > 1) {
			if (nr_stuck < (int)ARRAY_SIZE(stuck_pid))
				stuck_pid[nr_stuck++] = pid[cpu];
			continue;
		}
		waited = true;
		for (ms = 0; ms < STALL_WAIT_S * 1000; ms += 100) {
			if (waitpid(pid[cpu], &status, WNOHANG) == pid[cpu])
				break;
			usleep(100000);
		}
		ksft_print_msg("after reset %d: the read from CPU %d %s after %d.%d s more\n",
			       reset, cpu,
			       ms < STALL_WAIT_S * 1000 ? "completed" :
			       "is still stuck", ms / 1000, ms % 1000 / 100);
		if (ms >= STALL_WAIT_S * 1000) {
			kill(pid[cpu], SIGKILL);
			waitpid(pid[cpu], &status, 0);
		}
	}
	return stuck;
}

/* Reap the stuck reads left to later resets; how many never completed. */
static int probe_reap(void)
{
	int i, ms, lost = 0;

	for (i = 0; i < nr_stuck; i++) {
		for (ms = 0; ms < PROBE_TIMEOUT_MS; ms += 10) {
			if (waitpid(stuck_pid[i], NULL, WNOHANG) == stuck_pid[i])
				break;
			usleep(10000);
		}
		if (ms >= PROBE_TIMEOUT_MS) {
			kill(stuck_pid[i], SIGKILL);
			waitpid(stuck_pid[i], NULL, 0);
			lost++;
		}
	}
	nr_stuck = 0;
	return lost;
}

/*
 * Controller resets at random points under verifying writes, at two queue
 * depths; after each, every queue must serve I/O.  NVM Subsystem Resets
 * too, when the controller supports them.  Then measure again: the queues
 * must be back on shadow doorbells.
 */
static bool test_reset(const struct test *t)
{
	static const struct {
		int depth, resets;
	} phase[] = { { 32, NR_RESETS_QD32 }, { 4, NR_RESETS_QD4 } };
	int d, i, n, enables = 0, failed = 0, stalls = 0, nssr = 0, rc = 0;
	int st, stalled = 0;
	bool can_nssr;
	char name[32];
	pid_t pid;

	(void)t;
	srand(seed);
	span_begin("reset");
	/* The first NSSR tells whether the controller supports it. */
	can_nssr = !subsys_reset();
	if (can_nssr) {
		nssr++;
		enables++;
		if (!wait_live(30)) {
			ksft_print_msg("the controller is not live after NSSR\n");
			failed++;
		}
	} else {
		ksft_print_msg(MSG_NO_NSSR);
	}
	for (d = 0; d < (int)ARRAY_SIZE(phase); d++) {
		snprintf(name, sizeof(name), "reset-io-qd%d", phase[d].depth);
		pid = start_fio(name,
				"--ioengine=libaio --rw=randwrite --bs=4k --iodepth=%d --numjobs=2 --size=%llu --offset_increment=%llu --loops=100000 --time_based --runtime=3600 --verify=crc32c --verify_backlog=64 --verify_fatal=1",
				phase[d].depth, per_job(2, 64ULL << 20),
				per_job(2, 64ULL << 20));
		if (pid < 0) {
			ksft_print_msg("cannot start fio\n");
			rc = 1;
			break;
		}
		usleep(1000000);
		n = nr_resets ?: phase[d].resets;
		for (i = 0; i < n; i++) {
			int k = enables + 1;

			usleep((MIN_RESET_DELAY_MS + rand() %
				(MAX_RESET_DELAY_MS - MIN_RESET_DELAY_MS + 1)) *
			       1000);
			if (waitpid(pid, NULL, WNOHANG) == pid) {
				ksft_print_msg("fio %s ended during the resets\n",
					       name);
				rc = 1;
				break;
			}
			if (can_nssr && !(i % 10)) {
				if (subsys_reset() || !wait_live(30)) {
					ksft_print_msg("NSSR %d failed\n", k);
					failed++;
				}
				nssr++;
			} else if (ctrl_attr("reset_controller", NULL, 0)) {
				ksft_print_msg("reset %d failed\n", k);
				failed++;
			}
			enables++;
			st = probe_queues(k);
			stalls += st;
			/* A driver that stalls has failed; don't wait on it. */
			if (st && ++stalled >= MAX_STALLED_RESETS) {
				ksft_print_msg("giving up after %d resets with stalled reads\n",
					       stalled);
				break;
			}
		}
		rc |= stop_fio(name, pid);
		i = probe_reap();
		if (i)
			ksft_print_msg("%d stuck reads never completed\n", i);
		if (stalled >= MAX_STALLED_RESETS)
			break;
	}
	span_end("reset", enables, enables);
	ksft_print_msg(MSG_RESETS, enables, nssr, seed, failed, stalls);

	rc |= measure("post-reset", 3);
	return !rc && !failed && !stalls && ctrl_live();
}

static bool test_wrap(const struct test *t)
{
	int rc;

	(void)t;
	span_begin("wrap");
	if (!reload_ok("io_queue_depth=32"))
		return false;
	/* 2 x 64 MiB of 4 KiB writes and reads: thousands of laps. */
	rc = fio_verify("wrap", 32, 2, per_job(2, 64ULL << 20));
	if (!reload_ok(""))
		return false;
	span_end("wrap", 2, 2);
	return !rc;
}

static bool test_cycle(const struct test *t)
{
	char name[32];
	int i;

	(void)t;
	span_begin("cycle");
	for (i = 0; i < NR_CYCLES; i++) {
		if (!reload_driver("")) {
			ksft_print_msg("reload %d failed\n", i + 1);
			return false;
		}
		snprintf(name, sizeof(name), "cycle-%d", i + 1);
		if (fio_verify(name, 8, 1, per_job(1, 4ULL << 20))) {
			ksft_print_msg("I/O after reload %d failed\n", i + 1);
			return false;
		}
	}
	span_end("cycle", NR_CYCLES, NR_CYCLES);
	return !measure("post-cycle", 3);
}

static bool test_mmio_only(const struct test *t)
{
	int rc;

	(void)t;
	if (!param("quirks")) {
		ksft_print_msg("the driver has no quirks parameter\n");
		return false;
	}
	span_begin("mmio-only");
	if (!reload_ok(quirks_param("no_dbbuf")))
		return false;
	rc = !quirks_are(quirks_param("no_dbbuf"));
	rc |= !state_is("^disabled reason=quirk$");
	rc |= verify_all("mmio-only-");
	span_end("mmio-only", 1, 0);
	return restore_driver("mmio-only-restore") && !rc;
}

/* The namespace's hardware queues, one per I/O queue; -1 if unknown. */
static int nr_hw_queues(void)
{
	char path[128];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/block/%s/mq",
		 strrchr(ns_dev, '/') + 1);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Each shadow doorbell buffer is one 4 KiB page: with the smallest stride,
 * slots for PAGE_QUEUES queue pairs, the admin queue's included.  A
 * controller that accepted the buffers may take the tails of queues past
 * the page from beyond it (QEMU does), so with shadow doorbells on the
 * driver must create no more I/O queues than fit, and say so once.  With
 * shadow doorbells off it creates them all.  Polled I/O runs on the poll
 * queues, which come last: past the page without shadow doorbells, at
 * its very end with them.  The host compares the MMIO doorbells per I/O
 * of the two spans, and checks that no queue past the page was created
 * while the controller had the buffers.
 */
/* The number of possible CPUs, from /sys/devices/system/cpu/possible. */
static int possible_cpus(void)
{
	char buf[256], *p = buf;
	int a, b, n = 0, len;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (sscanf(p, "%d%n", &a, &len) == 1) {
		p += len;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%d%n", &b, &len) == 1)
			p += 1 + len;
		n += b - a + 1;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

static bool test_pagefit(const struct test *t)
{
	unsigned long long size = per_job(2, 8ULL << 20);
	char params[96], mmio[128], want[80];
	int fd, all, n, rc, seen, cpus, writeq = 0, pollq = PAGEFIT_POLL_QUEUES;

	(void)t;
	/*
	 * One interrupt-driven queue per possible CPU, then the poll
	 * queues; where that is not enough to pass the page, separate
	 * write queues too.  Linux 6.12 has no possible_cpus= on x86, and
	 * refuses write_queues and poll_queues above the possible CPUs.
	 */
	cpus = possible_cpus();
	if (cpus > 0 && pollq > cpus)
		pollq = cpus;
	if (cpus > 0 && cpus + pollq < PAGEFIT_QUEUES)
		writeq = PAGEFIT_QUEUES - cpus - pollq;
	if (writeq > cpus)
		writeq = cpus;
	snprintf(params, sizeof(params),
		 "poll_queues=%d write_queues=%d io_queue_depth=32",
		 pollq, writeq);
	snprintf(mmio, sizeof(mmio), "%s %s", quirks_param("no_dbbuf"),
		 params);
	span_begin("pagefit-mmio");
	if (!reload_ok(mmio))
		return false;
	all = nr_hw_queues();
	ksft_print_msg("pagefit: no_dbbuf: %d CPUs, %d write queues, %d I/O queues, %d polled\n",
		       cpus, writeq, all, pollq);
	rc = all >= PAGE_QUEUES ?
	     run_fio("pagefit-mmio", PAGEFIT_JOB, 1, size, size) : 0;
	span_end("pagefit-mmio", 1, 0);
	if (all < PAGE_QUEUES) {
		skip_reason = MSG_FEW_QUEUES;
		return restore_driver("pagefit-restore");
	}

	span_begin("pagefit");
	fd = kmsg_open();
	if (!reload_ok(params))
		return false;
	span_end("pagefit", 1, 1);
	n = nr_hw_queues();
	ksft_print_msg("pagefit: shadow doorbells: %d I/O queues\n", n);
	snprintf(want, sizeof(want),
		 "^active armed=%d admin=1 beyond=%d$", PAGE_QUEUES,
		 all - (PAGE_QUEUES - 1));
	rc |= !state_is(want);
	if (n != PAGE_QUEUES - 1) {
		ksft_print_msg("expected %d I/O queues, as many as the page holds\n",
			       PAGE_QUEUES - 1);
		rc = 1;
	}
	seen = kmsg_count(fd, MSG_FEWER_QUEUES);
	if (seen != 1) {
		ksft_print_msg("the driver said '%s' %d times, not once\n",
			       MSG_FEWER_QUEUES, seen);
		rc = 1;
	}
	span_begin("pagefit-poll");
	rc |= run_fio("pagefit-poll", PAGEFIT_JOB, 1, size, size);
	span_end("pagefit-poll", 0, 0);
	return restore_driver("pagefit-restore") && !rc;
}

/*
 * nvme-core's fault injection for the controller's admin commands
 * (CONFIG_FAULT_INJECTION_DEBUG_FS): set @attr of its debugfs directory to
 * @val, or read it into @buf when @buf is not NULL.
 */
static bool fault_attr(const char *attr, const char *val, char *buf,
		       size_t len)
{
	char path[128];
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/fault_inject/%s",
		 strrchr(ctrl_dev, '/') + 1, attr);
	f = fopen(path, buf ? "r" : "w");
	if (!f)
		return false;
	if (buf) {
		ok = !!fgets(buf, len, f);
		if (ok)
			buf[strcspn(buf, "\n")] = '\0';
	} else {
		ok = fprintf(f, "%s\n", val) > 0;
	}
	return !fclose(f) && ok;
}

/*
 * Fail the next @times Doorbell Buffer Config commands with NVMe status
 * @status and DNR, and no other command; @times 0: stop failing them.
 */
static bool fail_dbbuf_config(int times, unsigned int status)
{
	char val[16];

	if (!times)
		return fault_attr("probability", "0", NULL, 0) &&
		       fault_attr("opcode", "0xffff", NULL, 0);
	snprintf(val, sizeof(val), "%#x", status);
	if (!fault_attr("opcode", "0x7c", NULL, 0) ||
	    !fault_attr("status", val, NULL, 0) ||
	    !fault_attr("dont_retry", "Y", NULL, 0) ||
	    !fault_attr("verbose", "1", NULL, 0))
		return false;
	snprintf(val, sizeof(val), "%d", times);
	return fault_attr("times", val, NULL, 0) &&
	       fault_attr("probability", "100", NULL, 0);
}

/*
 * Did fault injection fail as many commands as it was asked to (its
 * "times" down to 0)?  If not, the driver sent fewer; say so.
 */
static bool fault_spent(void)
{
	char buf[32] = "";

	if (fault_attr("times", NULL, buf, sizeof(buf)) && !strcmp(buf, "0"))
		return true;
	ksft_print_msg("fault injection has %s command failures left, not 0\n",
		       buf[0] ? buf : "an unknown number of");
	return false;
}

/* Reset the controller @n times; false, saying so, if one fails. */
static bool resets_ok(int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ctrl_attr("reset_controller", NULL, 0) || !wait_live(30)) {
			ksft_print_msg("reset %d %s failed\n", i + 1, what);
			return false;
		}
	}
	return true;
}

/*
 * A failed Doorbell Buffer Config through nvme-core's fault injection,
 * which fails the command in the host with a status the test chooses
 * (the controller took the buffers).  No queue may be armed, and the
 * driver must report the failure once per status: FAIL_RESETS resets that
 * fail with Invalid Field in Command, one with Internal Error.  QEMU, which
 * took the buffers, then reads the I/O queues' tails from shadow slots the
 * unarmed driver does not write, so no I/O runs before one more reset
 * that succeeds, and arms every queue again.
 */
static bool test_fail_inject(const struct test *t)
{
	int fd, seen, rc = 0;

	(void)t;
	if (!fault_attr("opcode", "0xffff", NULL, 0)) {
		skip_reason = MSG_NO_FAULT_INJECT;
		return true;
	}
	expected_msg[0] = MSG_CONFIG_FAILED;
	span_begin("fail-inject");
	fd = kmsg_open();
	if (!fail_dbbuf_config(FAIL_RESETS, 0x2)) {
		ksft_print_msg("cannot set up fault injection\n");
		rc = 1;
	}
	rc |= !resets_ok(FAIL_RESETS, "with a failed command");
	rc |= !fault_spent();
	rc |= !state_is("^failed status=0x4002$");
	rc |= !fail_dbbuf_config(1, 0x6);
	rc |= !resets_ok(1, "with another status");
	rc |= !fault_spent();
	rc |= !state_is("^failed status=0x4006$");
	rc |= !fail_dbbuf_config(0, 0);
	rc |= !resets_ok(1, "with fault injection off");
	/* QEMU took every command the host failed. */
	span_end("fail-inject", FAIL_RESETS + 2, FAIL_RESETS + 2);
	rc |= !state_is(STATE_ON);
	seen = kmsg_count(fd, MSG_CONFIG_FAILED);
	if (seen != 2) {
		ksft_print_msg("the driver said '%s' %d times for 2 statuses, not twice\n",
			       MSG_CONFIG_FAILED, seen);
		rc = 1;
	}
	return !rc;
}

/*
 * nvme.quirks= names this controller alone, and a name that is not a
 * quirk is refused: the driver does not load, and its log line names it.
 * The span then loads the default driver again, so that its end mark
 * reaches the controller.  A valid entry for another device (ffff:ffff)
 * leaves shadow doorbells on here.  With the no_dbbuf quirk itself, the accounting, mmio-only,
 * admin and pagefit tests load the driver.
 */
static bool test_quirks(const struct test *t)
{
	char bad[64];
	int fd, seen, rc = 0;

	(void)t;
	if (!param("quirks")) {
		ksft_print_msg("the driver has no quirks parameter\n");
		return false;
	}
	snprintf(bad, sizeof(bad), "%s", quirks_param(BAD_QUIRK));
	expected_msg[0] = BAD_QUIRK;
	span_begin("quirks-bad");
	fd = kmsg_open();
	if (reload_driver(bad)) {
		ksft_print_msg("the driver loaded with '%s'\n", bad);
		rc = 1;
	}
	seen = kmsg_count(fd, BAD_QUIRK);
	if (seen < 1) {
		ksft_print_msg("no kernel log line names the bad quirk '%s'\n",
			       BAD_QUIRK);
		rc = 1;
	}
	if (!reload_ok(""))
		return false;
	span_end("quirks-bad", 1, 1);

	span_begin("quirks-other");
	if (!reload_ok("quirks=ffff:ffff:no_dbbuf"))
		return false;
	span_end("quirks-other", 1, 1);
	rc |= !state_is(STATE_ON);
	return restore_driver("quirks-restore") && !rc;
}

/*
 * ADMIN_PROCS processes issue ADMIN_CMDS Identify Controller commands each,
 * all at once; the number of processes that saw a command fail.
 */
static int admin_burst(void)
{
	static uint8_t id[4096];
	pid_t pids[ADMIN_PROCS];
	int i, j, status, bad = 0;

	fflush(stdout);
	for (i = 0; i < ADMIN_PROCS; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			for (j = 0; j < ADMIN_CMDS; j++)
				if (identify_ctrl(id))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < ADMIN_PROCS; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	return bad;
}

/*
 * The admin queue uses shadow doorbells too, once the command has
 * completed (NVMe 2.0 Annex B.5.1), on a controller with the dbbuf_admin
 * quirk.  A burst of concurrent admin commands by default, without
 * dbbuf_admin (the I/O queues only, so the command is sent but the admin
 * queue keeps MMIO doorbells) and with no_dbbuf: the host counts the
 * admin queue's MMIO doorbells per admin command in each span.
 */
static bool test_admin(const struct test *t)
{
	int rc;

	(void)t;
	if (!quirks_are(NULL))
		return false;
	span_begin("admin-on");
	rc = admin_burst();
	span_end("admin-on", 0, 0);

	span_begin("admin-io-load");
	if (!reload_ok(quirks_param("^dbbuf_admin")))
		return false;
	span_end("admin-io-load", 1, 1);
	if (!quirks_are(quirks_param("^dbbuf_admin")) ||
	    !state_is("^active armed=[1-9][0-9]* admin=0 beyond=0$"))
		return false;
	span_begin("admin-io");
	rc += admin_burst();
	span_end("admin-io", 0, 0);

	span_begin("admin-load");
	if (!reload_ok(quirks_param("no_dbbuf")))
		return false;
	span_end("admin-load", 1, 0);
	span_begin("admin-off");
	rc += admin_burst();
	span_end("admin-off", 0, 0);
	if (rc)
		ksft_print_msg("%d of %d admin command processes failed\n",
			       rc, 3 * ADMIN_PROCS);
	return restore_driver("admin-restore") && !rc;
}

static const struct test tests[] = {
	{ "verify", "fio --verify: iodepth 1/32/128, 1/2 jobs, 512 B-128 KiB",
	  test_verify },
	{ "accounting", "iodepth 32, 2 jobs, default and no_dbbuf, each on the driver meant",
	  test_accounting },
	{ "reset",
	  "controller resets at random points under fio --verify, iodepth 32 and 4: every queue serves I/O after each",
	  test_reset },
	{ "wrap", "queue depth 32: indices wrap thousands of times, verified",
	  test_wrap },
	{ "cycle", "20 driver reloads with verified I/O after each",
	  test_cycle },
	{ "mmio-only", "no_dbbuf quirk: the fio --verify set of 'verify' on the MMIO-only path",
	  test_mmio_only },
	{ "fail-inject", "failed by fault injection: reported once per status, then armed",
	  test_fail_inject },
	{ "admin", "concurrent admin commands by default, with ^dbbuf_admin and with no_dbbuf",
	  test_admin },
	{ "pagefit", "no more I/O queues than the shadow doorbell page holds, verified polled I/O",
	  test_pagefit },
	{ "quirks", "nvme.quirks= for this controller only; an unknown quirk refused",
	  test_quirks },
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

/*
 * Point ctrl_dev at the controller of namespace @ns (/dev/nvmeXnY): the
 * device its /sys/block entry belongs to.  0, or a negative errno.
 */
static int ctrl_of(const char *ns)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *name = strrchr(ns, '/');
	ssize_t n;
	int c, m;

	name = name ? name + 1 : ns;
	if (sscanf(name, "nvme%dn%d", &c, &m) != 2)
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	name = strrchr(link, '/');
	name = name ? name + 1 : link;
	if (strncmp(name, "nvme", 4) ||
	    snprintf(ctrl_dev, sizeof(ctrl_dev), "/dev/%s", name) >=
	    (int)sizeof(ctrl_dev))
		return -EINVAL;
	return 0;
}

/* Is block device /dev/@name mounted or held?  O_EXCL fails on either. */
static bool dev_busy(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_RDONLY | O_EXCL | O_NONBLOCK);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EBUSY;
}

/*
 * Does a process other than this one have an NVMe controller or namespace
 * open (/dev/nvmeX, /dev/nvmeXnY, /dev/ngXnY)?  O_EXCL does not see a plain
 * open(), such as dd's or a virtual machine's raw disk.  Says which in @busy.
 */
static bool nvme_open_elsewhere(char *busy, size_t len)
{
	char path[PATH_MAX], target[64];	/* longer is not /dev/nvme* */
	struct dirent *p, *f;
	bool found = false;
	DIR *proc, *fds;
	ssize_t n;

	proc = opendir("/proc");
	if (!proc)
		return false;
	while (!found && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    atoi(p->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 p->d_name, f->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (!(!strncmp(target, "/dev/nvme", 9) &&
			      target[9] >= '0' && target[9] <= '9') &&
			    !(!strncmp(target, "/dev/ng", 7) &&
			      target[7] >= '0' && target[7] <= '9'))
				continue;
			snprintf(busy, len, "%s is open in process %s",
				 target, p->d_name);
			found = true;
			break;
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/*
 * Does the nvme driver drive a controller other than NVME_DBBUF_DEV's?
 * Reloading the driver removes it too.  Names it in @busy.
 */
static bool nvme_other_ctrl(char *busy, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *drv;
	bool found = false;
	struct dirent *d;
	ssize_t n;
	DIR *dir;

	dir = opendir("/sys/class/nvme");
	if (!dir)
		return false;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, ctrl_dev + 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/nvme/%s/device/driver",
			 d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		drv = strrchr(target, '/');
		if (!drv || strcmp(drv + 1, "nvme"))
			continue;	/* fabrics, or another driver's */
		snprintf(busy, len, "/dev/%s is another controller of the nvme driver",
			 d->d_name);
		found = true;
		break;
	}
	closedir(dir);
	return found;
}

/*
 * May the driver not be reloaded?  Not while any NVMe namespace, or a
 * partition of one, is mounted or held (a filesystem, swap, device-mapper,
 * md), is open in another process, or while the driver has a controller
 * besides the test's: the reload removes every one.  Says why in @busy.
 */
static bool nvme_in_use(char *busy, size_t len)
{
	struct dirent *d, *p;
	char path[PATH_MAX];
	bool found = false;
	DIR *dir, *sub;

	dir = opendir("/sys/block");
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (strncmp(d->d_name, "nvme", 4))
			continue;
		if (dev_busy(d->d_name)) {
			snprintf(busy, len, "/dev/%s is mounted or held", d->d_name);
			found = true;
			break;
		}
		snprintf(path, sizeof(path), "/sys/block/%s", d->d_name);
		sub = opendir(path);
		if (!sub)
			continue;
		while ((p = readdir(sub))) {
			if (strncmp(p->d_name, d->d_name, strlen(d->d_name)) ||
			    !dev_busy(p->d_name))
				continue;
			snprintf(busy, len, "/dev/%s is mounted or held",
				 p->d_name);
			found = true;
			break;
		}
		closedir(sub);
	}
	closedir(dir);
	return found || nvme_open_elsewhere(busy, len) ||
	       nvme_other_ctrl(busy, len);
}

int main(void)
{
	static uint8_t id[4096];
	unsigned int i, n = 0;
	char busy[PATH_MAX];
	bool ok;
	char model[41];
	uint16_t oacs;
	int fd, rc, bad;

	ns_dev = getenv("NVME_DBBUF_DEV");
	nvme_ko = getenv("NVME_DBBUF_KO");
	if (nvme_ko && !*nvme_ko)
		nvme_ko = NULL;		/* empty: unset, modprobe */
	only = getenv("NVME_DBBUF_TESTS");
	if (getenv("NVME_DBBUF_RESETS")) {
		nr_resets = atoi(getenv("NVME_DBBUF_RESETS"));
		if (nr_resets < 1)
			nr_resets = -1;
	}
	seed = getenv("NVME_DBBUF_SEED") ?
	       strtoul(getenv("NVME_DBBUF_SEED"), NULL, 0) :
	       (unsigned int)time(NULL) ^ (unsigned int)getpid();

	ksft_print_header();
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		n += selected(tests[i].name);
	ksft_set_plan(n);

	if (!ns_dev || !*ns_dev)
		ksft_exit_skip(MSG_NO_DEV);
	/* Handed to the shell in single quotes, for insmod */
	if (nvme_ko && strchr(nvme_ko, '\''))
		ksft_exit_fail_msg("NVME_DBBUF_KO=%s: a path with a quote is not supported\n",
				   nvme_ko);
	if (nvme_ko && access(nvme_ko, R_OK))
		ksft_exit_fail_msg("NVME_DBBUF_KO=%s: %s\n", nvme_ko,
				   strerror(errno));
	rc = ctrl_of(ns_dev);
	if (rc)
		ksft_exit_fail_msg("NVME_DBBUF_DEV=%s is not an NVMe namespace: %s\n",
				   ns_dev, strerror(-rc));
	if (nvme_in_use(busy, sizeof(busy)))
		ksft_exit_skip(MSG_IN_USE, busy);
	if (nr_resets < 0)
		ksft_exit_fail_msg("NVME_DBBUF_RESETS must be a number of resets, at least 1\n");
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
	if (shell("fio --version >/dev/null 2>&1"))
		ksft_exit_skip("fio is not installed\n");
	/* The driver's own counts of its doorbells, where it has tracepoints. */
	arm_counts();

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!selected(tests[i].name))
			continue;
		ksft_print_msg("test %s\n", tests[i].name);
		fflush(stdout);
		fd = kmsg_open();
		skip_reason = NULL;
		memset(expected_msg, 0, sizeof(expected_msg));
		ok = tests[i].fn(&tests[i]);
		bad = kmsg_check(fd);
		if (bad)
			ksft_print_msg("%s: %d nvme error line(s) in the kernel log\n",
				       tests[i].name, bad);
		if (ok && !bad && skip_reason)
			ksft_test_result_skip("%s: %s\n", tests[i].desc,
					      skip_reason);
		else
			ksft_test_result(ok && !bad, "%s\n", tests[i].desc);
		fflush(stdout);
	}
	ksft_finished();
}
