// SPDX-License-Identifier: GPL-2.0
/*
 * Microbenchmark: the cost of one shadow doorbell update, in ns, with the
 * barriers x86-64 Linux emits (shim-x86/asm/barrier.h), for
 *
 *   upstream  the sequence Linux has used since 4.12: wmb() before the
 *             shadow store, mb() before the EventIdx load, on SQ and CQ
 *             alike, and `old` read back from the shadow slot;
 *   ours      nvme_dbbuf_sq_update() and nvme_dbbuf_cq_update() from
 *             drivers/nvme/host/dbbuf.h, as compiled for x86;
 *
 * each armed, and each unarmed, as on a controller without shadow
 * doorbells (a physical SSD): upstream tests its slot pointer and rings,
 * ours tests the queue's and rings, its tracepoint off.
 *
 * Each update of the SQ is preceded by the 64-byte store of the entry it
 * publishes, and each update of the CQ by the load of the completion it
 * consumes, as in the driver.  EventIdx stays put, as for a controller
 * that is busy, so an update asks for a doorbell only when the index wraps
 * past it, once per 65536 updates; no MMIO is written either way.  Both
 * variants must ask equally often.
 *
 * Both run side by side: rounds alternate which goes first, and the medians
 * over the rounds are compared.  One thread, no controller: this measures
 * the instructions, not the protocol (tests/model does that).
 *
 * Usage: microbench [-e] [-n updates per round] [-r rounds]
 *   -e  the updates alone, without the SQ entry stores and CQ entry loads
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbbuf.h"

#define SQ_ENTRIES	1024
#define SQE_SIZE	64
#define CQE_SIZE	16

struct ring {
	unsigned char sq[SQ_ENTRIES * SQE_SIZE] __aligned(4096);
	unsigned char cq[SQ_ENTRIES * CQE_SIZE] __aligned(4096);
	__le32 dbs[1024] __aligned(4096);
	__le32 eis[1024] __aligned(4096);
};

static struct ring ring;
static volatile u32 sink;
static bool entries = true;
static unsigned long asked[4][2];	/* [variant][path] */

/* Upstream's update, with its barriers: wmb(), read back, store, mb(). */
static __always_inline bool upstream_update(u16 value, __le32 *db,
					    __le32 *ei)
{
	u16 old, event_idx;

	wmb();
	old = le32_to_cpu(READ_ONCE(*db));
	WRITE_ONCE(*db, cpu_to_le32(value));
	mb();
	event_idx = le32_to_cpu(READ_ONCE(*ei));
	return nvme_dbbuf_need_event(event_idx, value, old);
}

static __always_inline void write_sqe(u16 tail)
{
	unsigned char *sqe = &ring.sq[(tail % SQ_ENTRIES) * SQE_SIZE];

	memset(sqe, (unsigned char)tail, SQE_SIZE);
}

static __always_inline u32 read_cqe(u16 head)
{
	return READ_ONCE(*(u32 *)&ring.cq[(head % SQ_ENTRIES) * CQE_SIZE]);
}

enum variant { UPSTREAM, OURS, UPSTREAM_OFF, OURS_OFF, NR_VARIANTS };
enum path { SQ, CQ, NR_PATHS };
static const char *const variant_name[] = {
	"upstream", "ours", "upstream-unarmed", "ours-unarmed"
};

/* Upstream's queue fields: the slot pointers, NULL when unarmed. */
struct upstream_queue {
	__le32 *db;
	__le32 *ei;
};

/* Upstream's unarmed update: the slot pointer tested, then the MMIO. */
static __always_inline bool upstream_update_q(u16 value,
					      struct upstream_queue *q)
{
	__le32 *db = READ_ONCE(q->db);

	if (db)
		return upstream_update(value, db, q->ei);
	return true;
}
static const char *const path_name[] = { "SQ", "CQ" };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * noinline: each loop is compiled on its own, so that neither variant is
 * hoisted into, or optimised across, the other.
 */
/*
 * The unarmed queues: in memory, as a driver's queue is, and not static,
 * so that the compiler can assume nothing of their NULL slot pointers
 * for either variant.
 */
struct nvme_dbbuf_queue off;
struct upstream_queue up_off;

static noinline double run(enum variant v, enum path p, unsigned long n)
{
	struct nvme_dbbuf_queue dbq = {
		.sq_db = &ring.dbs[2], .sq_ei = &ring.eis[2],
		.cq_db = &ring.dbs[3], .cq_ei = &ring.eis[3],
	};
	unsigned long i, rang = 0;
	double t0, t1;
	u16 idx = 0;

	ring.eis[2] = cpu_to_le32(0x8000);
	ring.eis[3] = cpu_to_le32(0x8000);
	ring.dbs[2] = 0;
	ring.dbs[3] = 0;
	/*
	 * One timed loop per variant and path, chosen before the clock
	 * starts, so that no loop pays for dispatching to another.
	 */
#define TIMED(entry, update) do {					\
		t0 = now_ns();						\
		for (i = 0; i < n; i++) {				\
			idx++;						\
			entry;						\
			rang += update;					\
		}							\
		t1 = now_ns();						\
	} while (0)
#define SQE	do { if (entries) write_sqe(idx); } while (0)
#define CQE	do { if (entries) sink += read_cqe(idx); } while (0)
	switch (v * NR_PATHS + p) {
	case UPSTREAM * NR_PATHS + SQ:
		TIMED(SQE, upstream_update(idx, &ring.dbs[2], &ring.eis[2]));
		break;
	case OURS * NR_PATHS + SQ:
		TIMED(SQE, nvme_dbbuf_sq_update(&dbq, idx));
		break;
	case UPSTREAM_OFF * NR_PATHS + SQ:
		TIMED(SQE, upstream_update_q(idx, &up_off));
		break;
	case OURS_OFF * NR_PATHS + SQ:
		TIMED(SQE, nvme_dbbuf_sq_update(&off, idx));
		break;
	case UPSTREAM * NR_PATHS + CQ:
		TIMED(CQE, upstream_update(idx, &ring.dbs[3], &ring.eis[3]));
		break;
	case OURS * NR_PATHS + CQ:
		TIMED(CQE, nvme_dbbuf_cq_update(&dbq, idx));
		break;
	case UPSTREAM_OFF * NR_PATHS + CQ:
		TIMED(CQE, upstream_update_q(idx, &up_off));
		break;
	default:
		TIMED(CQE, nvme_dbbuf_cq_update(&off, idx));
		break;
	}
#undef TIMED
#undef SQE
#undef CQE
	asked[v][p] += rang;
	return (t1 - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	unsigned long n = 2000000;
	int rounds = 15, opt, r, v, p;
	double *t[NR_VARIANTS][NR_PATHS], med[NR_VARIANTS][NR_PATHS];
	double sum[NR_VARIANTS];
	cpu_set_t cpus;

	while ((opt = getopt(argc, argv, "en:r:h")) != -1) {
		switch (opt) {
		case 'e':
			entries = false;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-e] [-n updates per round] [-r rounds]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!n || rounds < 1) {
		fprintf(stderr, "microbench: -n and -r must be at least 1\n");
		return 2;
	}

	/* Stay on one CPU, so both variants run on the same core. */
	CPU_ZERO(&cpus);
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) {
		for (r = 0; r < CPU_SETSIZE && !CPU_ISSET(r, &cpus); r++)
			;
		CPU_ZERO(&cpus);
		CPU_SET(r, &cpus);
		sched_setaffinity(0, sizeof(cpus), &cpus);
	}

	for (v = 0; v < NR_VARIANTS; v++)
		for (p = 0; p < NR_PATHS; p++) {
			t[v][p] = calloc(rounds, sizeof(double));
			if (!t[v][p]) {
				perror("microbench");
				return 1;
			}
		}

	printf("microbench: %lu updates per round, %d rounds, alternating which variant goes first; %s\n",
	       n, rounds, entries ? "each SQ update after a 64-byte entry store, each CQ update after an entry load" :
	       "the updates alone (-e)");
	/* Warm up caches, branch predictors and the CPU's clock. */
	for (v = 0; v < NR_VARIANTS; v++)
		for (p = 0; p < NR_PATHS; p++)
			run(v, p, n / 4 + 1);
	for (r = 0; r < rounds; r++)
		for (v = 0; v < NR_VARIANTS; v++) {
			int w = r % 2 ? NR_VARIANTS - 1 - v : v;

			for (p = 0; p < NR_PATHS; p++)
				t[w][p][r] = run(w, p, n);
		}

	printf("%-16s %10s %10s %10s\n", "variant", "SQ ns", "CQ ns", "mean ns");
	for (v = 0; v < NR_VARIANTS; v++) {
		for (p = 0; p < NR_PATHS; p++)
			med[v][p] = median(t[v][p], rounds);
		sum[v] = med[v][SQ] + med[v][CQ];
		printf("%-16s %10.2f %10.2f %10.2f\n", variant_name[v],
		       med[v][SQ], med[v][CQ], sum[v] / 2);
	}
	for (p = 0; p < NR_PATHS; p++)
		if (asked[UPSTREAM][p] != asked[OURS][p] ||
		    asked[UPSTREAM_OFF][p] != asked[OURS_OFF][p]) {
			fprintf(stderr, "microbench: %s: upstream asked for %lu doorbells, ours for %lu; unarmed, %lu and %lu\n",
				path_name[p], asked[UPSTREAM][p],
				asked[OURS][p], asked[UPSTREAM_OFF][p],
				asked[OURS_OFF][p]);
			return 1;
		}
	printf("ratio ours/upstream SQ = %.2f, CQ = %.2f\n",
	       med[OURS][SQ] / med[UPSTREAM][SQ],
	       med[OURS][CQ] / med[UPSTREAM][CQ]);
	printf("ratio ours/upstream = %.2f\n", sum[OURS] / sum[UPSTREAM]);
	printf("unarmed: ratio ours/upstream SQ = %.2f, CQ = %.2f\n",
	       med[OURS_OFF][SQ] / med[UPSTREAM_OFF][SQ],
	       med[OURS_OFF][CQ] / med[UPSTREAM_OFF][CQ]);
	printf("unarmed: ratio ours/upstream = %.2f\n",
	       sum[OURS_OFF] / sum[UPSTREAM_OFF]);
	return 0;
}
