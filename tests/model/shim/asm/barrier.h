/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <asm/barrier.h>, for tests/model only.
 *
 * The model's "device" is another thread in the same coherence domain, so
 * the mandatory, SMP, DMA and virt barrier families all map to the same
 * C11 fences:
 *
 *   mb()  - full fence (__ATOMIC_SEQ_CST): orders earlier loads and stores
 *           against later loads and stores, store->load included.  On x86
 *           that is an mfence or a locked instruction.
 *   wmb() - release fence: earlier loads and stores before later stores.
 *           A superset of the kernel's store->store guarantee.
 *   rmb() - acquire fence: earlier loads before later loads and stores.
 *
 * Mutation switches, used by "make mutants" to prove the model notices:
 *   MODEL_BREAK_MB   full barriers become compiler-only barriers
 *   MODEL_BREAK_WMB  write barriers become compiler-only barriers
 *   MODEL_BREAK_RMB  read barriers become compiler-only barriers
 */
#ifndef _MODEL_ASM_BARRIER_H
#define _MODEL_ASM_BARRIER_H

#include <linux/compiler.h>

#ifdef MODEL_BREAK_MB
#define __model_mb()		barrier()
#else
#define __model_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#ifdef MODEL_BREAK_WMB
#define __model_wmb()		barrier()
#else
#define __model_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#ifdef MODEL_BREAK_RMB
#define __model_rmb()		barrier()
#else
#define __model_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif

#define mb()			__model_mb()
#define wmb()			__model_wmb()
#define rmb()			__model_rmb()

#define smp_mb()		__model_mb()
#define smp_wmb()		__model_wmb()
#define smp_rmb()		__model_rmb()

#define dma_mb()		__model_mb()
#define dma_wmb()		__model_wmb()
#define dma_rmb()		__model_rmb()

#define virt_mb()		__model_mb()
#define virt_wmb()		__model_wmb()
#define virt_rmb()		__model_rmb()

#define __smp_mb()		__model_mb()
#define __smp_wmb()		__model_wmb()
#define __smp_rmb()		__model_rmb()

#define smp_mb__before_atomic()	__model_mb()
#define smp_mb__after_atomic()	__model_mb()

#define smp_store_mb(var, value)					\
	do {								\
		WRITE_ONCE(var, value);					\
		__model_mb();						\
	} while (0)

#define virt_store_mb(var, value)	smp_store_mb(var, value)

#define smp_store_release(p, v)						\
	do {								\
		__model_wmb();						\
		WRITE_ONCE(*(p), v);					\
	} while (0)

#define smp_load_acquire(p)						\
	({								\
		__typeof__(*(p)) ___v = READ_ONCE(*(p));		\
		__model_rmb();						\
		___v;							\
	})

#endif /* _MODEL_ASM_BARRIER_H */
