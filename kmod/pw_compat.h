/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pw_compat.h - every LINUX_VERSION_CODE check of pidwatcher lives here.
 *
 * Supported: Debian bookworm 6.1, bookworm-backports 6.12, and later
 * kernels where noted.
 */
#ifndef PW_COMPAT_H
#define PW_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/sched.h>

/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define pw_class_create(name) class_create(name)
#else
#define pw_class_create(name) class_create(THIS_MODULE, name)
#endif

/* struct class::devnode takes a const struct device * since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define PW_DEVNODE_CONST const
#else
#define PW_DEVNODE_CONST
#endif

/*
 * sched_process_exit gained a "bool group_dead" argument in 7.0; older
 * kernels only pass the task and we derive group death from signal->live,
 * which do_exit() decrements before the tracepoint fires.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define PW_EXIT_PROBE_ARGS	void *data, struct task_struct *p, bool group_dead
#define PW_EXIT_GROUP_DEAD(p)	(group_dead)
#else
#define PW_EXIT_PROBE_ARGS	void *data, struct task_struct *p
#define PW_EXIT_GROUP_DEAD(p)	(atomic_read(&(p)->signal->live) == 0)
#endif

#endif /* PW_COMPAT_H */
