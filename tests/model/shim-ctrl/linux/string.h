/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/string.h>, for tests/model/ctrl.c. */
#include <string.h>
