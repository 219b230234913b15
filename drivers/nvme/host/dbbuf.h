/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe PCIe shadow doorbell buffers (Doorbell Buffer Config, NVMe 1.3 5.7).
 *
 * The host mirrors each SQ tail and CQ head doorbell value into a shadow
 * buffer in host memory, and writes the MMIO doorbell only when the
 * controller's EventIdx buffer says it is waiting for that update.
 */
#ifndef _NVME_DBBUF_H
#define _NVME_DBBUF_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

struct dentry;
struct device;
struct nvme_ctrl;

/* Per controller: the two buffers handed to the controller. */
struct nvme_dbbuf_ctrl {
	struct device *dev;
	__le32 *dbs;			/* shadow doorbells */
	dma_addr_t dbs_dma_addr;
	__le32 *eis;			/* EventIdx */
	dma_addr_t eis_dma_addr;
	size_t size;			/* bytes in each buffer */
	bool accepted;			/* taken in this enable */
	bool beyond_reported;		/* the queue cap logged */
	bool admin;			/* arm the admin queue too */
	bool page_queues;		/* no I/O queue past the page */
	bool no_room;			/* stride too large for a page */
	int status;			/* last NVMe status or -errno */
	int reported;			/* the failure last logged, or 0 */
	unsigned int beyond;		/* I/O queues left out */
	struct nvme_ctrl *ctrl;		/* for the debugfs state */
	struct dentry *debugfs;		/* the state */
	/* nvme-pci's queue @qid, or NULL past the last one */
	struct nvme_dbbuf_queue *(*queue)(struct nvme_dbbuf_ctrl *dbbuf,
					  unsigned int qid);
};

/*
 * Per queue: its slots in both buffers, and the values last published in
 * them.  The controller may write the shadow slots too (QEMU does, when
 * Doorbell Buffer Config arrives), so the last published value is kept
 * here, where only the host writes it.
 *
 * A queue is in one of three states:
 *
 *  - unarmed (sq_db == NULL): the slots are not used; every update rings
 *    the MMIO doorbell.  Every queue starts each controller enable here.
 *  - armed (sq_db and sq_ei set): every update is published in the shadow
 *    slot, and the MMIO doorbell is rung only when EventIdx asks for it.
 *    Only nvme_dbbuf_queue_arm() gets a queue here, and only once the
 *    controller has accepted the buffers in this enable.
 *  - disarmed (sq_db set, sq_ei NULL): the controller is about to be
 *    disabled but may still read the slots, so updates are still published
 *    there, and every one of them rings the MMIO doorbell as well.
 *
 * The CQ pointers follow the SQ ones.  The update paths read the pointers
 * with READ_ONCE(), because disarming does not take the queue's locks.
 * Every update published in a shadow slot is traced (nvme_dbbuf_sq and
 * nvme_dbbuf_cq, dbbuf_trace.h), which costs nothing while the tracepoints
 * are off.  An unarmed queue's update is not: its path stays upstream's.
 */
struct nvme_dbbuf_queue {
	__le32 *sq_db;
	__le32 *sq_ei;
	__le32 *cq_db;
	__le32 *cq_ei;
	u16 sq_last;			/* SQ tail last published */
	u16 cq_last;			/* CQ head last published */
	u16 qid;			/* for the tracepoints */
	bool sq_cmb;			/* SQ in the CMB */
	int instance;			/* nvme%d, for the tracepoints */
};

#include "dbbuf_trace.h"

int nvme_dbbuf_alloc(struct nvme_dbbuf_ctrl *dbbuf, struct device *dev,
		     unsigned int nr_queues, u32 db_stride,
		     unsigned long quirks);
void nvme_dbbuf_free(struct nvme_dbbuf_ctrl *dbbuf);
bool nvme_dbbuf_config(struct nvme_dbbuf_ctrl *dbbuf, struct nvme_ctrl *ctrl,
		       u32 db_stride);
void nvme_dbbuf_ctrl_arm(struct nvme_dbbuf_ctrl *dbbuf);
unsigned int nvme_dbbuf_io_queues(struct nvme_dbbuf_ctrl *dbbuf,
				  unsigned int want, u32 db_stride);
void nvme_dbbuf_ctrl_disarm(struct nvme_dbbuf_ctrl *dbbuf);
void nvme_dbbuf_debugfs_init(void);
void nvme_dbbuf_debugfs_exit(void);
void nvme_dbbuf_debugfs_add(struct nvme_dbbuf_ctrl *dbbuf,
			    struct nvme_ctrl *ctrl,
			    struct nvme_dbbuf_queue *(*queue)(struct nvme_dbbuf_ctrl *,
							      unsigned int));
void nvme_dbbuf_debugfs_remove(struct nvme_dbbuf_ctrl *dbbuf);

void nvme_dbbuf_queue_init(struct nvme_dbbuf_queue *dbq, int instance,
			   u16 qid, bool sq_cmb);
void nvme_dbbuf_queue_arm(struct nvme_dbbuf_ctrl *dbbuf,
			  struct nvme_dbbuf_queue *dbq, u16 qid, u32 db_stride,
			  u16 sq_tail, u16 cq_head);
void nvme_dbbuf_queue_disarm(struct nvme_dbbuf_queue *dbq);
void nvme_dbbuf_queue_detach(struct nvme_dbbuf_queue *dbq);

/*
 * True if the controller asked to be told about an update from @old to
 * @new_idx, i.e. if @event_idx lies in [old, new_idx) modulo 2^16.
 */
static inline int nvme_dbbuf_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old);
}

/*
 * Two orderings make a shadow doorbell update safe.  Each pairs with the
 * controller, which reads the shadow slots and writes EventIdx by DMA; a
 * hypervisor that emulates the controller does the same as another CPU.
 * The buffers are coherent DMA memory; an SQ in the controller memory
 * buffer is not.
 *
 * (a) SQ entries, then the shadow tail: once the controller can see the new
 *     tail it may fetch the entries below it.  dma_wmb() orders stores to
 *     coherent memory for a DMA master.  An SQ in the CMB is written through
 *     a write-combining mapping, which needs wmb(), as before a doorbell
 *     write.  Pairs with the controller reading the tail before the entries.
 *
 * (b) The shadow store, then the EventIdx load: store->load, which only a
 *     full barrier gives, and dma_mb() is the one that reaches a DMA master.
 *     The controller does the mirror image, storing EventIdx and then
 *     reading the shadow slot again; with both barriers in place, at least
 *     one side sees the other's store, so an update is never both skipped
 *     by the host and missed by the controller.
 *
 * A new CQ head needs no barrier before its shadow store, as before the
 * MMIO doorbell write, which orders earlier stores only: the completion
 * entries below the head must have been read before the controller reuses
 * their slots, and it cannot reuse one before the host frees a command id.
 * A queue has as many CQ slots as SQ slots, and at most one fewer commands
 * in flight, so the controller can write at most that many entries past
 * its tail before it reaches the slots the host has just consumed; their
 * commands' ids are freed after the entries were read, by a release.
 */

/* (a), see above: @cmb, the SQ is in the controller memory buffer. */
static inline void nvme_dbbuf_sq_mb(bool cmb)
{
	if (cmb)
		wmb();		/* (a) for write-combined CMB entries */
	else
		dma_wmb();	/* (a) for entries in coherent host memory */
}

/*
 * Publish @value in the shadow doorbell @dbbuf_db, which is set, @last being
 * the value published there before, and return true if an MMIO is required:
 * always for a disarmed queue (@dbbuf_ei NULL).  The caller has ordered
 * whatever @value makes visible before this store ((a) above).
 */
static inline bool nvme_dbbuf_publish(u16 value, u16 *last, __le32 *dbbuf_db,
				      __le32 *dbbuf_ei)
{
	u16 old_value, event_idx;

	old_value = *last;
	*last = value;
	WRITE_ONCE(*dbbuf_db, cpu_to_le32(value));

	if (!dbbuf_ei)
		return true;

	/*
	 * (b) The shadow store before the EventIdx load.  Pairs with the
	 * controller's barrier between its EventIdx store and its next read
	 * of the shadow slot.
	 */
	dma_mb();

	event_idx = le32_to_cpu(READ_ONCE(*dbbuf_ei));
	return nvme_dbbuf_need_event(event_idx, value, old_value);
}

/**
 * nvme_dbbuf_sq_update() - publish a new SQ tail
 * @dbq: the queue, its SQ lock held
 * @tail: the new tail, its entries written
 *
 * Return: true if the MMIO doorbell must be written too: always for a
 * queue that is not armed.
 */
static inline bool nvme_dbbuf_sq_update(struct nvme_dbbuf_queue *dbq,
					u16 tail)
{
	__le32 *db = READ_ONCE(dbq->sq_db);
	bool ring;

	if (!db)
		return true;
	/*
	 * (a) The SQ entries before the shadow tail.  Pairs with the
	 * controller reading the tail before it fetches the entries.
	 */
	nvme_dbbuf_sq_mb(dbq->sq_cmb);
	ring = nvme_dbbuf_publish(tail, &dbq->sq_last, db,
				  READ_ONCE(dbq->sq_ei));
	trace_nvme_dbbuf_sq(dbq->instance, dbq->qid, tail, ring);
	return ring;
}

/**
 * nvme_dbbuf_cq_update() - publish a new CQ head
 * @dbq: the queue, under its CQ's serialisation
 * @head: the new head, the entries below it consumed
 *
 * Return: true if the MMIO doorbell must be written too: always for a
 * queue that is not armed.
 */
static inline bool nvme_dbbuf_cq_update(struct nvme_dbbuf_queue *dbq,
					u16 head)
{
	__le32 *db = READ_ONCE(dbq->cq_db);
	bool ring;

	if (!db)
		return true;
	/* No barrier before the store: see the comment above (a). */
	ring = nvme_dbbuf_publish(head, &dbq->cq_last, db,
				  READ_ONCE(dbq->cq_ei));
	trace_nvme_dbbuf_cq(dbq->instance, dbq->qid, head, ring);
	return ring;
}

#endif /* _NVME_DBBUF_H */
