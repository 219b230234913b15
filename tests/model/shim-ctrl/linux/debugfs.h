/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/debugfs.h>, for tests/model/ctrl.c: a
 * file is its show function and data, which the test calls directly.
 */
#ifndef _MODEL_LINUX_DEBUGFS_H
#define _MODEL_LINUX_DEBUGFS_H

#include <linux/seq_file.h>

struct file_operations {
	int (*show)(struct seq_file *m, void *unused);
};

struct dentry {
	const struct file_operations *fops;
	void *data;
};

#define DEFINE_SHOW_ATTRIBUTE(__name)					\
	static const struct file_operations __name##_fops = {		\
		.show = __name##_show,					\
	}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_remove(struct dentry *dentry);

#endif /* _MODEL_LINUX_DEBUGFS_H */
