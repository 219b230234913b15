/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for drivers/nvme/host/nvme.h, for tests/model/ctrl.c
 * only: what dbbuf.c uses of it.  nvme_submit_sync_cmd() is the test's.
 */
#ifndef _MODEL_NVME_H
#define _MODEL_NVME_H

#include <errno.h>
#include <linux/types.h>
#include <linux/device.h>

#define NVME_CTRL_PAGE_SIZE		4096
#define NVME_CTRL_OACS_DBBUF_SUPP	(1 << 8)

/* Any distinct bits do: dbbuf.c only tests them. */
#define NVME_QUIRK_DBBUF_PAGE_QUEUES	(1UL << 24)
#define NVME_QUIRK_DBBUF_ADMIN		(1UL << 25)
#define NVME_QUIRK_NO_DBBUF		(1UL << 26)

enum { nvme_admin_dbbuf = 0x7c };

struct request_queue;

struct nvme_ctrl {
	struct device *device;
	struct request_queue *admin_q;
	unsigned long quirks;
	u16 oacs;
};

struct nvme_dbbuf_cmd {
	u8 opcode;
	u8 flags;
	u16 command_id;
	u32 rsvd1[5];
	__le64 prp1;
	__le64 prp2;
	u32 rsvd12[6];
};

struct nvme_command {
	struct nvme_dbbuf_cmd dbbuf;
};

int nvme_submit_sync_cmd(struct request_queue *q, struct nvme_command *cmd,
			 void *buf, unsigned int bufflen);

#endif /* _MODEL_NVME_H */
