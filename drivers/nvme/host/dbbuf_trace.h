/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe PCIe shadow doorbell tracepoints: one event per SQ tail or CQ head
 * published in a shadow slot, saying whether it rang the MMIO doorbell too.
 * An update published but not rung is one EventIdx let the driver skip.
 * A queue without shadow slots rings every update, untraced.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvme_dbbuf

#if !defined(_TRACE_NVME_DBBUF_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_NVME_DBBUF_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(nvme_dbbuf_update,
		    TP_PROTO(int instance, u16 qid, u16 value, bool mmio),
		    TP_ARGS(instance, qid, value, mmio),
		    TP_STRUCT__entry(__field(int, ctrl)
				     __field(u16, qid)
				     __field(u16, value)
				     __field(u8, mmio)),
		    TP_fast_assign(__entry->ctrl = instance;
				   __entry->qid = qid;
				   __entry->value = value;
				   __entry->mmio = mmio;),
		    TP_printk("nvme%d qid=%u value=%u mmio=%d",
			      __entry->ctrl, __entry->qid, __entry->value,
			      __entry->mmio));

/* A new SQ tail; value is the tail. */
DEFINE_EVENT(nvme_dbbuf_update, nvme_dbbuf_sq,
	     TP_PROTO(int instance, u16 qid, u16 value, bool mmio),
	     TP_ARGS(instance, qid, value, mmio));

/* A new CQ head; value is the head. */
DEFINE_EVENT(nvme_dbbuf_update, nvme_dbbuf_cq,
	     TP_PROTO(int instance, u16 qid, u16 value, bool mmio),
	     TP_ARGS(instance, qid, value, mmio));

#endif /* _TRACE_NVME_DBBUF_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dbbuf_trace
#include <trace/define_trace.h>
