/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <asm/barrier.h> with the instructions x86-64 Linux
 * emits, for the microbenchmark only (tests/model/microbench.c).  It comes
 * before shim/ on the include path; the protocol model keeps its C11
 * fences, which test ordering, not cost.
 *
 * What each one is on x86-64 (arch/x86/include/asm/barrier.h, with the
 * SSE2 alternatives every x86-64 CPU takes, and asm-generic/barrier.h):
 *
 *   mb(), dma_mb()       MFENCE    (dma_mb() falls back to mb())
 *   wmb()                SFENCE
 *   rmb()                LFENCE
 *   __smp_mb(), virt_mb() a locked add to the stack
 *   dma_wmb(), dma_rmb(), smp_wmb(), smp_rmb()
 *                        compiler barriers: TSO orders those already
 */
#ifndef _MODEL_ASM_BARRIER_H
#define _MODEL_ASM_BARRIER_H

#include <linux/compiler.h>

#if !defined(__x86_64__)
#error "shim-x86 is for x86-64 hosts"
#endif

#define mb()		__asm__ __volatile__("mfence" : : : "memory")
#define wmb()		__asm__ __volatile__("sfence" : : : "memory")
#define rmb()		__asm__ __volatile__("lfence" : : : "memory")

#define __smp_mb()							\
	__asm__ __volatile__("lock; addl $0,-4(%%rsp)" : : : "memory", "cc")
#define smp_mb()	__smp_mb()
#define virt_mb()	__smp_mb()
#define smp_wmb()	barrier()
#define smp_rmb()	barrier()

#define dma_mb()	mb()
#define dma_wmb()	barrier()
#define dma_rmb()	barrier()

#endif /* _MODEL_ASM_BARRIER_H */
