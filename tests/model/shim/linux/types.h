/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/types.h>, for tests/model only.  The fixed
 * width types follow the kernel's int-ll64 definitions.
 */
#ifndef _MODEL_LINUX_TYPES_H
#define _MODEL_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned char		u8;
typedef unsigned short		u16;
typedef unsigned int		u32;
typedef unsigned long long	u64;
typedef signed char		s8;
typedef short			s16;
typedef int			s32;
typedef long long		s64;

typedef u8			__u8;
typedef u16			__u16;
typedef u32			__u32;
typedef u64			__u64;
typedef s8			__s8;
typedef s16			__s16;
typedef s32			__s32;
typedef s64			__s64;

/*
 * Plain integers: the model has no sparse.  The big-endian build (see
 * asm/byteorder.h) is what catches a missing conversion.
 */
typedef u16			__le16;
typedef u32			__le32;
typedef u64			__le64;
typedef u16			__be16;
typedef u32			__be32;
typedef u64			__be64;

typedef u64			dma_addr_t;
typedef u64			phys_addr_t;
typedef unsigned int		gfp_t;

#endif /* _MODEL_LINUX_TYPES_H */
