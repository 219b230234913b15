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

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

struct device;
struct nvme_ctrl;

/* Per controller: the two buffers handed to the controller. */
struct nvme_dbbuf_ctrl {
	struct device *dev;
	__le32 *dbs;			/* shadow doorbells */
	dma_addr_t dbs_dma_addr;
	__le32 *eis;			/* EventIdx */
	dma_addr_t eis_dma_addr;
	size_t size;			/* bytes in each buffer: one page */
	bool accepted;			/* taken by the controller, this enable */
	bool beyond_reported;		/* fewer queues for the page: told once */
	bool admin;			/* arm the admin queue too */
	bool failed_reported;		/* the command failed: told once */
	atomic_t stalls;		/* shadow stalls; at MAX_STALLS, MMIO only */
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
 */
struct nvme_dbbuf_queue {
	__le32 *sq_db;
	__le32 *cq_db;
	__le32 *sq_ei;
	__le32 *cq_ei;
	u16 sq_last;			/* SQ tail last published */
	u16 cq_last;			/* CQ head last published */
};

int nvme_dbbuf_alloc(struct nvme_dbbuf_ctrl *dbbuf, struct device *dev);
void nvme_dbbuf_free(struct nvme_dbbuf_ctrl *dbbuf);
int nvme_dbbuf_config(struct nvme_dbbuf_ctrl *dbbuf, struct nvme_ctrl *ctrl,
		      u32 db_stride);
unsigned int nvme_dbbuf_io_queues(struct nvme_dbbuf_ctrl *dbbuf,
				  unsigned int want, u32 db_stride);
void nvme_dbbuf_ctrl_disarm(struct nvme_dbbuf_ctrl *dbbuf);
bool nvme_dbbuf_stall(struct nvme_dbbuf_ctrl *dbbuf);

#define NVME_DBBUF_MAX_STALLS	3

/*
 * Has @dbq used its shadow slots since the controller was enabled (armed,
 * or disarmed after that)?  Then an update may have skipped its MMIO
 * doorbell.
 */
static inline bool nvme_dbbuf_queue_used(struct nvme_dbbuf_queue *dbq)
{
	return !!READ_ONCE(dbq->sq_db);
}
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
 * Publish @value in the shadow doorbell @dbbuf_db, @last being the value
 * published there before, and return true if an MMIO is required: always
 * for an unarmed queue (@dbbuf_db NULL) or a disarmed one (@dbbuf_ei NULL).
 */
static inline bool nvme_dbbuf_update_and_check_event(u16 value, u16 *last,
						     __le32 *dbbuf_db,
						     __le32 *dbbuf_ei)
{
	u16 old_value, event_idx;

	if (!dbbuf_db)
		return true;

	/*
	 * Ensure that the queue is written before updating
	 * the doorbell in memory
	 */
	wmb();

	old_value = *last;
	*last = value;
	*dbbuf_db = cpu_to_le32(value);

	if (!dbbuf_ei)
		return true;

	/*
	 * Ensure that the doorbell is updated before reading the event
	 * index from memory.  The controller needs to provide similar
	 * ordering to ensure the event index is updated before reading
	 * the doorbell.
	 */
	mb();

	event_idx = le32_to_cpu(READ_ONCE(*dbbuf_ei));
	return nvme_dbbuf_need_event(event_idx, value, old_value);
}

/* Publish a new SQ tail; true if the MMIO doorbell must be written too. */
static inline bool nvme_dbbuf_sq_update(struct nvme_dbbuf_queue *dbq,
					u16 tail)
{
	return nvme_dbbuf_update_and_check_event(tail, &dbq->sq_last,
						 READ_ONCE(dbq->sq_db),
						 READ_ONCE(dbq->sq_ei));
}

/* Publish a new CQ head; true if the MMIO doorbell must be written too. */
static inline bool nvme_dbbuf_cq_update(struct nvme_dbbuf_queue *dbq,
					u16 head)
{
	return nvme_dbbuf_update_and_check_event(head, &dbq->cq_last,
						 READ_ONCE(dbq->cq_db),
						 READ_ONCE(dbq->cq_ei));
}

#endif /* _NVME_DBBUF_H */
