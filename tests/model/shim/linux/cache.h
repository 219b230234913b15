/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/cache.h>, for tests/model only: x86-64's
 * 64-byte cache lines.
 */
#ifndef _MODEL_LINUX_CACHE_H
#define _MODEL_LINUX_CACHE_H

#define L1_CACHE_BYTES			64
#define ____cacheline_aligned		__attribute__((__aligned__(L1_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp	____cacheline_aligned

#endif /* _MODEL_LINUX_CACHE_H */
