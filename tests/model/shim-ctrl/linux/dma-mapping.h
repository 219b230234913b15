/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/dma-mapping.h>, for tests/model/ctrl.c:
 * page-aligned heap memory, the address its own bus address.  The test
 * counts what is live, and can make an allocation fail.
 */
#ifndef _MODEL_LINUX_DMA_MAPPING_H
#define _MODEL_LINUX_DMA_MAPPING_H

#include <linux/types.h>

#define GFP_KERNEL	0

struct device;

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *addr,
			 gfp_t gfp);
void dma_free_coherent(struct device *dev, size_t size, void *cpu,
		       dma_addr_t addr);

#endif /* _MODEL_LINUX_DMA_MAPPING_H */
