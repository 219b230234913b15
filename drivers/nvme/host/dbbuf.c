// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe PCIe shadow doorbell buffers (Doorbell Buffer Config, NVMe 1.3 5.7):
 * buffer management and the Doorbell Buffer Config command.  The per-update
 * fast path is inline in dbbuf.h.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/string.h>

#include "nvme.h"
#include "dbbuf.h"

static bool use_dbbuf = true;
module_param(use_dbbuf, bool, 0444);
MODULE_PARM_DESC(use_dbbuf, "use shadow doorbell buffers (default: true)");

static inline unsigned int sq_idx(unsigned int qid, u32 stride)
{
	return qid * 2 * stride;
}

static inline unsigned int cq_idx(unsigned int qid, u32 stride)
{
	return (qid * 2 + 1) * stride;
}

/*
 * Allocate both buffers, sized for @nr_queues queues with doorbell stride
 * @db_stride, or clear them if they already exist.  With use_dbbuf off
 * nothing is allocated, so no queue gets slots and the command is not sent.
 */
int nvme_dbbuf_alloc(struct nvme_dbbuf_ctrl *dbbuf, struct device *dev,
		     unsigned int nr_queues, u32 db_stride)
{
	size_t mem_size = nr_queues * 8 * db_stride;

	if (!use_dbbuf)
		return 0;

	if (dbbuf->dbs) {
		/*
		 * Clear the dbbuf memory so the driver doesn't observe stale
		 * values from the previous instantiation.
		 */
		memset(dbbuf->dbs, 0, dbbuf->size);
		memset(dbbuf->eis, 0, dbbuf->size);
		return 0;
	}

	dbbuf->dbs = dma_alloc_coherent(dev, mem_size, &dbbuf->dbs_dma_addr,
					GFP_KERNEL);
	if (!dbbuf->dbs)
		return -ENOMEM;
	dbbuf->eis = dma_alloc_coherent(dev, mem_size, &dbbuf->eis_dma_addr,
					GFP_KERNEL);
	if (!dbbuf->eis) {
		dma_free_coherent(dev, mem_size, dbbuf->dbs,
				  dbbuf->dbs_dma_addr);
		dbbuf->dbs = NULL;
		return -ENOMEM;
	}
	dbbuf->dev = dev;
	dbbuf->size = mem_size;

	return 0;
}

void nvme_dbbuf_free(struct nvme_dbbuf_ctrl *dbbuf)
{
	if (dbbuf->dbs) {
		dma_free_coherent(dbbuf->dev, dbbuf->size, dbbuf->dbs,
				  dbbuf->dbs_dma_addr);
		dbbuf->dbs = NULL;
	}
	if (dbbuf->eis) {
		dma_free_coherent(dbbuf->dev, dbbuf->size, dbbuf->eis,
				  dbbuf->eis_dma_addr);
		dbbuf->eis = NULL;
	}
}

/* Point an I/O queue at its slots; the admin queue keeps MMIO doorbells. */
void nvme_dbbuf_queue_init(struct nvme_dbbuf_ctrl *dbbuf,
			   struct nvme_dbbuf_queue *dbq, u16 qid,
			   u32 db_stride)
{
	if (!dbbuf->dbs || !qid)
		return;

	/* The queue starts empty, at tail and head 0, as do the slots. */
	dbq->sq_last = 0;
	dbq->cq_last = 0;
	dbq->sq_db = &dbbuf->dbs[sq_idx(qid, db_stride)];
	dbq->cq_db = &dbbuf->dbs[cq_idx(qid, db_stride)];
	dbq->sq_ei = &dbbuf->eis[sq_idx(qid, db_stride)];
	dbq->cq_ei = &dbbuf->eis[cq_idx(qid, db_stride)];
}

void nvme_dbbuf_queue_clear(struct nvme_dbbuf_queue *dbq)
{
	dbq->sq_db = NULL;
	dbq->cq_db = NULL;
	dbq->sq_ei = NULL;
	dbq->cq_ei = NULL;
}

/*
 * Send Doorbell Buffer Config.  On failure the buffers are freed and the
 * caller must clear the slots of every queue it initialised.
 */
int nvme_dbbuf_config(struct nvme_dbbuf_ctrl *dbbuf, struct nvme_ctrl *ctrl)
{
	struct nvme_command c = { };

	if (!dbbuf->dbs)
		return 0;

	c.dbbuf.opcode = nvme_admin_dbbuf;
	c.dbbuf.prp1 = cpu_to_le64(dbbuf->dbs_dma_addr);
	c.dbbuf.prp2 = cpu_to_le64(dbbuf->eis_dma_addr);

	if (nvme_submit_sync_cmd(ctrl->admin_q, &c, NULL, 0)) {
		dev_warn(ctrl->device, "unable to set dbbuf\n");
		/* Free memory and continue on */
		nvme_dbbuf_free(dbbuf);
		return -EIO;
	}

	return 0;
}
