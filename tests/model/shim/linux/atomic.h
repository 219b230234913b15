/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for the protocol model: dbbuf.h only declares an atomic_t
 * member (the controller's shadow stall count, which dbbuf.c updates).
 */
#ifndef _MODEL_SHIM_LINUX_ATOMIC_H
#define _MODEL_SHIM_LINUX_ATOMIC_H

typedef struct {
	int counter;
} atomic_t;

#endif
