// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the controller side of shadow doorbells: the driver's own
 * drivers/nvme/host/dbbuf.c, compiled in userspace against shim/ and
 * shim-ctrl/ (a fake Doorbell Buffer Config command, DMA allocator, kernel
 * log and debugfs).  What no emulator can show: doorbell strides QEMU
 * never offers (CAP.DSTRD is 0 there), every status sequence of the
 * command, and the state line for each.  TAP output; exit status 1 if any
 * test failed.
 *
 *   build/model/ctrl [-v]     -v: print every driver message
 *
 * Built by tests/model/Makefile (make -C tests/model ctrl), which also
 * builds mutants of dbbuf.c that it must catch.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The driver's dbbuf.c, or a mutant of it: -DDBBUF_C='"path"' */
#include DBBUF_C

static int verbose;

/* --- the shims' back ends ---------------------------------------------- */

static char log_last[256];
static int log_lines;

void model_log(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log_last, sizeof(log_last), fmt, ap);
	va_end(ap);
	log_lines++;
	if (verbose)
		printf("# %s: %s", level, log_last);
}

static int dma_live, dma_fail_after = -1;
static size_t dma_last_size;

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *addr,
			 gfp_t gfp)
{
	void *p;

	if (dma_fail_after == 0)
		return NULL;
	if (dma_fail_after > 0)
		dma_fail_after--;
	dma_last_size = size;
	p = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	if (!p)
		abort();
	memset(p, 0xa5, size);	/* what a page may hold before the clear */
	*addr = (dma_addr_t)(unsigned long)p;
	dma_live++;
	return p;
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu,
		       dma_addr_t addr)
{
	if ((dma_addr_t)(unsigned long)cpu != addr)
		abort();
	free(cpu);
	dma_live--;
}

static struct dentry files[4];
static int nfiles;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return &files[nfiles++ % 4];
}

struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	struct dentry *d = &files[nfiles++ % 4];

	d->fops = fops;
	d->data = data;
	return d;
}

void debugfs_remove(struct dentry *dentry)
{
}

/* The statuses the fake controller answers with, in turn; then 0. */
static int answers[16], nanswers, sent;
static struct nvme_command last_cmd;

int nvme_submit_sync_cmd(struct request_queue *q, struct nvme_command *cmd,
			 void *buf, unsigned int bufflen)
{
	last_cmd = *cmd;
	return sent < nanswers ? answers[sent++] : (sent++, 0);
}

/* --- the harness -------------------------------------------------------- */

static int nr_test, nr_failed;

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++nr_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nr_failed += !ok;
}

#define NQ	8	/* queues nvme-pci has, the admin queue included */

static struct device dev = { .name = "nvme0" };
static struct nvme_ctrl ctrl = { .device = &dev, .oacs = NVME_CTRL_OACS_DBBUF_SUPP };
static struct nvme_dbbuf_queue queues[NQ];

static struct nvme_dbbuf_queue *queue_of(struct nvme_dbbuf_ctrl *dbbuf,
					 unsigned int qid)
{
	return qid < NQ ? &queues[qid] : NULL;
}

/* The debugfs state line, without its newline. */
static const char *state(struct nvme_dbbuf_ctrl *dbbuf)
{
	static struct seq_file m;

	memset(&m, 0, sizeof(m));
	m.private = dbbuf;
	dbbuf->debugfs->fops->show(&m, NULL);
	m.buf[strcspn(m.buf, "\n")] = '\0';
	return m.buf;
}

/* A fresh controller with @quirks, its buffers allocated. */
static void setup(struct nvme_dbbuf_ctrl *dbbuf, unsigned long quirks)
{
	memset(dbbuf, 0, sizeof(*dbbuf));
	memset(queues, 0, sizeof(queues));
	sent = nanswers = 0;
	log_lines = 0;
	ctrl.quirks = quirks;
	nvme_dbbuf_alloc(dbbuf, &dev, NQ, 1, quirks);
	nvme_dbbuf_debugfs_add(dbbuf, &ctrl, queue_of);
}

/*
 * The I/O queues asked for, at every doorbell stride from 4 bytes to 8 KiB
 * (CAP.DSTRD 0-11), with and without the page-queues quirk: without it,
 * always what the driver wants; with it, what fits in the page, but never
 * fewer than wanted where the page has no room for one I/O queue pair at
 * all (then the command is not sent, and the queues keep MMIO doorbells).
 */
static void test_io_queues(void)
{
	static const unsigned int wants[] = { 1, 2, 63, 255, 256, 511, 512, 1024, 65535 };
	struct nvme_dbbuf_ctrl dbbuf;
	unsigned int d, i, got, expect, pq, bad = 0, cases = 0;
	char first[160] = "";

	for (d = 0; d <= 11; d++) {
		u32 stride = 1U << d;

		pq = 4096 / (8 * stride);	/* queue pairs in the page */
		for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
			unsigned int w = wants[i];
			int quirk, nomem, i2;

			for (i2 = 0; i2 < 4; i2++) {
				quirk = i2 & 1;
				nomem = i2 >> 1;
				/* Allocated or not, the same count */
				dma_fail_after = nomem ? 0 : -1;
				setup(&dbbuf, quirk ? NVME_QUIRK_DBBUF_PAGE_QUEUES : 0);
				dma_fail_after = -1;
				got = nvme_dbbuf_io_queues(&dbbuf, w, stride);
				expect = w;
				if (quirk && pq >= 2 && w > pq - 1)
					expect = pq - 1;
				cases++;
				if (got != expect || dbbuf.beyond != w - expect) {
					if (!bad++)
						snprintf(first, sizeof(first),
							 "DSTRD %u, quirk %d, %s, %u wanted: %u asked for, beyond=%u (need %u, beyond=%u)",
							 d, quirk, nomem ? "no buffers" : "buffers", w, got, dbbuf.beyond,
							 expect, w - expect);
				}
				nvme_dbbuf_free(&dbbuf);
			}
		}
	}
	tap(!bad, "io-queues: the I/O queues asked for at CAP.DSTRD 0-11, with and without dbbuf_page_queues, with and without the buffers (-ENOMEM): %u of %u cases right%s%s",
	    cases - bad, cases, bad ? "; first wrong: " : "", first);
}

/*
 * Each queue's slots: SQ tail at 2 * qid * stride, CQ head at (2 * qid +
 * 1) * stride, in both buffers; queues past the page, the admin queue
 * without dbbuf_admin, and every queue of an enable whose command failed,
 * are not armed.
 */
static void test_slots(void)
{
	struct nvme_dbbuf_ctrl dbbuf;
	unsigned int d, q, bad = 0;
	char first[160] = "";

	for (d = 0; d <= 10; d++) {
		u32 stride = 1U << d, pq = 4096 / (8 * stride);
		int admin;

		for (admin = 0; admin <= 1; admin++) {
			setup(&dbbuf, admin ? NVME_QUIRK_DBBUF_ADMIN : 0);
			if (nvme_dbbuf_config(&dbbuf, &ctrl, stride))
				nvme_dbbuf_ctrl_arm(&dbbuf);
			for (q = 0; q < NQ; q++) {
				struct nvme_dbbuf_queue *dbq = &queues[q];
				bool want = pq >= 2 && q < pq && (q || admin);

				nvme_dbbuf_queue_arm(&dbbuf, dbq, q, stride, 7, 9);
				if (!want ? dbq->sq_db != NULL :
				    dbq->sq_db != &dbbuf.dbs[2 * q * stride] ||
				    dbq->cq_db != &dbbuf.dbs[(2 * q + 1) * stride] ||
				    dbq->sq_ei != &dbbuf.eis[2 * q * stride] ||
				    dbq->cq_ei != &dbbuf.eis[(2 * q + 1) * stride] ||
				    le32_to_cpu(*dbq->sq_db) != 7 ||
				    le32_to_cpu(*dbq->cq_db) != 9 ||
				    le32_to_cpu(*dbq->sq_ei) != 7 ||
				    le32_to_cpu(*dbq->cq_ei) != 9) {
					if (!bad++)
						snprintf(first, sizeof(first),
							 "DSTRD %u, dbbuf_admin %d, qid %u: %s",
							 d, admin, q, want ? "wrong slots or values" : "armed");
				}
			}
			nvme_dbbuf_free(&dbbuf);
		}
	}
	/* A failed command arms nothing. */
	setup(&dbbuf, NVME_QUIRK_DBBUF_ADMIN);
	answers[0] = 0x4002;
	nanswers = 1;
	if (nvme_dbbuf_config(&dbbuf, &ctrl, 1))
		nvme_dbbuf_ctrl_arm(&dbbuf);
	for (q = 0; q < NQ; q++) {
		nvme_dbbuf_queue_arm(&dbbuf, &queues[q], q, 1, 0, 0);
		if (queues[q].sq_db && !bad++)
			snprintf(first, sizeof(first), "qid %u armed after a failed command", q);
	}
	nvme_dbbuf_free(&dbbuf);
	tap(!bad, "slots: each queue armed at its own SQ and CQ slots, in both buffers, with the values given, at CAP.DSTRD 0-10; none past the page, the admin queue only with dbbuf_admin, none after a failed command%s%s",
	    bad ? "; first wrong: " : "", first);
}

/*
 * A failure is logged when it first happens, again when its status
 * changes, and again after a success in between; the state shows the
 * last one.
 */
static void test_reports(void)
{
	static const struct {
		int status;
		bool logs;
		const char *state;
	} seq[] = {
		{ 0x4002, true, "failed status=0x4002" },
		{ 0x4002, false, "failed status=0x4002" },
		{ 0x4006, true, "failed status=0x4006" },
		{ 0x4006, false, "failed status=0x4006" },
		{ -4, true, "failed error=-4" },
		{ 0, false, "active armed=7 admin=0 beyond=0" },
		{ 0x4006, true, "failed status=0x4006" },
	};
	struct nvme_dbbuf_ctrl dbbuf;
	unsigned int i, q, bad = 0;
	char first[200] = "";

	setup(&dbbuf, 0);
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		int before = log_lines;
		const char *s;

		answers[sent] = seq[i].status;
		nanswers = sent + 1;
		nvme_dbbuf_ctrl_disarm(&dbbuf);
		for (q = 0; q < NQ; q++)
			nvme_dbbuf_queue_detach(&queues[q]);
		if (nvme_dbbuf_config(&dbbuf, &ctrl, 1))
			nvme_dbbuf_ctrl_arm(&dbbuf);
		for (q = 0; q < NQ; q++)
			nvme_dbbuf_queue_arm(&dbbuf, &queues[q], q, 1, 0, 0);
		s = state(&dbbuf);
		if ((log_lines > before) != seq[i].logs || strcmp(s, seq[i].state)) {
			if (!bad++)
				snprintf(first, sizeof(first),
					 "enable %u (status %#x): %s, state '%s' (need %s, '%s')",
					 i + 1, seq[i].status,
					 log_lines > before ? "logged" : "silent", s,
					 seq[i].logs ? "logged" : "silent", seq[i].state);
		}
	}
	if (last_cmd.dbbuf.opcode != nvme_admin_dbbuf ||
	    le64_to_cpu(last_cmd.dbbuf.prp1) != dbbuf.dbs_dma_addr ||
	    le64_to_cpu(last_cmd.dbbuf.prp2) != dbbuf.eis_dma_addr) {
		if (!bad++)
			snprintf(first, sizeof(first), "the command: opcode %#x, PRP1/PRP2 not the buffers",
				 last_cmd.dbbuf.opcode);
	}
	nvme_dbbuf_free(&dbbuf);
	tap(!bad, "reports: over %zu enables, a failure logged when new, when its status changed and after a success, the state showing the last, the command opcode 0x7c with PRP1 the shadow doorbells and PRP2 EventIdx%s%s",
	    sizeof(seq) / sizeof(seq[0]), bad ? "; first wrong: " : "", first);
}

/* The state line where nothing is sent; buffers freed, none leaked. */
static void test_states(void)
{
	struct nvme_dbbuf_ctrl dbbuf;
	int bad = 0;
	char first[160] = "";
	const char *s;

#define EXPECT(want) do {						\
		s = state(&dbbuf);					\
		if (strcmp(s, want) && !bad++)				\
			snprintf(first, sizeof(first), "'%s', not '%s'", s, want); \
	} while (0)

	setup(&dbbuf, NVME_QUIRK_NO_DBBUF);
	if (dbbuf.dbs || nvme_dbbuf_config(&dbbuf, &ctrl, 1) || sent)
		bad++;
	EXPECT("disabled reason=quirk");
	setup(&dbbuf, 0);
	if (nvme_dbbuf_config(&dbbuf, &ctrl, 1024) ||
	    nvme_dbbuf_config(&dbbuf, &ctrl, 1024) || sent)
		bad++;
	if (log_lines != 1 && !bad++)
		snprintf(first, sizeof(first),
			 "a stride with no room logged %d times over 2 enables, not once",
			 log_lines);
	EXPECT("unsupported reason=stride");
	nvme_dbbuf_free(&dbbuf);
	ctrl.oacs = 0;
	setup(&dbbuf, 0);
	EXPECT("unsupported");
	nvme_dbbuf_free(&dbbuf);
	ctrl.oacs = NVME_CTRL_OACS_DBBUF_SUPP;
	dma_fail_after = 1;	/* the second buffer fails */
	setup(&dbbuf, 0);
	dma_fail_after = -1;
	if (dbbuf.dbs || dbbuf.eis || nvme_dbbuf_config(&dbbuf, &ctrl, 1))
		bad++;
	EXPECT("failed error=-12");
	/*
	 * Before the command, and after a success once disarmed for a reset:
	 * not active, with no queue armed.
	 */
	setup(&dbbuf, 0);
	EXPECT("inactive");
	if (nvme_dbbuf_config(&dbbuf, &ctrl, 1))
		nvme_dbbuf_ctrl_arm(&dbbuf);
	EXPECT("active armed=0 admin=0 beyond=0");
	nvme_dbbuf_ctrl_disarm(&dbbuf);
	EXPECT("inactive");
	/* A second enable clears what the controller left in the pages. */
	dbbuf.dbs[3] = dbbuf.eis[5] = 0x1234;
	nvme_dbbuf_alloc(&dbbuf, &dev, NQ, 1, 0);
	if (dbbuf.dbs[3] || dbbuf.eis[5])
		bad++;
	nvme_dbbuf_free(&dbbuf);
	/*
	 * A failure is this enable's: the next one reads inactive until its
	 * own command, not the old failure.
	 */
	setup(&dbbuf, 0);
	answers[sent] = 0x4002;
	nanswers = sent + 1;
	nvme_dbbuf_config(&dbbuf, &ctrl, 1);
	EXPECT("failed status=0x4002");
	nvme_dbbuf_alloc(&dbbuf, &dev, NQ, 1, 0);
	EXPECT("inactive");
	nvme_dbbuf_free(&dbbuf);
	/*
	 * Each buffer spans every queue's slots, and at least one page: 600
	 * queues at CAP.DSTRD 0 need 4800 bytes, past the page that the
	 * command describes and the only queues armed.
	 */
	memset(&dbbuf, 0, sizeof(dbbuf));
	nvme_dbbuf_alloc(&dbbuf, &dev, 600, 1, 0);
	if ((dma_last_size < 600 * 8 || dbbuf.size != dma_last_size) && !bad++)
		snprintf(first, sizeof(first),
			 "600 queues at stride 4 bytes: buffers of %zu bytes, not 4800",
			 dma_last_size);
	nvme_dbbuf_free(&dbbuf);
	/* A larger stride at a later enable (new firmware): they grow. */
	memset(&dbbuf, 0, sizeof(dbbuf));
	nvme_dbbuf_alloc(&dbbuf, &dev, 600, 1, 0);
	nvme_dbbuf_alloc(&dbbuf, &dev, 600, 8, 0);
	if (dbbuf.size < 600 * 8 * 8 && !bad++)
		snprintf(first, sizeof(first),
			 "600 queues, the stride from 4 to 32 bytes: buffers of %zu bytes, not 38400",
			 dbbuf.size);
	nvme_dbbuf_free(&dbbuf);
	memset(&dbbuf, 0, sizeof(dbbuf));
	nvme_dbbuf_alloc(&dbbuf, &dev, 3, 1, 0);
	if (dma_last_size < NVME_CTRL_PAGE_SIZE && !bad++)
		snprintf(first, sizeof(first),
			 "3 queues: buffers of %zu bytes, less than a page",
			 dma_last_size);
	nvme_dbbuf_free(&dbbuf);
	if (dma_live && !bad++)
		snprintf(first, sizeof(first), "%d DMA buffers leaked", dma_live);
	tap(!bad, "states: disabled by quirk (nothing allocated or sent), a stride with no room (nothing sent, said once), unsupported, -ENOMEM when the second buffer fails (the first freed), inactive before the command, once disarmed and at the enable after a failure, pages cleared at the next enable, buffers of at least a page spanning every queue's slots, grown for a larger stride, no buffer leaked%s%s",
	    bad ? "; first wrong: " : "", first);
#undef EXPECT
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && !strcmp(argv[1], "-v");
	nvme_dbbuf_debugfs_init();
	printf("TAP version 13\n1..4\n");
	test_io_queues();
	test_slots();
	test_reports();
	test_states();
	nvme_dbbuf_debugfs_exit();
	printf("# ctrl: %d passed, %d failed\n", nr_test - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
}
