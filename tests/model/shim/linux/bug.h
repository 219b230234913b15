/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bug.h>, for tests/model only. */
#ifndef _MODEL_LINUX_BUG_H
#define _MODEL_LINUX_BUG_H

#include <stdio.h>
#include <stdlib.h>
#include <linux/compiler.h>

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

/* A warning in the model is a test failure: report it and stop. */
#define WARN_ON(cond)							\
	({								\
		int __ret = !!(cond);					\
		if (unlikely(__ret)) {					\
			fprintf(stderr, "WARNING: %s:%d: %s\n",		\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
		__ret;							\
	})
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG_ON(cond)		((void)WARN_ON(cond))

#endif /* _MODEL_LINUX_BUG_H */
