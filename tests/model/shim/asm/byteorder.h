/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <asm/byteorder.h>, for tests/model only.
 *
 * By default the CPU is little-endian, as x86 is, and the le conversions
 * are identities.  -DMODEL_BIG_ENDIAN pretends the CPU is big-endian: the
 * le conversions byte-swap, and the model's device decodes the buffers the
 * same way, so a conversion the header forgets (or does twice) corrupts
 * the values the device sees.
 *
 * MODEL_BREAK_LE32 (mutant) makes the host's conversions identities even
 * in the big-endian build, as a header without any conversion would be.
 */
#ifndef _MODEL_ASM_BYTEORDER_H
#define _MODEL_ASM_BYTEORDER_H

#include <linux/types.h>

#define swab16(x)		((u16)__builtin_bswap16((u16)(x)))
#define swab32(x)		((u32)__builtin_bswap32((u32)(x)))
#define swab64(x)		((u64)__builtin_bswap64((u64)(x)))

#if defined(MODEL_BIG_ENDIAN) && !defined(MODEL_BREAK_LE32)
#define __model_le16(x)		swab16(x)
#define __model_le32(x)		swab32(x)
#define __model_le64(x)		swab64(x)
#else
#define __model_le16(x)		((u16)(x))
#define __model_le32(x)		((u32)(x))
#define __model_le64(x)		((u64)(x))
#endif

#ifdef MODEL_BIG_ENDIAN
#define __model_be16(x)		((u16)(x))
#define __model_be32(x)		((u32)(x))
#define __model_be64(x)		((u64)(x))
#else
#define __model_be16(x)		swab16(x)
#define __model_be32(x)		swab32(x)
#define __model_be64(x)		swab64(x)
#endif

#define cpu_to_le16(x)		((__le16)__model_le16(x))
#define cpu_to_le32(x)		((__le32)__model_le32(x))
#define cpu_to_le64(x)		((__le64)__model_le64(x))
#define le16_to_cpu(x)		((u16)__model_le16(x))
#define le32_to_cpu(x)		((u32)__model_le32(x))
#define le64_to_cpu(x)		((u64)__model_le64(x))

#define cpu_to_be16(x)		((__be16)__model_be16(x))
#define cpu_to_be32(x)		((__be32)__model_be32(x))
#define cpu_to_be64(x)		((__be64)__model_be64(x))
#define be16_to_cpu(x)		((u16)__model_be16(x))
#define be32_to_cpu(x)		((u32)__model_be32(x))
#define be64_to_cpu(x)		((u64)__model_be64(x))

#define le16_to_cpup(p)		le16_to_cpu(*(p))
#define le32_to_cpup(p)		le32_to_cpu(*(p))
#define le64_to_cpup(p)		le64_to_cpu(*(p))

#endif /* _MODEL_ASM_BYTEORDER_H */
