/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/compiler.h>, for the protocol model in
 * tests/model only.  Just what a hot-path header may use.
 */
#ifndef _MODEL_LINUX_COMPILER_H
#define _MODEL_LINUX_COMPILER_H

#define barrier()		__asm__ __volatile__("" : : : "memory")

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/* glibc's <sys/cdefs.h> may have defined some of these already. */
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __maybe_unused		__attribute__((__unused__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))

/* Sparse annotations: nothing to check here. */
#define __force
#define __bitwise
#define __iomem
#define __user
#define __rcu

/*
 * One access, not torn, not merged, not repeated: a volatile access of a
 * naturally aligned scalar, as the kernel's own definition boils down to.
 */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)						\
	do {								\
		*(volatile __typeof__(x) *)&(x) = (val);		\
	} while (0)

/* A diagnostic read that may race: here, a plain one. */
#define data_race(expr)		(expr)

#endif /* _MODEL_LINUX_COMPILER_H */
