// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol model for NVMe shadow doorbells (Doorbell Buffer Config,
 * NVMe 1.3 sections 5.7 and 7.13).
 *
 * The host side is drivers/nvme/host/dbbuf.h itself, compiled in userspace
 * on top of the shim in shim/.  Nothing of its logic is re-typed here: the
 * model only calls nvme_dbbuf_need_event(), nvme_dbbuf_sq_update() and
 * nvme_dbbuf_cq_update(), and knows the layout of struct nvme_dbbuf_queue
 * in one place, model_dbq_attach().
 *
 * Tests (TAP):
 *   need-event   need_event against its definition, all 2^32 differences
 *   decide       single-threaded: every stored value and every decision
 *   readback     does a device write into the shadow slot change a decision?
 *   states       an unarmed queue (no slots) and a disarmed one (shadow
 *                slots, no EventIdx) ring MMIO on every update
 *   qemu-sq/cq   host thread against a controller following QEMU's policy
 *   poll-sq/cq   ... against a controller that polls the shadow slot
 *   evil-ei      ... that polls and writes garbage EventIdx values
 *   clobber      ... against a QEMU-like controller that overwrites the
 *                shadow slot while the queue is quiet, as QEMU does on
 *                Doorbell Buffer Config, but with garbage as well
 *   scribble     ... against a polling controller that overwrites it at any
 *                time
 *
 * Each threaded test runs 16 chunks over queue depths 2..65536 (tails wrap
 * at the depth, as in a real queue), with random steps and random short
 * spins on both sides.  The host writes each entry's sequence number before
 * publishing it; the controller checks every entry it consumes.  The CQ
 * tests drive nvme_dbbuf_cq_update() through the same harness: a head the
 * controller waits for is the same publish/EventIdx protocol as a tail.
 *
 * Every controller reads tails from the shadow slot only; an MMIO doorbell
 * just wakes it.  Every controller also sleeps: the QEMU-like ones whenever
 * they have caught up, the polling ones now and then, after writing
 * EventIdx = head, a full fence and a last look at the shadow slot.  The
 * host's next update then starts at head, so it must ring.  "Lost doorbell"
 * is exact: the controller is asleep, has seen every MMIO the host wrote
 * and still lags behind the host's tail, so nothing will ever wake it.
 * Nothing rescues a stalled controller; the one exception is counted (see
 * host_lost()).  A polling controller also checks, whenever the host waits
 * for it, that the shadow slot holds the host's tail.
 *
 * A header that reads `old` back from the shadow slot, which the device
 * may write (QEMU does), as upstream's did, fails readback and clobber.
 * Without -S those failures are reported as TAP TODO, the "known defect";
 * with -S (STRICT=1, make's default now that dbbuf.h keeps `old` private)
 * they are failures.  Any other failure of those tests is a plain failure.
 *
 * What x86 cannot show: its stores are not reordered with older loads or
 * stores (TSO), so a missing barrier (a) or (c) of dbbuf.h goes unnoticed
 * here; only the store->load order that barrier (b) provides is tested for
 * real.
 *
 * Run: make -C tests/model check, or build/model/model -h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbbuf.h"

/*
 * What the driver's tracepoints said, per side (0: SQ, 1: CQ): updates
 * published and rung by MMIO, and updates published but not rung
 * (suppressed).  Only published updates are traced.  The threaded tests
 * trace from two threads.
 */
static u64 traced[2][2];

static void model_trace(int side, bool mmio)
{
	__atomic_fetch_add(&traced[side][mmio ? 0 : 1], 1, __ATOMIC_RELAXED);
}

void model_nvme_dbbuf_sq(int instance, u16 qid, u16 value, bool mmio)
{
	model_trace(0, mmio);
}

void model_nvme_dbbuf_cq(int instance, u16 qid, u16 value, bool mmio)
{
	model_trace(1, mmio);
}

#include <linux/compiler.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CACHELINE	64

/* Queue 1 with CAP.DSTRD = 0: SQ 1 tail at byte 8, CQ 1 head at byte 12. */
#define PAGE_WORDS	1024
#define SQ_SLOT		2
#define CQ_SLOT		3

#define HANG_NS		(10ULL * 1000 * 1000 * 1000)

static u64 opt_seed;
static double opt_updates = 1e7;
static bool opt_fail_fast;
static bool opt_strict_old;
static const char *opt_only;
static bool opt_verbose;
static u32 opt_depth;

/*
 * Why the current test failed: the message (TAP YAML "message"), a short
 * summary for the TAP line (else the test's description), and whether it
 * is the header's known defect (TAP TODO unless -S).
 */
static char fail_msg[1024];
static char fail_sum[128];
static bool fail_known;

#define KNOWN_DEFECT	"dbbuf.h reads old back from the shadow slot"

static __printf(1, 2) bool failf(const char *fmt, ...);

static bool failf(const char *fmt, ...)
{
	va_list ap;

	/* Keep the first reason: later ones are usually consequences. */
	if (fail_msg[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	return false;
}

/* A failure caused by the known defect, KNOWN_DEFECT, and only by it. */
static __printf(2, 3) bool failf_known(const char *sum, const char *fmt, ...);

static bool failf_known(const char *sum, const char *fmt, ...)
{
	va_list ap;

	if (fail_msg[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	snprintf(fail_sum, sizeof(fail_sum), "%s", sum);
	fail_known = true;
	return false;
}

static __printf(1, 2) void diag(const char *fmt, ...);

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static inline void model_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" : : : "memory");
#endif
}

/*
 * Wait for the other thread: spin while it is probably running, yield once
 * it probably is not (other work may hold the CPUs; spinning against a
 * preempted peer would burn whole time slices).
 */
#define SPINS_BEFORE_YIELD	200

static inline void wait_relax(u32 *spins)
{
	if (*spins < SPINS_BEFORE_YIELD) {
		++*spins;
		model_relax();
	} else {
		sched_yield();
	}
}

/* ---------------------------------------------------------------------- */
/* Random numbers: splitmix64 to seed, xorshift64* to run. */

struct rng {
	u64 s;
};

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_init(struct rng *r, u64 a, u64 b, u64 c)
{
	u64 x = opt_seed;

	x ^= splitmix64(&a);
	x ^= splitmix64(&b) << 1;
	x ^= splitmix64(&c) << 2;
	r->s = splitmix64(&x) | 1;
}

static inline u64 rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n), n > 0. */
static inline u32 rnd_below(struct rng *r, u32 n)
{
	return (u32)(((rnd(r) >> 32) * n) >> 32);
}

static inline void spin_delay(struct rng *r, u32 mask)
{
	u32 n;

	if (!mask)
		return;
	n = (u32)rnd(r) & mask;
	while (n--)
		model_relax();
}

/* ---------------------------------------------------------------------- */
/* The device's view of the two buffers: little-endian 32-bit words. */

static inline u32 model_dev_le32(u32 v)
{
#ifdef MODEL_BIG_ENDIAN
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

static inline u32 dev_rd(const __le32 *p)
{
	return model_dev_le32(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void dev_wr(__le32 *p, u32 v)
{
	__atomic_store_n(p, model_dev_le32(v), __ATOMIC_RELAXED);
}

static inline u32 canary(u32 i)
{
	return 0xc0de0000u ^ (i * 0x9e3779b1u);
}

/* Two pages, all words canaries except the slot pairs in @live. */
static bool pages_alloc(__le32 **dbs, __le32 **eis, bool sq, bool cq)
{
	u32 i;

	*dbs = aligned_alloc(4096, PAGE_WORDS * sizeof(__le32));
	*eis = aligned_alloc(4096, PAGE_WORDS * sizeof(__le32));
	if (!*dbs || !*eis)
		return failf("out of memory");
	for (i = 0; i < PAGE_WORDS; i++) {
		(*dbs)[i] = canary(i);
		(*eis)[i] = ~canary(i);
	}
	/* A controller reset zeroes both buffers before they are reused. */
	if (sq)
		(*dbs)[SQ_SLOT] = (*eis)[SQ_SLOT] = 0;
	if (cq)
		(*dbs)[CQ_SLOT] = (*eis)[CQ_SLOT] = 0;
	return true;
}

/* Nothing outside the slots in use may have been written. */
static bool pages_check(const __le32 *dbs, const __le32 *eis, bool sq, bool cq)
{
	u32 i;

	for (i = 0; i < PAGE_WORDS; i++) {
		if ((i == SQ_SLOT && sq) || (i == CQ_SLOT && cq))
			continue;
		if (dbs[i] != canary(i))
			return failf("stray write: shadow word %u = %#x", i,
				     dbs[i]);
		if (eis[i] != (u32)~canary(i))
			return failf("stray write: EventIdx word %u = %#x", i,
				     eis[i]);
	}
	return true;
}

/*
 * The only place that knows struct nvme_dbbuf_queue: attach queue 1's slots
 * of both pages, as for a queue armed right after a controller reset
 * (buffers zeroed, nothing published yet).  Fields the header may add
 * later (host-private old values, counters) start at zero, which matches.
 */
static void model_dbq_attach(struct nvme_dbbuf_queue *dbq, __le32 *dbs,
			     __le32 *eis)
{
	memset(dbq, 0, sizeof(*dbq));
	dbq->sq_db = &dbs[SQ_SLOT];
	dbq->sq_ei = &eis[SQ_SLOT];
	dbq->cq_db = &dbs[CQ_SLOT];
	dbq->cq_ei = &eis[CQ_SLOT];
}

/* Unarmed: no slots at all.  Disarmed: shadow slots kept, no EventIdx. */
static void model_dbq_unarm(struct nvme_dbbuf_queue *dbq)
{
	memset(dbq, 0, sizeof(*dbq));
}

static void model_dbq_disarm(struct nvme_dbbuf_queue *dbq)
{
	dbq->sq_ei = NULL;
	dbq->cq_ei = NULL;
}

static bool model_dbq_check(const struct nvme_dbbuf_queue *dbq,
			    __le32 *dbs, __le32 *eis)
{
	if (dbq->sq_db != &dbs[SQ_SLOT] || dbq->sq_ei != &eis[SQ_SLOT] ||
	    dbq->cq_db != &dbs[CQ_SLOT] || dbq->cq_ei != &eis[CQ_SLOT])
		return failf("struct nvme_dbbuf_queue slot pointers changed");
	return true;
}

static inline bool host_publish(struct nvme_dbbuf_queue *dbq, bool cq,
				u32 value)
{
	if (cq)
		return nvme_dbbuf_cq_update(dbq, value);
	/* The SQ is in host memory: the model has no CMB. */
	return nvme_dbbuf_sq_update(dbq, value);
}

/* The definition: does @ei lie in [old, new_idx) modulo 2^16? */
static inline bool want_event(u16 ei, u16 new_idx, u16 old)
{
	return (u16)(ei - old) < (u16)(new_idx - old);
}

/* ---------------------------------------------------------------------- */
/* need-event: all (new - ei, new - old) pairs, 2^32 of them. */

struct exh {
	pthread_t tid;
	u32 lo, hi;
	u64 ntrue, nbad;
	bool have_bad;
	u16 bad_ei, bad_new, bad_old;
	int bad_got;
};

/* Varies new_idx with both differences, so no symmetry is assumed. */
static inline u16 exh_new(u32 d1, u32 d2)
{
	return (u16)(d1 * 0x9e5u + d2 * 0x3bu + 0x7a3u);
}

static void *exh_thread(void *arg)
{
	struct exh *x = arg;
	u32 d1, d2;

	for (d2 = x->lo; d2 < x->hi; d2++) {
		u64 ntrue = 0, nbad = 0;

		for (d1 = 0; d1 < 0x10000; d1++) {
			u16 new_idx = exh_new(d1, d2);
			u16 ei = new_idx - d1, old = new_idx - d2;
			bool got = nvme_dbbuf_need_event(ei, new_idx, old);

			ntrue += got;
			nbad += got != want_event(ei, new_idx, old);
		}
		x->ntrue += ntrue;
		x->nbad += nbad;
		if (!nbad || x->have_bad)
			continue;
		for (d1 = 0; d1 < 0x10000; d1++) {
			u16 new_idx = exh_new(d1, d2);
			u16 ei = new_idx - d1, old = new_idx - d2;
			int got = nvme_dbbuf_need_event(ei, new_idx, old);

			if (!!got == want_event(ei, new_idx, old))
				continue;
			x->have_bad = true;
			x->bad_ei = ei;
			x->bad_new = new_idx;
			x->bad_old = old;
			x->bad_got = got;
			break;
		}
	}
	return NULL;
}

static bool t_need_event(void)
{
	struct exh x[2];
	u64 ntrue = 0, nbad = 0, t0 = now_ns();
	u32 i;

	memset(x, 0, sizeof(x));
	for (i = 0; i < ARRAY_SIZE(x); i++) {
		x[i].lo = i * 0x10000 / ARRAY_SIZE(x);
		x[i].hi = (i + 1) * 0x10000 / ARRAY_SIZE(x);
		if (pthread_create(&x[i].tid, NULL, exh_thread, &x[i]))
			return failf("pthread_create failed");
	}
	for (i = 0; i < ARRAY_SIZE(x); i++) {
		pthread_join(x[i].tid, NULL);
		ntrue += x[i].ntrue;
		nbad += x[i].nbad;
	}
	diag("need-event: 2^32 cases in %.1f s, %llu ring, %llu wrong",
	     (now_ns() - t0) / 1e9, ntrue, nbad);
	for (i = 0; i < ARRAY_SIZE(x); i++) {
		if (!x[i].have_bad)
			continue;
		return failf("need_event(ei=%u, new=%u, old=%u) = %d, but %u %s in [%u, %u) mod 2^16 (%llu of 2^32 cases wrong)",
			     x[i].bad_ei, x[i].bad_new, x[i].bad_old,
			     x[i].bad_got, x[i].bad_ei,
			     x[i].bad_got ? "is not" : "is",
			     x[i].bad_old, x[i].bad_new, nbad);
	}
	/* For each new - old = d, exactly d values of ei are in range. */
	if (ntrue != 0xffffULL * 0x10000 / 2)
		return failf("need_event true %llu times, want %llu", ntrue,
			     0xffffULL * 0x10000 / 2);
	return true;
}

/* ---------------------------------------------------------------------- */
/* decide and readback: one thread, every decision checked. */

static const u32 depths[] = { 2, 3, 4, 8, 32, 100, 1024, 65536 };

struct step {
	u32 depth, old, new_idx;
	u32 ei_raw;
	u32 clobber;		/* readback: what the device wrote */
	bool want;
};

static void pick_step(struct rng *r, struct step *s)
{
	u16 span, e;

	s->depth = depths[rnd_below(r, ARRAY_SIZE(depths))];
	s->old = rnd_below(r, s->depth);
	if (rnd(r) & 1)
		span = 1 + rnd_below(r, s->depth - 1 < 8 ? s->depth - 1 : 8);
	else
		span = 1 + rnd_below(r, s->depth - 1);
	s->new_idx = (s->old + span) % s->depth;
	span = (u16)(s->new_idx - s->old);

	switch (rnd_below(r, 8)) {
	case 0:
		e = s->old;
		break;
	case 1:
		e = s->new_idx - 1;
		break;
	case 2:
		e = s->new_idx;
		break;
	case 3:
		e = s->old - 1;
		break;
	case 4:
	case 5:
		e = s->old + rnd_below(r, span);
		break;
	default:
		e = (u16)rnd(r);
		break;
	}
	s->ei_raw = e;
	/* Bits 31:16 are reserved; the host must ignore them. */
	if (!rnd_below(r, 4))
		s->ei_raw |= (u32)rnd(r) & 0xffff0000u;
	s->want = want_event(e, s->new_idx, s->old);
}

static const char *const clobber_name[] = {
	"current value (QEMU)", "current value, bits 31:16 set",
	"another valid index", "random 32 bits",
};

static bool t_decide_or_readback(bool readback)
{
	struct nvme_dbbuf_queue dbq;
	u64 n = 0, ring = 0, quiet = 0, nmiss = 0, nextra = 0;
	u64 all_rang[2] = { 0 }, all_quiet[2] = { 0 };
	u64 diff[2][ARRAY_SIZE(clobber_name)][2];
	struct step ex[ARRAY_SIZE(clobber_name)];
	int have_ex[ARRAY_SIZE(clobber_name)] = { 0 };
	__le32 *dbs, *eis;
	struct rng r;
	bool ok = true;
	int cq, k;

	memset(diff, 0, sizeof(diff));
	if (!pages_alloc(&dbs, &eis, true, true))
		return false;
	model_dbq_attach(&dbq, dbs, eis);
	memset(traced, 0, sizeof(traced));
	rng_init(&r, 0xdec1de, readback, 0);

	for (cq = 0; cq < 2 && ok; cq++) {
		__le32 *db = &dbs[cq ? CQ_SLOT : SQ_SLOT];
		__le32 *ei = &eis[cq ? CQ_SLOT : SQ_SLOT];
		u64 i;

		for (i = 0; i < (1u << 20); i++) {
			struct step s;
			bool got;
			u32 v;

			pick_step(&r, &s);
			/* Publish s.old first, whatever that decides. */
			dev_wr(ei, (u32)rnd(&r));
			if (host_publish(&dbq, cq, s.old))
				all_rang[cq]++;
			else
				all_quiet[cq]++;
			v = dev_rd(db);
			if (!readback && v != s.old) {
				ok = failf("%s_update(%u): shadow slot reads %#x on the device side%s",
					   cq ? "cq" : "sq", s.old, v,
					   v == __builtin_bswap32(s.old) ?
					   " (byte-swapped)" : "");
				break;
			}

			k = -1;
			if (readback) {
				k = rnd_below(&r, ARRAY_SIZE(clobber_name));
				switch (k) {
				case 0:
					v = s.old;
					break;
				case 1:
					v = s.old | 0x10000 |
					    (u32)rnd(&r) << 16;
					break;
				case 2:
					v = (s.old + 1 +
					     rnd_below(&r, s.depth - 1)) %
					    s.depth;
					if (s.depth == 2 && v == s.old)
						v ^= 1;
					break;
				default:
					v = (u32)rnd(&r);
					break;
				}
				dev_wr(db, v);
				s.clobber = v;
			}
			dev_wr(ei, s.ei_raw);
			got = host_publish(&dbq, cq, s.new_idx);
			n++;
			ring += got;
			quiet += !got;
			all_rang[cq] += got;
			all_quiet[cq] += !got;

			if (readback) {
				/* Keep one example, a missed MMIO if any. */
				if (got != s.want && have_ex[k] < 1 + s.want) {
					ex[k] = s;
					have_ex[k] = 1 + s.want;
				}
				diff[cq][k][s.want] += got != s.want;
				continue;
			}
			/* First what the device sees, then the decision. */
			v = dev_rd(db);
			if (v != s.new_idx) {
				ok = failf("%s_update(%u): shadow slot reads %#x on the device side%s",
					   cq ? "cq" : "sq", s.new_idx, v,
					   v == __builtin_bswap32(s.new_idx) ?
					   " (byte-swapped)" : "");
				break;
			}
			if (got != s.want) {
				ok = failf("%s_update(%u) after %u, EventIdx %#x: returned %d, want %d",
					   cq ? "cq" : "sq", s.new_idx, s.old,
					   s.ei_raw, got, s.want);
				break;
			}
			v = dev_rd(ei);
			if (v != s.ei_raw) {
				ok = failf("%s_update(%u) changed the EventIdx slot from %#x to %#x",
					   cq ? "cq" : "sq", s.new_idx,
					   s.ei_raw, v);
				break;
			}
		}
	}
	if (ok)
		ok = pages_check(dbs, eis, true, true);
	if (ok)
		ok = model_dbq_check(&dbq, dbs, eis);
	/* The tracepoints: every update published, each rung or not. */
	if (ok && (traced[0][0] != all_rang[0] ||
		   traced[0][1] != all_quiet[0] ||
		   traced[1][0] != all_rang[1] ||
		   traced[1][1] != all_quiet[1]))
		ok = failf("traced: sq %llu/%llu, cq %llu/%llu (mmio/suppressed); want sq %llu/%llu, cq %llu/%llu",
			   traced[0][0], traced[0][1],
			   traced[1][0], traced[1][1],
			   all_rang[0], all_quiet[0],
			   all_rang[1], all_quiet[1]);
	free(dbs);
	free(eis);
	if (!ok)
		return false;

	if (!readback) {
		diag("decide: %llu updates on sq and cq slots, %llu rang, %llu suppressed, all as defined%s",
		     n, ring, quiet, ", and traced so");
		if (!quiet || !ring)
			return failf("the header %s: is the queue armed? (see model_dbq_attach())",
				     quiet ? "never rings" : "always rings");
		return true;
	}

	/*
	 * The device writing back what the host published (kinds 0 and 1)
	 * must change nothing, whatever the header does.  Other values
	 * change decisions only if the header reads `old` back from the
	 * slot: the known defect.
	 */
	for (k = 0; k < (int)ARRAY_SIZE(clobber_name); k++) {
		u64 miss = diff[0][k][1] + diff[1][k][1];
		u64 extra = diff[0][k][0] + diff[1][k][0];

		diag("readback: device wrote %s: %llu missed MMIOs, %llu extra, of %llu",
		     clobber_name[k], miss, extra,
		     n / ARRAY_SIZE(clobber_name));
		if (!miss && !extra)
			continue;
		diag("  e.g. %u published, device wrote %#x, then %u published with EventIdx %#x (depth %u): %s",
		     ex[k].old, ex[k].clobber, ex[k].new_idx, ex[k].ei_raw,
		     ex[k].depth,
		     ex[k].want ? "MMIO needed but skipped" :
				  "MMIO not needed but written");
		if (k <= 1)
			failf("decisions change when the device writes back %s: %llu missed MMIOs, %llu extra",
			      clobber_name[k], miss, extra);
		nmiss += miss;
		nextra += extra;
	}
	if (fail_msg[0])
		return false;
	if (nmiss || nextra) {
		char sum[96];

		snprintf(sum, sizeof(sum), "%llu missed and %llu extra MMIOs",
			 nmiss, nextra);
		return failf_known(sum, "decisions depend on what the device writes into the shadow slot (%llu missed MMIOs, %llu extra): the header reads `old` back from device-writable memory",
				   nmiss, nextra);
	}
	return true;
}

/*
 * The states other than armed.  Unarmed (every queue after a controller
 * enable, until the controller accepts the buffers): every update rings,
 * neither page is touched, and nothing is traced: the path is upstream's.
 * Disarmed (while the controller is being disabled, and may still read
 * the shadow slots): every update rings whatever EventIdx says, the shadow
 * slot still follows the host, and each update is traced as rung.
 */
static bool t_states(void)
{
	struct nvme_dbbuf_queue dbq;
	__le32 *dbs, *eis;
	struct rng r;
	bool ok = true;
	int cq, i;

	if (!pages_alloc(&dbs, &eis, true, true))
		return false;
	rng_init(&r, 0x57a7e5, false, 0);
	memset(traced, 0, sizeof(traced));
	model_dbq_unarm(&dbq);
	for (i = 0; i < 100000 && ok; i++) {
		cq = i & 1;
		if (!host_publish(&dbq, cq, (u16)rnd(&r)))
			ok = failf("unarmed: %s_update() did not ring",
				   cq ? "cq" : "sq");
	}
	if (ok && (dev_rd(&dbs[SQ_SLOT]) || dev_rd(&dbs[CQ_SLOT]) ||
		   dev_rd(&eis[SQ_SLOT]) || dev_rd(&eis[CQ_SLOT])))
		ok = failf("unarmed: a slot was written");
	if (ok && (traced[0][0] + traced[0][1] || traced[1][0] + traced[1][1]))
		ok = failf("unarmed: %llu SQ and %llu CQ updates traced; an unarmed queue traces none",
			   traced[0][0] + traced[0][1],
			   traced[1][0] + traced[1][1]);
	if (ok)
		ok = pages_check(dbs, eis, true, true);

	model_dbq_attach(&dbq, dbs, eis);
	model_dbq_disarm(&dbq);
	for (i = 0; i < 100000 && ok; i++) {
		u16 v = (u16)rnd(&r);
		u32 ei = (u32)rnd(&r);

		cq = i & 1;
		/* An EventIdx that would suppress this update if it counted */
		dev_wr(&eis[cq ? CQ_SLOT : SQ_SLOT], ei);
		if (!host_publish(&dbq, cq, v))
			ok = failf("disarmed: %s_update(%u) with EventIdx %#x did not ring",
				   cq ? "cq" : "sq", v, ei);
		else if (dev_rd(&dbs[cq ? CQ_SLOT : SQ_SLOT]) != v)
			ok = failf("disarmed: %s_update(%u): shadow slot reads %#x",
				   cq ? "cq" : "sq", v,
				   dev_rd(&dbs[cq ? CQ_SLOT : SQ_SLOT]));
	}
	if (ok && (traced[0][0] + traced[1][0] != 100000 ||
		   traced[0][1] || traced[1][1]))
		ok = failf("disarmed: traced %llu rung and %llu suppressed; want 100000 and 0",
			   traced[0][0] + traced[1][0],
			   traced[0][1] + traced[1][1]);
	if (ok)
		ok = pages_check(dbs, eis, true, true);
	free(dbs);
	free(eis);
	if (ok)
		diag("states: 100000 updates unarmed and 100000 disarmed, each rang, the disarmed ones traced");
	return ok;
}

static bool t_decide(void)
{
	return t_decide_or_readback(false);
}

static bool t_readback(void)
{
	return t_decide_or_readback(true);
}

/* ---------------------------------------------------------------------- */
/* Host and controller threads. */

enum policy {
	POL_QEMU,	/* EventIdx = tail last read, fence, re-read; sleeps */
	POL_POLL,	/* polls the shadow slot, EventIdx fixed or random */
	POL_EVIL_EI,	/* polls; garbage, stale, out-of-range EventIdx */
	POL_CLOBBER,	/* QEMU, plus garbage in the shadow slot when quiet */
	POL_SCRIBBLE,	/* polls; garbage in the shadow slot at any time */
};

/* Garbage a clobbering controller writes into the shadow slot. */
enum {
	CLOB_NONE,
	CLOB_SAME,	/* the current tail, as QEMU does */
	CLOB_HIGH,	/* the current tail with bits 31:16 set */
	CLOB_BAD,	/* an index >= queue depth, any bits 31:16 */
	NR_CLOB
};

static const char *const clob_name[NR_CLOB] = {
	"none", "current tail", "tail | junk << 16", "index >= depth",
};

struct run {
	/* Set before the controller starts, read-only afterwards. */
	enum policy pol;
	bool cq;
	bool host_check_db;	/* host: the slot holds what it published */
	bool dev_strict_db;	/* controller: no garbage in the slot */
	u32 depth;
	u32 max_step;
	u32 host_delay, dev_delay;
	u32 poll_ei;		/* POL_POLL: ~0 random, else fixed */
	__le32 *dbs, *eis;
	__le32 *db, *ei;	/* the slot pair under test */
	u32 *sqe;		/* sequence numbers of the entries written */

	/* Host -> controller. */
	__aligned(CACHELINE) u64 mmio;	/* MMIOs written << 32 | value */
	__aligned(CACHELINE) u64 quiesce_req;
	u64 waiting;		/* host: pub when it last waited */
	u32 stop;

	/* Controller -> host. */
	__aligned(CACHELINE) u64 cons;	/* entries consumed */
	__aligned(CACHELINE) u64 state;	/* MMIOs seen << 1 | asleep */
	__aligned(CACHELINE) u64 quiesce_ack;
	u32 clob_kind;
	u32 failed;
	char why[512];
	u64 wakeups, empty_wakeups, sleeps, clobbers;
};

struct dev {
	struct run *r;
	struct rng rng;
	u32 head;
	u64 cons;
	u64 seen;
	u64 qdone;
};

static __printf(2, 3) bool dev_fail(struct dev *d, const char *fmt, ...);

static bool dev_fail(struct dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->r->why, sizeof(d->r->why), fmt, ap);
	va_end(ap);
	/* Release: the message is written before the flag is seen. */
	__atomic_store_n(&d->r->failed, 1, __ATOMIC_RELEASE);
	return false;
}

/* Acquire: pairs with the release store in dev_fail(); why[] is whole. */
static inline bool dev_failed(struct run *r)
{
	return __atomic_load_n(&r->failed, __ATOMIC_ACQUIRE);
}

/*
 * Acquire: pairs with the release store of stop in run_chunk(); nothing
 * the host did before stopping is missed.
 */
static inline bool dev_stopped(struct run *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
}

/*
 * Acquire: pairs with the release store in dev_take_one(); the entries
 * below the result have been read and their slots may be reused.
 */
static inline u64 host_cons(struct run *r)
{
	return __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
}

/* Consume the entry at head, if the host has written it. */
static inline bool dev_take_one(struct dev *d)
{
	struct run *r = d->r;
	u32 e = __atomic_load_n(&r->sqe[d->head], __ATOMIC_RELAXED);

	if (e != (u32)d->cons)
		return false;
	if (++d->head == r->depth)
		d->head = 0;
	d->cons++;
	/*
	 * Release: the entry was read before the host may reuse its slot.
	 * Pairs with the acquire load in host_cons().
	 */
	__atomic_store_n(&r->cons, d->cons, __ATOMIC_RELEASE);
	return true;
}

/* A shadow slot value as an index, or r->depth if it is none. */
static inline u32 dev_tail_value(struct dev *d, u32 v)
{
	struct run *r = d->r;

	if (v < r->depth)
		return v;
	if (r->dev_strict_db)
		dev_fail(d, "shadow slot holds %#x, not an index below %u%s",
			 v, r->depth,
			 __builtin_bswap32(v) < r->depth ?
			 " (byte-swapped?)" : "");
	return r->depth;
}

/* Read the shadow slot: an index, or r->depth if it holds none. */
static inline u32 dev_read_tail(struct dev *d)
{
	u32 v = dev_rd(d->r->db);

	/*
	 * Acquire: the shadow load happens before the loads of the entries
	 * it covers.  Pairs with barrier (a), before the shadow store in
	 * the header.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return dev_tail_value(d, v);
}

/* Consume up to index @x; false if an entry before it is not written. */
static bool dev_take_to(struct dev *d, u32 x)
{
	struct run *r = d->r;
	u32 n;

	if (x >= r->depth)
		return !r->dev_strict_db;
	n = (x + r->depth - d->head) % r->depth;
	while (n--) {
		if (!dev_take_one(d))
			return dev_fail(d, "index %u published, entry %u not written",
					x, d->head);
	}
	return true;
}

static bool dev_check_mmio(struct dev *d, u64 m)
{
	if ((u32)m < d->r->depth)
		return true;
	return dev_fail(d, "MMIO doorbell value %#x, depth %u", (u32)m,
			d->r->depth);
}

/*
 * QEMU's policy: read the shadow tail, then after each command write
 * EventIdx = the tail last read, full fence, read the shadow tail again.
 * Sleep when caught up, until the next MMIO doorbell.
 */
static bool dev_qemu_process(struct dev *d)
{
	struct run *r = d->r;
	u32 tail = dev_read_tail(d);
	u32 t;

	if (tail == r->depth)
		return !r->dev_strict_db;
	if (tail == d->head)
		r->empty_wakeups++;
	while (d->head != tail) {
		if (!dev_take_one(d))
			return dev_fail(d, "tail %u published, entry %u not written",
					tail, d->head);
		spin_delay(&d->rng, r->dev_delay);
		dev_wr(r->ei, tail);
		/*
		 * Full fence: the EventIdx store is visible before the shadow
		 * tail is loaded again.  Pairs with barrier (b) between the
		 * shadow store and the EventIdx load in the header: either
		 * the host sees this EventIdx and writes the MMIO doorbell,
		 * or we see its new tail here.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		t = dev_read_tail(d);
		if (t != r->depth)
			tail = t;
		else if (r->dev_strict_db)
			return false;
	}
	return true;
}

/* Clobber policy: the host waits while we overwrite the shadow slot. */
static void dev_quiesce(struct dev *d, u64 req)
{
	struct run *r = d->r;
	u32 t = dev_read_tail(d), v, kind;

	/* The host is quiet and has drained the queue; catch up anyway. */
	if (t != r->depth)
		dev_take_to(d, t);
	kind = CLOB_SAME + rnd_below(&d->rng, NR_CLOB - 1);
	if (kind == CLOB_BAD && r->depth == 0x10000)
		kind = CLOB_HIGH;
	switch (kind) {
	case CLOB_SAME:
		v = d->head;
		break;
	case CLOB_HIGH:
		v = d->head | 0x10000 | (u32)rnd(&d->rng) << 16;
		break;
	default:
		v = r->depth + rnd_below(&d->rng, 0x10000 - r->depth);
		v |= (u32)rnd(&d->rng) & 0xffff0000u;
		break;
	}
	dev_wr(r->ei, d->head);
	dev_wr(r->db, v);
	r->clobbers++;
	r->clob_kind = kind;
	/*
	 * Release: our slot writes and clob_kind happen before the host
	 * resumes.  Pairs with the acquire load of quiesce_ack in
	 * host_quiesce().
	 */
	__atomic_store_n(&r->quiesce_ack, req, __ATOMIC_RELEASE);
}

/*
 * Sleep until the next MMIO doorbell; false when told to stop, or on a bad
 * doorbell value.  The caller has caught up with the shadow slot after its
 * last EventIdx store and a full fence.
 */
static bool dev_sleep(struct dev *d)
{
	struct run *r = d->r;
	u32 spins = 0;
	u64 m, q;

	/*
	 * Release: asleep only after the last entry load and cons store,
	 * and after the shadow re-read that decided to sleep.  Pairs with
	 * the acquire load in dev_asleep().
	 */
	__atomic_store_n(&r->state, d->seen << 1 | 1, __ATOMIC_RELEASE);
	for (;;) {
		/*
		 * Acquire: pairs with the host's release store of mmio,
		 * which follows its shadow store.
		 */
		m = __atomic_load_n(&r->mmio, __ATOMIC_ACQUIRE);
		if (m >> 32 != d->seen)
			break;
		if (dev_stopped(r))
			return false;
		if (r->pol == POL_CLOBBER) {
			/* Acquire: pairs with host_quiesce(). */
			q = __atomic_load_n(&r->quiesce_req, __ATOMIC_ACQUIRE);
			if (q != d->qdone) {
				dev_quiesce(d, q);
				d->qdone = q;
			}
		}
		wait_relax(&spins);
	}
	d->seen = m >> 32;
	/* No ordering needed: the host acts on "asleep" only. */
	__atomic_store_n(&r->state, d->seen << 1, __ATOMIC_RELAXED);
	r->wakeups++;
	return dev_check_mmio(d, m);
}

static void dev_qemu(struct dev *d)
{
	while (dev_sleep(d) && dev_qemu_process(d))
		;
}

/* EventIdx values no sane controller writes. */
static u32 evil_ei(struct dev *d, u32 tail, u32 *stale)
{
	struct rng *g = &d->rng;

	switch (rnd_below(g, 11)) {
	case 0:
		return (u32)rnd(g);
	case 1:
		return rnd_below(g, d->r->depth) | ((u32)rnd(g) << 16);
	case 2:
		return stale[rnd_below(g, 16)];
	case 3:
		return tail;
	case 4:
		return (u16)(tail + 1);
	case 5:
		return (u16)(tail - 1);
	case 6:
		return 0xffffffffu;
	case 7:
		return 0x0000ffffu;
	case 8:
		return 0xffff0000u | tail;
	case 9:
		return d->head + 0x8000u;
	default:
		return d->head;
	}
}

/*
 * Garbage for the scribbling controller's shadow slot: never a value a
 * host publishes (those are indices below depth, bits 31:16 clear), so
 * that the controller can tell its own garbage from a tail.
 */
static u32 scribble_value(struct dev *d)
{
	struct rng *g = &d->rng;
	u32 depth = d->r->depth, hi = (1 + rnd_below(g, 0xffff)) << 16;

	switch (rnd_below(g, 4)) {
	case 0:
		if (depth < 0x10000)
			return depth + rnd_below(g, 0x10000 - depth);
		return (u32)rnd(g) | hi;
	case 1:
		return rnd_below(g, depth) | hi;
	case 2:
		return d->head | hi;
	default:
		return (u32)rnd(g) | hi;
	}
}

/*
 * Overwrite the shadow slot with garbage, swapping out what it held: a
 * tail the host published there is consumed, not lost.  A header that
 * reads `old` back from the slot then decides from garbage; while this
 * controller polls, that costs MMIOs at most, and it sleeps only once the
 * slot holds a tail again (dev_poll_sleep()).
 */
static bool dev_scribble(struct dev *d)
{
	struct run *r = d->r;
	u32 v = scribble_value(d), was;

	/* Sequentially consistent, so acquire: the entries are read after. */
	was = model_dev_le32(__atomic_exchange_n(r->db, model_dev_le32(v),
						 __ATOMIC_SEQ_CST));
	r->clobbers++;
	if (was >= r->depth)
		return true;	/* our own garbage */
	return dev_take_to(d, was);
}

/*
 * A polling controller stops polling now and then: EventIdx = head, full
 * fence, a last look at the shadow slot, and if that holds head, sleep
 * until an MMIO doorbell.  Either that look sees the host's next shadow
 * store, or the host's EventIdx load (after its own full barrier) sees
 * head, where its update starts: it must ring.
 */
static bool dev_poll_sleep(struct dev *d)
{
	struct run *r = d->r;

	dev_wr(r->ei, d->head);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (dev_read_tail(d) != d->head)
		return !dev_failed(r);
	r->sleeps++;
	return dev_sleep(d);
}

/*
 * Polling policies: read the shadow slot all the time, never use the MMIO
 * value, sleep now and then.
 */
static void dev_poll(struct dev *d)
{
	struct run *r = d->r;
	u32 stale[16] = { 0 }, t, e, i = 0, spins = 0;
	u64 m, cons, w;

	while (!dev_stopped(r)) {
		cons = d->cons;
		/* Acquire: pairs with the host's release store of mmio. */
		m = __atomic_load_n(&r->mmio, __ATOMIC_ACQUIRE);
		if (m >> 32 != d->seen) {
			d->seen = m >> 32;
			r->wakeups++;
			if (!dev_check_mmio(d, m))
				return;
		}
		/*
		 * Acquire: pairs with the release store in host_wait(), which
		 * follows the host's last shadow store.  That store, or a
		 * later one, is in the slot below, or was swapped out by
		 * dev_scribble() and consumed.
		 */
		w = __atomic_load_n(&r->waiting, __ATOMIC_ACQUIRE);
		t = dev_read_tail(d);
		if (!dev_take_to(d, t))
			return;
		if (d->cons < w) {
			dev_fail(d, "shadow slot holds %#x while the host waits with %s %u published; controller at %u, %llu entries behind",
				 dev_rd(r->db), r->cq ? "head" : "tail",
				 (u32)(w % r->depth), d->head, w - d->cons);
			return;
		}
		switch (r->pol) {
		case POL_POLL:
			e = r->poll_ei;
			if (e == ~0u)
				e = rnd_below(&d->rng, r->depth);
			dev_wr(r->ei, e);
			break;
		case POL_EVIL_EI:
			dev_wr(r->ei, evil_ei(d, t, stale));
			if (!(++i & 63))
				stale[(i >> 6) & 15] = t;
			break;
		default:
			e = rnd_below(&d->rng, 4) ? d->head : (u32)rnd(&d->rng);
			dev_wr(r->ei, e);
			if (!rnd_below(&d->rng, 4) && !dev_scribble(d))
				return;
			break;
		}
		spin_delay(&d->rng, r->dev_delay);
		if (d->cons != cons) {
			spins = 0;
			continue;
		}
		/* Nothing new: now and then, sleep. */
		if (!rnd_below(&d->rng, 8)) {
			if (!dev_poll_sleep(d))
				return;
			spins = 0;
			continue;
		}
		wait_relax(&spins);
	}
}

static void *dev_main(void *arg)
{
	struct dev *d = arg;

	if (d->r->pol == POL_QEMU || d->r->pol == POL_CLOBBER)
		dev_qemu(d);
	else
		dev_poll(d);
	return NULL;
}

struct hist {
	u64 n, pub_old;
	u32 old, new_idx;
	u8 rang, clob;
};

/* More than the updates that fill the deepest queue (65536 / 128.5). */
#define NR_HIST	1024

struct stats {
	u64 updates, mmios, quiesces, clobbers;
	u64 lost_known;		/* each rescued by a harness MMIO */
	u64 wakeups, empty_wakeups, sleeps;
	u32 chunks;
};

struct host {
	struct run *r;
	struct rng rng;
	struct nvme_dbbuf_queue dbq;
	struct stats *st;
	u32 tail;
	u64 pub, rings, n;
	u32 clob;		/* clobber before the next update */
	struct hist hist[NR_HIST];
};

static void host_ring(struct host *h)
{
	h->rings++;
	/*
	 * Release, as writel() after the shadow store: the entries and the
	 * shadow store are visible before the doorbell.  Pairs with the
	 * controller's acquire load of mmio.
	 */
	__atomic_store_n(&h->r->mmio, h->rings << 32 | h->tail,
			 __ATOMIC_RELEASE);
}

/* The controller sleeps, has seen every MMIO and still lags: exact. */
static bool dev_asleep(struct host *h)
{
	/* Acquire: pairs with the release store of state in dev_sleep(). */
	u64 s = __atomic_load_n(&h->r->state, __ATOMIC_ACQUIRE);

	if (!(s & 1) || s >> 1 != h->rings)
		return false;
	return __atomic_load_n(&h->r->cons, __ATOMIC_RELAXED) != h->pub;
}

/*
 * A lost doorbell fails the test.  The one exception, unless -S: after the
 * clobbering controller wrote an index >= depth into the quiet shadow slot,
 * a header that reads `old` back from the slot may not ring for its next
 * update (the known defect).  That is counted, the harness writes the MMIO
 * doorbell the header did not, and t_conc() fails the test (TAP TODO).
 */
static bool host_lost(struct host *h)
{
	struct run *r = h->r;
	u64 cons = host_cons(r);
	u32 i, nr = h->n < NR_HIST ? h->n : NR_HIST, clob = CLOB_NONE, v;
	struct hist *e = NULL;

	/* The first update the controller has not seen starts at cons. */
	for (i = 0; i < nr; i++) {
		if (h->hist[i].pub_old == cons) {
			e = &h->hist[i];
			clob = e->clob;
		}
	}
	if (r->pol == POL_CLOBBER && clob == CLOB_BAD && !opt_strict_old) {
		h->st->lost_known++;
		host_ring(h);
		return true;
	}
	/* Asleep, the controller does not write the slot: it is ours. */
	v = dev_rd(r->db);
	if (v != h->tail)
		return failf("lost doorbell: the shadow slot holds %#x, not the host's %s %u; controller asleep at index %u after %llu MMIOs, %llu entries pending, depth %u",
			     v, r->cq ? "head" : "tail", h->tail,
			     (u32)(cons % r->depth), h->rings, h->pub - cons,
			     r->depth);
	if (!e)
		return failf("lost doorbell: controller asleep at index %u after %llu MMIOs, host at %u, %llu entries pending; update not in history",
			     (u32)(cons % r->depth), h->rings, h->tail,
			     h->pub - cons);
	return failf("lost doorbell: update #%llu (%s %u -> %u, %s, depth %u) never reached the controller, asleep after %llu MMIOs with EventIdx %#x; host now at %u with %llu entries pending%s%s",
		     e->n, r->cq ? "head" : "tail", e->old, e->new_idx,
		     e->rang ? "MMIO written" : "no MMIO", r->depth, h->rings,
		     dev_rd(r->ei), h->tail, h->pub - cons,
		     clob ? "; first update after the controller wrote " : "",
		     clob ? clob_name[clob] : "");
}

/* Wait until the controller has consumed @target entries. */
static bool host_wait(struct host *h, u64 target)
{
	struct run *r = h->r;
	u64 last = ~0ULL, t_prog = now_ns(), c, t;
	u32 spins = 0, n = 0;

	/*
	 * Release: our shadow stores happen before.  Pairs with the acquire
	 * load in dev_poll().
	 */
	__atomic_store_n(&r->waiting, h->pub, __ATOMIC_RELEASE);
	for (;;) {
		c = host_cons(r);
		if (c >= target)
			return true;
		if (dev_failed(r))
			return failf("controller: %s", r->why);
		wait_relax(&spins);
		if (++n & 63)
			continue;
		if (dev_asleep(h)) {
			if (!host_lost(h))
				return false;
			continue;
		}
		t = now_ns();
		if (c != last) {
			last = c;
			t_prog = t;
			spins = 0;
			continue;
		}
		if (t - t_prog > HANG_NS)
			return failf("hang: no progress for %llu s, controller awake at %llu of %llu entries",
				     HANG_NS / 1000000000ULL, c, h->pub);
	}
}

/* Clobber policy: drain, then let the controller overwrite the slot. */
static bool host_quiesce(struct host *h)
{
	struct run *r = h->r;
	u64 req = ++h->st->quiesces, t0;
	u32 spins = 0;

	if (!host_wait(h, h->pub))
		return false;
	/* Release: our entries and shadow store precede the request. */
	__atomic_store_n(&r->quiesce_req, req, __ATOMIC_RELEASE);
	t0 = now_ns();
	/* Acquire: pairs with the release store in dev_quiesce(). */
	while (__atomic_load_n(&r->quiesce_ack, __ATOMIC_ACQUIRE) != req) {
		if (dev_failed(r))
			return failf("controller: %s", r->why);
		if (now_ns() - t0 > HANG_NS)
			return failf("hang: controller never quiesced");
		wait_relax(&spins);
	}
	h->clob = r->clob_kind;
	return true;
}

static bool host_chunk(struct host *h, u64 nupd)
{
	struct run *r = h->r;
	u64 i, cons;
	u32 space, step, k, idx, v;
	struct hist *e;
	bool rang;

	for (i = 0; i < nupd; i++) {
		cons = host_cons(r);
		if (cons > h->pub)
			return failf("controller consumed %llu entries, host wrote %llu",
				     cons, h->pub);
		space = r->depth - 1 - (u32)(h->pub - cons);
		if (!space) {
			if (!host_wait(h, h->pub + 2 - r->depth))
				return false;
			cons = host_cons(r);
			space = r->depth - 1 - (u32)(h->pub - cons);
		}
		step = 1 + rnd_below(&h->rng, r->max_step);
		if (step > space)
			step = space;
		for (k = 0, idx = h->tail; k < step; k++) {
			__atomic_store_n(&r->sqe[idx], (u32)(h->pub + k),
					 __ATOMIC_RELAXED);
			if (++idx == r->depth)
				idx = 0;
		}

		e = &h->hist[h->n % NR_HIST];
		e->n = h->n;
		e->pub_old = h->pub;
		e->old = h->tail;
		e->clob = h->clob;
		h->clob = CLOB_NONE;
		h->tail = idx;
		h->pub += step;
		e->new_idx = idx;

		rang = host_publish(&h->dbq, r->cq, idx);

		e->rang = rang;
		h->n++;
		h->st->updates++;
		if (rang) {
			h->st->mmios++;
			host_ring(h);
		}
		if (r->host_check_db) {
			v = dev_rd(r->db);
			if (v != idx)
				return failf("shadow slot reads %#x right after publishing %u%s",
					     v, idx,
					     v == __builtin_bswap32(idx) ?
					     " (byte-swapped)" : "");
		}
		if (h->tail >= r->depth || h->pub % r->depth != h->tail)
			return failf("host tail %u inconsistent", h->tail);
		if (r->pol == POL_CLOBBER && !rnd_below(&h->rng, 64) &&
		    !host_quiesce(h))
			return false;
		spin_delay(&h->rng, r->host_delay);
	}
	return host_wait(h, h->pub);
}

static const u32 delay_masks[] = { 0, 0, 1, 3, 7, 15, 63 };

struct conc_test {
	enum policy pol;
	bool cq;
	u32 share;		/* per mille of the updates */
};

static bool run_chunk(const struct conc_test *ct, u32 c, u64 nupd,
		      struct stats *st)
{
	struct run *r;
	struct host *h;
	struct dev d;
	struct rng g;
	pthread_t tid;
	u32 dc = c % ARRAY_SIZE(depths);
	u64 t0;
	bool ok;

	r = aligned_alloc(CACHELINE, sizeof(*r));
	h = calloc(1, sizeof(*h));
	if (!r || !h) {
		free(r);
		free(h);
		return failf("out of memory");
	}
	memset(r, 0, sizeof(*r));
	rng_init(&g, ct->pol, ct->cq, c);

	r->pol = ct->pol;
	r->cq = ct->cq;
	/* Only the scribbler writes the slot while the host may look. */
	r->host_check_db = ct->pol != POL_SCRIBBLE;
	r->dev_strict_db = ct->pol != POL_SCRIBBLE && ct->pol != POL_CLOBBER;
	r->depth = opt_depth ? opt_depth : depths[dc];
	r->max_step = r->depth <= 8 ? r->depth - 1 : r->depth / 4;
	if (r->max_step > 256)
		r->max_step = 256;
	r->host_delay = delay_masks[rnd_below(&g, ARRAY_SIZE(delay_masks))];
	r->dev_delay = delay_masks[rnd_below(&g, ARRAY_SIZE(delay_masks))];
	r->poll_ei = rnd_below(&g, 2) ? ~0u : rnd_below(&g, r->depth);
	r->sqe = calloc(r->depth, sizeof(u32));
	if (!r->sqe || !pages_alloc(&r->dbs, &r->eis, !ct->cq, ct->cq)) {
		ok = failf("out of memory");
		goto out;
	}
	/* Entry i holds the previous lap's number until it is written. */
	for (dc = 0; dc < r->depth; dc++)
		r->sqe[dc] = dc - r->depth;
	r->db = &r->dbs[ct->cq ? CQ_SLOT : SQ_SLOT];
	r->ei = &r->eis[ct->cq ? CQ_SLOT : SQ_SLOT];
	if (r->pol == POL_POLL && r->poll_ei != ~0u)
		dev_wr(r->ei, r->poll_ei);

	h->r = r;
	h->st = st;
	rng_init(&h->rng, ct->pol, ct->cq, c | 1ULL << 40);
	model_dbq_attach(&h->dbq, r->dbs, r->eis);

	memset(&d, 0, sizeof(d));
	d.r = r;
	rng_init(&d.rng, ct->pol, ct->cq, c | 2ULL << 40);

	t0 = now_ns();
	if (pthread_create(&tid, NULL, dev_main, &d)) {
		ok = failf("pthread_create failed");
		goto out;
	}
	ok = host_chunk(h, nupd);
	/* Release: pairs with the controller's acquire loads of stop. */
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);

	if (opt_verbose)
		diag("  chunk %u: depth %u, steps 1..%u, delays %u/%u, %llu updates, %.2f s",
		     c, r->depth, r->max_step, r->host_delay, r->dev_delay,
		     nupd, (now_ns() - t0) / 1e9);
	if (ok && dev_failed(r))
		ok = failf("controller: %s", r->why);
	if (ok)
		ok = pages_check(r->dbs, r->eis, !ct->cq, ct->cq);
	if (ok)
		ok = model_dbq_check(&h->dbq, r->dbs, r->eis);
	if (ok && d.cons != h->pub)
		ok = failf("controller ended at %llu entries, host wrote %llu",
			   d.cons, h->pub);
	if (!ok && !strstr(fail_msg, "depth "))
		snprintf(fail_msg + strlen(fail_msg),
			 sizeof(fail_msg) - strlen(fail_msg),
			 " [depth %u, delays %u/%u]", r->depth,
			 r->host_delay, r->dev_delay);
	st->wakeups += r->wakeups;
	st->empty_wakeups += r->empty_wakeups;
	st->sleeps += r->sleeps;
	st->clobbers += r->clobbers;
	st->chunks++;
out:
	free(r->sqe);
	free(r->dbs);
	free(r->eis);
	free(r);
	free(h);
	return ok;
}

static const char *const pol_name[] = {
	[POL_QEMU] = "qemu", [POL_POLL] = "poll", [POL_EVIL_EI] = "evil-ei",
	[POL_CLOBBER] = "clobber", [POL_SCRIBBLE] = "scribble",
};

static u64 total_updates, total_mmios;

static bool t_conc(const struct conc_test *ct)
{
	u64 total = (u64)(opt_updates * ct->share / 1000), t0 = now_ns();
	const u32 nchunks = 2 * ARRAY_SIZE(depths);
	struct stats st;
	bool ok = true;
	char sum[64];
	u32 c;

	memset(&st, 0, sizeof(st));
	for (c = 0; c < nchunks && ok; c++)
		ok = run_chunk(ct, c, total / nchunks + (c < total % nchunks),
			       &st);
	total_updates += st.updates;
	total_mmios += st.mmios + st.lost_known;

	diag("%s/%s: %llu updates in %u chunks, %.1f s: %llu MMIOs (%.3f per update), %llu wakeups (%llu %s)",
	     pol_name[ct->pol], ct->cq ? "cq" : "sq", st.updates, st.chunks,
	     (now_ns() - t0) / 1e9, st.mmios,
	     st.updates ? (double)st.mmios / st.updates : 0.0, st.wakeups,
	     st.sleeps ? st.sleeps : st.empty_wakeups,
	     st.sleeps ? "sleeps while polling" : "found nothing new");
	if (ct->pol == POL_CLOBBER)
		diag("%s: %llu slot overwrites while quiet; %llu lost doorbells after an overwrite with \"%s\"%s",
		     pol_name[ct->pol], st.clobbers, st.lost_known,
		     clob_name[CLOB_BAD],
		     st.lost_known ? " (each rescued by an MMIO the harness wrote)" : "");
	else if (ct->pol == POL_SCRIBBLE)
		diag("%s: %llu slot overwrites", pol_name[ct->pol],
		     st.clobbers);
	if (ok && st.lost_known) {
		snprintf(sum, sizeof(sum), "%llu lost doorbells",
			 st.lost_known);
		ok = failf_known(sum, "%llu lost doorbells: after the controller wrote %s into the quiet shadow slot, the host's next update did not ring, with EventIdx at its previous tail",
				 st.lost_known, clob_name[CLOB_BAD]);
	}
	return ok;
}

static const struct conc_test conc_tests[] = {
	{ POL_QEMU, false, 450 },
	{ POL_QEMU, true, 100 },
	{ POL_POLL, false, 100 },
	{ POL_POLL, true, 50 },
	{ POL_EVIL_EI, false, 100 },
	{ POL_CLOBBER, false, 100 },
	{ POL_SCRIBBLE, false, 100 },
};

struct test {
	const char *name;
	const char *desc;
	bool (*fn)(void);
	const struct conc_test *ct;
	bool known;		/* may fail by the known defect (TAP TODO) */
};

static const struct test tests[] = {
	{ .name = "need-event", .fn = t_need_event,
	  .desc = "need_event is \"ei in [old, new) mod 2^16\", all 2^32 differences" },
	{ .name = "decide", .fn = t_decide,
	  .desc = "sq/cq_update decide and store exactly as defined" },
	{ .name = "readback", .fn = t_readback, .known = true,
	  .desc = "decisions ignore device writes to the shadow slot" },
	{ .name = "states", .fn = t_states,
	  .desc = "unarmed and disarmed queues ring on every update" },
	{ .name = "qemu-sq", .ct = &conc_tests[0],
	  .desc = "no lost SQ doorbell with a QEMU-policy controller" },
	{ .name = "qemu-cq", .ct = &conc_tests[1],
	  .desc = "no lost CQ doorbell with a QEMU-policy controller" },
	{ .name = "poll-sq", .ct = &conc_tests[2],
	  .desc = "a polling, sometimes sleeping controller gets every SQ tail" },
	{ .name = "poll-cq", .ct = &conc_tests[3],
	  .desc = "a polling, sometimes sleeping controller gets every CQ head" },
	{ .name = "evil-ei", .ct = &conc_tests[4],
	  .desc = "garbage EventIdx while polling: every tail delivered" },
	{ .name = "clobber", .ct = &conc_tests[5], .known = true,
	  .desc = "shadow slot overwritten while quiet: no lost doorbell" },
	{ .name = "scribble", .ct = &conc_tests[6],
	  .desc = "shadow slot overwritten at any time: every tail delivered" },
};

static bool selected(const char *name)
{
	const char *p = opt_only;
	size_t n = strlen(name);

	if (!p)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == opt_only || p[-1] == ',') &&
		    (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* Every name in -t is a test's. */
static bool check_selection(void)
{
	const char *p = opt_only, *q;
	size_t n, i;

	for (; *p; p = *q ? q + 1 : q) {
		q = strchrnul(p, ',');
		n = q - p;
		for (i = 0; i < ARRAY_SIZE(tests); i++) {
			if (strlen(tests[i].name) == n &&
			    !strncmp(tests[i].name, p, n))
				break;
		}
		if (i == ARRAY_SIZE(tests)) {
			fprintf(stderr, "no test %.*s\n", (int)n, p);
			return false;
		}
	}
	return true;
}

/* A failure's message, as a TAP 13 YAML block under its "not ok" line. */
static void tap_message(const char *msg)
{
	fputs("  ---\n  message: '", stdout);
	for (; *msg; msg++) {
		if (*msg == '\'')
			putchar('\'');
		putchar(*msg == '\n' ? ' ' : *msg);
	}
	fputs("'\n  ...\n", stdout);
}

static void usage(const char *argv0)
{
	printf("usage: %s [-s SEED] [-n UPDATES] [-t TEST,...] [-d DEPTH] [-x] [-S] [-v]\n"
	       "  -s SEED     random seed (default: from the clock; printed)\n"
	       "  -n UPDATES  doorbell updates over all threaded tests (default 1e7)\n"
	       "  -t TESTS    run only these tests (comma-separated names)\n"
	       "  -d DEPTH    threaded tests: this queue depth only (2..65536)\n"
	       "  -x          stop at the first failure (Bail out!)\n"
	       "  -S          strict: failures by the known defect (" KNOWN_DEFECT ")\n"
	       "              count; without -S they are TAP TODO\n"
	       "  -v          describe every chunk\n"
	       "tests:", argv0);
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		printf(" %s", tests[i].name);
	printf("\n");
}

int main(int argc, char **argv)
{
	u32 i, pass = 0, fail = 0, todo = 0, skip = 0;
	bool seeded = false;
	u64 t0 = now_ns();
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:d:xSvh")) != -1) {
		switch (opt) {
		case 's':
			errno = 0;
			opt_seed = strtoull(optarg, &end, 0);
			if (errno || *end) {
				fprintf(stderr, "bad seed: %s\n", optarg);
				return 2;
			}
			seeded = true;
			break;
		case 'n':
			opt_updates = strtod(optarg, &end);
			if (*end || opt_updates < 0) {
				fprintf(stderr, "bad count: %s\n", optarg);
				return 2;
			}
			break;
		case 't':
			opt_only = optarg;
			if (!check_selection()) {
				usage(argv[0]);
				return 2;
			}
			break;
		case 'd':
			opt_depth = strtoul(optarg, &end, 0);
			if (*end || opt_depth < 2 || opt_depth > 0x10000) {
				fprintf(stderr, "bad depth: %s\n", optarg);
				return 2;
			}
			break;
		case 'x':
			opt_fail_fast = true;
			break;
		case 'S':
			opt_strict_old = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (!seeded) {
		u64 x = now_ns() ^ (u64)getpid() << 32;

		opt_seed = splitmix64(&x) & 0xffffffffULL;
	}

	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(tests));
	diag("seed %#llx (-s %#llx to repeat), %.3g updates, %s-endian model, barriers: %s",
	     opt_seed, opt_seed, opt_updates,
#ifdef MODEL_BIG_ENDIAN
	     "big",
#else
	     "little",
#endif
#if defined(MODEL_BREAK_MB) || defined(MODEL_BREAK_WMB) || \
	defined(MODEL_BREAK_RMB) || defined(MODEL_BREAK_LE32)
	     "MUTATED"
#else
	     "real"
#endif
	     );

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const struct test *t = &tests[i];
		bool ok, todo_fail;

		if (!selected(t->name)) {
			printf("ok %u - %s # SKIP not selected\n", i + 1,
			       t->name);
			skip++;
			continue;
		}
		fail_msg[0] = 0;
		fail_sum[0] = 0;
		fail_known = false;
		ok = t->ct ? t_conc(t->ct) : t->fn();
		if (ok) {
			printf("ok %u - %s: %s\n", i + 1, t->name, t->desc);
			if (t->known && !opt_strict_old)
				diag("%s passes: if the known defect is fixed, make -S (STRICT=1) the default",
				     t->name);
			pass++;
			fflush(stdout);
			continue;
		}
		/* TODO: a known defect, expected to fail; not a failure. */
		todo_fail = fail_known && !opt_strict_old;
		printf("not ok %u - %s: %s%s\n", i + 1, t->name,
		       fail_sum[0] ? fail_sum : t->desc,
		       todo_fail ? " # TODO known defect: " KNOWN_DEFECT : "");
		tap_message(fail_msg);
		if (todo_fail) {
			todo++;
		} else {
			fail++;
			if (opt_fail_fast) {
				printf("Bail out! %s: %s\n", t->name,
				       fail_msg);
				fflush(stdout);
				return 1;
			}
		}
		fflush(stdout);
	}
	diag("%s: %u passed, %u failed, %u todo (known defect, not failures), %u skipped; %llu threaded updates, %llu MMIOs; seed %#llx; %.1f s",
	     fail ? "FAIL" : "PASS", pass, fail, todo, skip, total_updates,
	     total_mmios, opt_seed, (now_ns() - t0) / 1e9);
	return fail ? 1 : 0;
}
