/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/device.h>, for tests/model/ctrl.c: the
 * driver's messages go to model_log(), which the test counts.
 */
#ifndef _MODEL_LINUX_DEVICE_H
#define _MODEL_LINUX_DEVICE_H

struct device {
	const char *name;
};

void model_log(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define dev_info(dev, fmt, ...)	model_log("info", fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	model_log("warn", fmt, ##__VA_ARGS__)
#define dev_name(dev)		((dev)->name)

#endif /* _MODEL_LINUX_DEVICE_H */
