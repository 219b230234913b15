// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe PCIe shadow doorbell buffers (Doorbell Buffer Config, NVMe 1.3 5.7):
 * buffer management and the Doorbell Buffer Config command.  The per-update
 * fast path is inline in dbbuf.h.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/minmax.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "nvme.h"
#include "dbbuf.h"

#define CREATE_TRACE_POINTS
#include "dbbuf_trace.h"

static inline unsigned int sq_idx(unsigned int qid, u32 stride)
{
	return qid * 2 * stride;
}

static inline unsigned int cq_idx(unsigned int qid, u32 stride)
{
	return (qid * 2 + 1) * stride;
}

/**
 * nvme_dbbuf_alloc() - allocate the shadow doorbell and EventIdx buffers
 * @dbbuf: the controller's state
 * @dev: the device that maps them for DMA
 * @nr_queues: the queues, the admin queue included, to size them for
 * @db_stride: the doorbell stride, in 4-byte units (1 << CAP.DSTRD)
 * @quirks: the controller's quirks, which this enable follows
 *
 * Allocate both buffers, or clear them if they already exist and are
 * large enough.  Doorbell Buffer Config gives the controller one PRP entry
 * for each, one controller memory page (CC.MPS, NVME_CTRL_PAGE_SIZE), so
 * only the queues whose slots fall in that page are armed
 * (nvme_dbbuf_queue_arm()).  Each buffer still spans the slots of every
 * queue the driver may create, so that a controller that uses slots past
 * the page regardless finds the driver's memory there and nobody else's.
 * With NVME_QUIRK_NO_DBBUF nothing is allocated, so the command is not
 * sent.
 *
 * Return: 0, or -ENOMEM; either way the driver goes on, with MMIO
 * doorbells if nothing was allocated.
 */
int nvme_dbbuf_alloc(struct nvme_dbbuf_ctrl *dbbuf, struct device *dev,
		     unsigned int nr_queues, u32 db_stride,
		     unsigned long quirks)
{
	size_t mem_size = max_t(size_t, NVME_CTRL_PAGE_SIZE,
				nr_queues * 8 * db_stride);

	/* Turned off for this controller, as by nvme.quirks=VID:DID:no_dbbuf */
	if (quirks & NVME_QUIRK_NO_DBBUF)
		return 0;
	/*
	 * NVMe 2.0 Annex B.5.1 has every queue, the admin queue included,
	 * use the buffers once the command has completed.  Linux and SPDK
	 * never used them for the admin queue, so controllers tested only
	 * against those may not read its slots, and the saving is small:
	 * the admin queue uses them only on controllers known to read them
	 * (NVME_QUIRK_DBBUF_ADMIN).
	 */
	dbbuf->admin = quirks & NVME_QUIRK_DBBUF_ADMIN;
	dbbuf->page_queues = quirks & NVME_QUIRK_DBBUF_PAGE_QUEUES;
	dbbuf->dev = dev;
	dbbuf->status = 0;		/* this enable's, from here on */

	/* A larger doorbell stride since the last enable (new firmware) */
	if (dbbuf->dbs && dbbuf->size < mem_size)
		nvme_dbbuf_free(dbbuf);
	if (dbbuf->dbs) {
		/*
		 * Clear the dbbuf memory so the driver doesn't observe stale
		 * values from the previous instantiation.
		 */
		memset(dbbuf->dbs, 0, dbbuf->size);
		memset(dbbuf->eis, 0, dbbuf->size);
		return 0;
	}

	/* Page aligned, as dma_alloc_coherent() aligns to the CPU page. */
	dbbuf->dbs = dma_alloc_coherent(dev, mem_size, &dbbuf->dbs_dma_addr,
					GFP_KERNEL);
	if (!dbbuf->dbs)
		goto nomem;
	dbbuf->eis = dma_alloc_coherent(dev, mem_size, &dbbuf->eis_dma_addr,
					GFP_KERNEL);
	if (!dbbuf->eis) {
		dma_free_coherent(dev, mem_size, dbbuf->dbs,
				  dbbuf->dbs_dma_addr);
		dbbuf->dbs = NULL;
		goto nomem;
	}
	dbbuf->size = mem_size;

	return 0;

nomem:
	dbbuf->status = -ENOMEM;
	return -ENOMEM;
}

/**
 * nvme_dbbuf_free() - free both buffers, if allocated
 * @dbbuf: the controller's state; no queue may be armed or disarmed
 */
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

/* Queue pairs, the admin queue included, with slots in the page. */
static unsigned int nvme_dbbuf_page_queues(u32 db_stride)
{
	return NVME_CTRL_PAGE_SIZE / (2 * sizeof(__le32) * db_stride);
}

/**
 * nvme_dbbuf_io_queues() - cap the I/O queues at the slots of one page
 * @dbbuf: the controller's state
 * @want: the I/O queues the driver would create
 * @db_stride: the doorbell stride, in 4-byte units (1 << CAP.DSTRD)
 *
 * QEMU (NVME_QUIRK_DBBUF_PAGE_QUEUES) grants up to its max_ioqpairs
 * queues, and uses slots past the page for the queues beyond it, reading
 * their tails from, and writing their EventIdx to, slots the command never
 * gave it.  Those queues cannot even fall back to MMIO doorbells, since it
 * takes their tails from the slots alone.  For such a controller, create
 * only the queues that fit, whether or not the buffers could be allocated,
 * so that the queue count depends neither on that nor on whether the
 * command succeeds; say so once.  On any other controller nothing changes:
 * a queue past the page keeps MMIO doorbells (nvme_dbbuf_queue_arm()).
 *
 * Return: the number of I/O queues to ask the controller for, at most
 * @want.
 */
unsigned int nvme_dbbuf_io_queues(struct nvme_dbbuf_ctrl *dbbuf,
				  unsigned int want, u32 db_stride)
{
	unsigned int fit;

	dbbuf->beyond = 0;
	if (!dbbuf->page_queues)
		return want;
	fit = nvme_dbbuf_page_queues(db_stride);
	/* No room for an I/O queue pair: nvme_dbbuf_config() sends nothing. */
	if (fit < 2)
		return want;
	fit--;		/* the admin queue's pair */
	if (want <= fit)
		return want;
	dbbuf->beyond = want - fit;
	if (!dbbuf->beyond_reported)
		dev_info(dbbuf->dev,
			 "%u I/O queues, not %u: the shadow doorbell page holds no more\n",
			 fit, want);
	dbbuf->beyond_reported = true;
	return fit;
}

/**
 * nvme_dbbuf_queue_init() - name a queue for the tracepoints
 * @dbq: the queue, not in use
 * @instance: its controller's instance, as in nvme%d
 * @qid: its queue id
 * @sq_cmb: its SQ is in the controller memory buffer
 */
void nvme_dbbuf_queue_init(struct nvme_dbbuf_queue *dbq, int instance,
			   u16 qid, bool sq_cmb)
{
	dbq->instance = instance;
	dbq->qid = qid;
	dbq->sq_cmb = sq_cmb;
}

/**
 * nvme_dbbuf_queue_arm() - start using a queue's shadow slots
 * @dbbuf: the controller's state
 * @dbq: the queue
 * @qid: its queue id
 * @db_stride: the doorbell stride, in 4-byte units
 * @sq_tail: the queue's current SQ tail
 * @cq_head: the queue's current CQ head
 *
 * Arm @dbq if the controller accepted the buffers in this enable: publish
 * @sq_tail and @cq_head in its shadow slots, and the same values in its
 * EventIdx slots, which asks for an MMIO doorbell on the next update of
 * each, whatever the controller left there before (an earlier enable, or
 * a deleted queue of the same id).  Then point the queue at its slots.
 *
 * The caller serialises this with every update of the queue's tail and
 * head, so that none is published against a value this overwrites.
 * @sq_tail is the tail last written to the queue's doorbell, not one the
 * controller has not been told of yet: a later update to it would find
 * nothing new to publish, and not ring.
 */
void nvme_dbbuf_queue_arm(struct nvme_dbbuf_ctrl *dbbuf,
			  struct nvme_dbbuf_queue *dbq, u16 qid, u32 db_stride,
			  u16 sq_tail, u16 cq_head)
{
	unsigned int sq = sq_idx(qid, db_stride), cq = cq_idx(qid, db_stride);

	if (!dbbuf->accepted || (!qid && !dbbuf->admin))
		return;
	/* Past the page: no slots, MMIO doorbells. */
	if (qid >= nvme_dbbuf_page_queues(db_stride))
		return;

	dbq->sq_last = sq_tail;
	dbq->cq_last = cq_head;
	WRITE_ONCE(dbbuf->dbs[sq], cpu_to_le32(sq_tail));
	WRITE_ONCE(dbbuf->dbs[cq], cpu_to_le32(cq_head));
	WRITE_ONCE(dbbuf->eis[sq], cpu_to_le32(sq_tail));
	WRITE_ONCE(dbbuf->eis[cq], cpu_to_le32(cq_head));
	WRITE_ONCE(dbq->sq_db, &dbbuf->dbs[sq]);
	WRITE_ONCE(dbq->cq_db, &dbbuf->dbs[cq]);
	WRITE_ONCE(dbq->sq_ei, &dbbuf->eis[sq]);
	WRITE_ONCE(dbq->cq_ei, &dbbuf->eis[cq]);
}

/**
 * nvme_dbbuf_queue_disarm() - ring every update of a queue by MMIO again
 * @dbq: the queue
 *
 * Stop trusting EventIdx: from here every update rings the MMIO doorbell,
 * and is still published in the shadow slot, which the controller reads
 * until it is disabled.  An update that races with this and still reads
 * EventIdx makes the same decision it would have made an instant earlier,
 * while the controller was reading the slots: correct either way.
 */
void nvme_dbbuf_queue_disarm(struct nvme_dbbuf_queue *dbq)
{
	WRITE_ONCE(dbq->sq_ei, NULL);
	WRITE_ONCE(dbq->cq_ei, NULL);
}

/**
 * nvme_dbbuf_queue_detach() - stop publishing a queue's updates
 * @dbq: the queue, which the controller no longer serves
 *
 * Leave the slots alone: the queue is back in the unarmed state.
 */
void nvme_dbbuf_queue_detach(struct nvme_dbbuf_queue *dbq)
{
	nvme_dbbuf_queue_disarm(dbq);
	WRITE_ONCE(dbq->sq_db, NULL);
	WRITE_ONCE(dbq->cq_db, NULL);
}

/**
 * nvme_dbbuf_config() - hand the buffers to the controller
 * @dbbuf: the controller's state
 * @ctrl: the controller, enabled, its admin queue live
 * @db_stride: the doorbell stride, in 4-byte units
 *
 * Send Doorbell Buffer Config once the I/O queues of this enable exist,
 * and before any request reaches them: then no update can reach a queue
 * between the controller taking the buffers and the host arming it with
 * nvme_dbbuf_queue_arm().  (QEMU, for one, reads a queue's tail from the
 * shadow slot as soon as it has taken the buffers, so a queue that rang by
 * MMIO alone after that point would go unserved.)  On failure no queue is
 * armed.  A failure is reported once, not at every reset, unless its
 * status changes or the command succeeded in between.
 *
 * Return: true if the controller accepted the buffers; the caller then
 * calls nvme_dbbuf_ctrl_arm().  False if it did not, or if there was
 * nothing to send (no buffers, no room).
 */
bool nvme_dbbuf_config(struct nvme_dbbuf_ctrl *dbbuf, struct nvme_ctrl *ctrl,
		       u32 db_stride)
{
	struct nvme_command c = { };
	int status;

	dbbuf->accepted = false;
	if (!dbbuf->dbs)
		return false;
	if (nvme_dbbuf_page_queues(db_stride) < 2) {
		/* Said once: the stride stays what it is */
		if (!dbbuf->no_room)
			dev_info(ctrl->device,
				 "doorbell stride too large for a shadow doorbell page\n");
		dbbuf->no_room = true;
		return false;
	}
	dbbuf->no_room = false;

	c.dbbuf.opcode = nvme_admin_dbbuf;
	c.dbbuf.prp1 = cpu_to_le64(dbbuf->dbs_dma_addr);
	c.dbbuf.prp2 = cpu_to_le64(dbbuf->eis_dma_addr);

	status = nvme_submit_sync_cmd(ctrl->admin_q, &c, NULL, 0);
	dbbuf->status = status;
	if (status) {
		/*
		 * Rejected, timed out or aborted: no queue was armed, so all
		 * keep MMIO doorbells.  The buffers stay for the next enable,
		 * which tries again.
		 */
		if (status != dbbuf->reported) {
			if (status > 0)
				dev_warn(ctrl->device,
					 "Doorbell Buffer Config failed with status %#x, using MMIO doorbells\n",
					 status);
			else
				dev_warn(ctrl->device,
					 "Doorbell Buffer Config failed with error %d, using MMIO doorbells\n",
					 status);
		}
		dbbuf->reported = status;
		return false;
	}

	dbbuf->reported = 0;
	return true;
}

/**
 * nvme_dbbuf_ctrl_arm() - record that the controller took the buffers
 * @dbbuf: the controller's state
 *
 * After nvme_dbbuf_config() returned true, under the lock that serialises
 * this with nvme_dbbuf_ctrl_disarm(), and only if the controller was not
 * disabled since: from here nvme_dbbuf_queue_arm() arms queues.
 */
void nvme_dbbuf_ctrl_arm(struct nvme_dbbuf_ctrl *dbbuf)
{
	dbbuf->accepted = true;
}

/**
 * nvme_dbbuf_ctrl_disarm() - forget that the controller took the buffers
 * @dbbuf: the controller's state
 *
 * The controller is about to be disabled: arm no queue until the next
 * nvme_dbbuf_config() succeeds.  The caller disarms the queues.
 */
void nvme_dbbuf_ctrl_disarm(struct nvme_dbbuf_ctrl *dbbuf)
{
	dbbuf->accepted = false;
}

static struct dentry *nvme_dbbuf_debugfs_root;

/*
 * One line, a word and then what explains it:
 *
 *   unsupported                  OACS bit 8 clear
 *   unsupported reason=stride    the doorbell stride leaves no room
 *   disabled reason=quirk        NVME_QUIRK_NO_DBBUF
 *   inactive                     not sent in this enable yet, or
 *                                the controller is being reset, or
 *                                it has no I/O queue
 *   active armed=N admin=0|1 beyond=N
 *                                the controller took the buffers: N
 *                                queues use them now (the admin queue
 *                                among them, or not), and N I/O queues
 *                                were not created because their slots
 *                                would fall beyond the page
 *   failed status=0xS            the command failed with NVMe status S
 *   failed error=-E              or with error -E (-ENOMEM: no buffers)
 */
static int nvme_dbbuf_state_show(struct seq_file *m, void *unused)
{
	struct nvme_dbbuf_ctrl *dbbuf = m->private;
	struct nvme_dbbuf_queue *dbq;
	unsigned int qid, armed = 0;
	bool admin = false;
	int status;

	if (!(dbbuf->ctrl->oacs & NVME_CTRL_OACS_DBBUF_SUPP)) {
		seq_puts(m, "unsupported\n");
		return 0;
	}
	if (dbbuf->ctrl->quirks & NVME_QUIRK_NO_DBBUF) {
		seq_puts(m, "disabled reason=quirk\n");
		return 0;
	}
	if (data_race(dbbuf->no_room)) {	/* diagnostic: racy is fine */
		seq_puts(m, "unsupported reason=stride\n");
		return 0;
	}
	status = data_race(dbbuf->status);	/* diagnostic: racy is fine */
	if (status > 0) {
		seq_printf(m, "failed status=%#x\n", status);
		return 0;
	}
	if (status < 0) {
		seq_printf(m, "failed error=%d\n", status);
		return 0;
	}
	if (!data_race(dbbuf->accepted)) {	/* diagnostic: racy is fine */
		seq_puts(m, "inactive\n");
		return 0;
	}

	for (qid = 0; (dbq = dbbuf->queue(dbbuf, qid)); qid++) {
		if (!READ_ONCE(dbq->sq_ei))
			continue;
		armed++;
		admin |= !qid;
	}
	seq_printf(m, "active armed=%u admin=%d beyond=%u\n", armed, admin,
		   data_race(dbbuf->beyond));	/* diagnostic: racy is fine */
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nvme_dbbuf_state);

/**
 * nvme_dbbuf_debugfs_init() - create the state's debugfs directory
 *
 * Call once, when the driver is loaded.
 */
void nvme_dbbuf_debugfs_init(void)
{
	nvme_dbbuf_debugfs_root = debugfs_create_dir("nvme_dbbuf", NULL);
}

/**
 * nvme_dbbuf_debugfs_exit() - remove the state's debugfs directory
 *
 * Call once, when the driver is unloaded, after every controller's
 * nvme_dbbuf_debugfs_remove().
 */
void nvme_dbbuf_debugfs_exit(void)
{
	debugfs_remove(nvme_dbbuf_debugfs_root);
}

/**
 * nvme_dbbuf_debugfs_add() - show a controller's state in debugfs
 * @dbbuf: the controller's state
 * @ctrl: the controller, named
 * @queue: returns nvme-pci's queue @qid, or NULL past the last one; the
 *	state walks the queues with it
 *
 * Create /sys/kernel/debug/nvme_dbbuf/<controller>, which holds the state
 * until nvme_dbbuf_debugfs_remove().
 */
void nvme_dbbuf_debugfs_add(struct nvme_dbbuf_ctrl *dbbuf,
			    struct nvme_ctrl *ctrl,
			    struct nvme_dbbuf_queue *(*queue)(struct nvme_dbbuf_ctrl *,
							      unsigned int))
{
	dbbuf->ctrl = ctrl;
	dbbuf->queue = queue;
	dbbuf->debugfs = debugfs_create_file(dev_name(ctrl->device), 0400,
					     nvme_dbbuf_debugfs_root, dbbuf,
					     &nvme_dbbuf_state_fops);
}

/**
 * nvme_dbbuf_debugfs_remove() - remove a controller's state from debugfs
 * @dbbuf: the controller's state
 *
 * Return once no reader is left.
 */
void nvme_dbbuf_debugfs_remove(struct nvme_dbbuf_ctrl *dbbuf)
{
	debugfs_remove(dbbuf->debugfs);
	dbbuf->debugfs = NULL;
}
