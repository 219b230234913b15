/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/tracepoint.h>, for tests/model only: every
 * event of dbbuf_trace.h becomes a trace_<name>() that does nothing, as a
 * tracepoint does while it is off (the microbenchmark), or, with
 * MODEL_TRACE (the model), calls model_<name>() with its arguments, which
 * the model defines to check what the driver traces.
 */
#ifndef _MODEL_LINUX_TRACEPOINT_H
#define _MODEL_LINUX_TRACEPOINT_H

#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args

#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#ifdef MODEL_TRACE
#define DEFINE_EVENT(template, name, proto, args)			\
	void model_##name(proto);					\
	static inline void trace_##name(proto) { model_##name(args); }
#else
#define DEFINE_EVENT(template, name, proto, args)			\
	static inline void trace_##name(proto) { }
#endif

#endif /* _MODEL_LINUX_TRACEPOINT_H */
