/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/seq_file.h>, for tests/model/ctrl.c: the
 * output goes to a buffer the test reads.
 */
#ifndef _MODEL_LINUX_SEQ_FILE_H
#define _MODEL_LINUX_SEQ_FILE_H

#include <stdio.h>
#include <string.h>

struct seq_file {
	void *private;
	char buf[256];
};

#define seq_printf(m, fmt, ...)						\
	snprintf((m)->buf + strlen((m)->buf),				\
		 sizeof((m)->buf) - strlen((m)->buf), fmt, ##__VA_ARGS__)
#define seq_puts(m, s)	seq_printf(m, "%s", s)

#endif /* _MODEL_LINUX_SEQ_FILE_H */
