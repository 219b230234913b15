/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/minmax.h>, for tests/model/ctrl.c only. */
#ifndef _MODEL_LINUX_MINMAX_H
#define _MODEL_LINUX_MINMAX_H

#define max_t(type, a, b)	((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define min_t(type, a, b)	((type)(a) < (type)(b) ? (type)(a) : (type)(b))

#endif /* _MODEL_LINUX_MINMAX_H */
