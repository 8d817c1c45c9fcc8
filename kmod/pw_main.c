// SPDX-License-Identifier: GPL-2.0
/*
 * pidwatcher - list the processes that carry a watch tag in their
 * environment, and report their exits, through /dev/pidwatcher.
 *
 * pw_main.c: module parameters, device registration and file operations.
 * The protocol is documented in README.md ("protocol version 2").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/poll.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/user_namespace.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include "pidwatcher.h"
#include "pw_compat.h"

#define PW_NAME "pidwatcher"
#define PW_EVENT_READ_MAX (128 * 1024)

int pw_debug;
module_param_named(debug, pw_debug, int, 0644);
MODULE_PARM_DESC(debug, "1: verbose kernel log (at debug level)");

char pw_tag[PW_TAG_MAX] = "PIDWATCHER_MODULE";
size_t pw_tag_len;
module_param_string(tag, pw_tag, sizeof(pw_tag), 0444);
MODULE_PARM_DESC(tag, "environment variable that marks a watched process");

static int pw_major;
module_param_named(major, pw_major, int, 0444);
MODULE_PARM_DESC(major, "0: misc device, dynamic minor (default); N: legacy char device N:0");

unsigned int pw_max_tasks = 65536;
module_param_named(max_tasks, pw_max_tasks, uint, 0644);
MODULE_PARM_DESC(max_tasks, "rows per snapshot (truncated=1 beyond) and members known");

unsigned long pw_max_bytes = 64UL << 20;
module_param_named(max_snapshot_bytes, pw_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_snapshot_bytes, "bytes of rows per snapshot (truncated=1 beyond)");

unsigned int pw_max_events = 4096;
module_param_named(max_events, pw_max_events, uint, 0644);
MODULE_PARM_DESC(max_events, "queued exit records per event-mode fd (1..65536); oldest dropped beyond");

/* "groups=<members known> values=<live tag values>": both 0 once no member lives */
static int pw_stats_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "groups=%u values=%d\n", pw_nr_members(),
			  atomic_read(&pw_nr_values));
}

static const struct kernel_param_ops pw_stats_ops = {
	.get = pw_stats_get,
};
module_param_cb(stats, &pw_stats_ops, NULL, 0444);
MODULE_PARM_DESC(stats, "live objects (read-only): members known and tag values");

/* Per-open state. */
struct pw_file {
	struct mutex lock;		/* serialises read/write/llseek of snapshot mode */
	struct pw_filter filter;	/* under lock */
	struct pw_snapshot snap;	/* under lock */
	struct pid_namespace *pid_ns;	/* opener's, reference held */
	struct user_namespace *user_ns;	/* opener's, pinned by file->f_cred */
	bool events;			/* set once under lock, never cleared */
	struct pw_listener listener;	/* valid once events is set */
};

static int pw_open(struct inode *inode, struct file *file)
{
	struct pw_file *pf;
	int ret;

	/* reading other processes' environment: same bar as ptrace */
	if (!capable(CAP_SYS_PTRACE))
		return -EPERM;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	pf->filter.kind = PW_FILTER_ALL_TAGGED;
	pf->pid_ns = get_pid_ns(task_active_pid_ns(current));
	pf->user_ns = file->f_cred->user_ns;
	ret = pw_snapshot_take(&pf->snap, &pf->filter, pf->pid_ns, pf->user_ns);
	if (ret)
		goto err_free;
	file->private_data = pf;	/* replaces the miscdevice pointer */
	return 0;

err_free:
	put_pid_ns(pf->pid_ns);
	kfree(pf);
	return ret;
}

static int pw_release(struct inode *inode, struct file *file)
{
	struct pw_file *pf = file->private_data;

	if (pf->events)
		pw_listener_stop(&pf->listener);
	pw_snapshot_free(&pf->snap);
	put_pid_ns(pf->pid_ns);
	kfree(pf);
	return 0;
}

static ssize_t pw_read_events(struct pw_file *pf, struct file *file,
			      char __user *buf, size_t count)
{
	size_t size = min_t(size_t, count, PW_EVENT_READ_MAX);
	struct pw_listener *l = &pf->listener;
	ssize_t n;
	char *kbuf;
	int ret;

	kbuf = kvmalloc(size, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	for (;;) {
		n = pw_listener_read(l, kbuf, size);
		if (n > 0)
			break;
		if (pw_listener_pending(l)) {
			n = -EINVAL;	/* the next line does not fit */
			goto out;
		}
		if (file->f_flags & O_NONBLOCK) {
			n = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(l->wq, pw_listener_pending(l));
		if (ret) {
			n = ret;
			goto out;
		}
	}
	if (copy_to_user(buf, kbuf, n))
		n = -EFAULT;	/* the records are gone: like a lost pipe read */
out:
	kvfree(kbuf);
	return n;
}

static ssize_t pw_read(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos)
{
	struct pw_file *pf = file->private_data;
	size_t avail;
	ssize_t ret;

	if (READ_ONCE(pf->events))
		return pw_read_events(pf, file, buf, count);

	if (mutex_lock_interruptible(&pf->lock))
		return -ERESTARTSYS;
	if (pf->events) {
		mutex_unlock(&pf->lock);
		return pw_read_events(pf, file, buf, count);
	}
	avail = pf->snap.len - pf->snap.start;
	if (*ppos < 0) {
		ret = -EINVAL;
	} else if (*ppos >= avail) {
		ret = 0;
	} else {
		size_t n = min_t(size_t, count, avail - *ppos);

		if (copy_to_user(buf, pf->snap.buf + pf->snap.start + *ppos, n)) {
			ret = -EFAULT;
		} else {
			*ppos += n;
			ret = n;
		}
	}
	mutex_unlock(&pf->lock);
	return ret;
}

/* Parse one command; returns 0 and fills @f, 1 for "rescan", 2 for "events". */
static int pw_parse(const char *cmd, size_t len, struct pw_filter *f)
{
	if (len && cmd[len - 1] == '\n')
		len--;
	if (memchr(cmd, '\0', len))
		return -EINVAL;
	if (len == 10 && !memcmp(cmd, "all-tagged", 10)) {
		f->kind = PW_FILTER_ALL_TAGGED;
		f->len = 0;
		return 0;
	}
	if (len == 3 && !memcmp(cmd, "all", 3)) {
		f->kind = PW_FILTER_ALL;
		f->len = 0;
		return 0;
	}
	if (len == 6 && !memcmp(cmd, "rescan", 6))
		return 1;
	if (len == 6 && !memcmp(cmd, "events", 6))
		return 2;
	if (len >= 6 && !memcmp(cmd, "value ", 6)) {
		f->kind = PW_FILTER_VALUE;
		f->len = len - 6;
		memcpy(f->value, cmd + 6, f->len);
		return 0;
	}
	return -EINVAL;
}

static ssize_t pw_write(struct file *file, const char __user *buf,
			size_t count, loff_t *ppos)
{
	struct pw_file *pf = file->private_data;
	struct pw_snapshot snap = { };
	struct pw_filter f;
	char cmd[PW_CMD_MAX];
	int kind, ret;

	if (count == 0 || count > PW_CMD_MAX) {
		pw_dbg("rejected write of %zu bytes\n", count);
		return -EINVAL;
	}
	if (copy_from_user(cmd, buf, count))
		return -EFAULT;

	if (mutex_lock_interruptible(&pf->lock))
		return -ERESTARTSYS;
	f = pf->filter;
	kind = pw_parse(cmd, count, &f);
	if (kind < 0 || (pf->events && kind != 2)) {
		pw_dbg("rejected command (%zu bytes)\n", count);
		ret = -EINVAL;
		goto out;
	}
	if (kind == 2) {
		if (!pf->events) {
			ret = pw_listener_start(&pf->listener, pf->pid_ns);
			if (ret)
				goto out;
			pw_snapshot_free(&pf->snap);
			WRITE_ONCE(pf->events, true);
			pw_dbg("fd switched to event mode\n");
		}
		ret = count;
		goto out;
	}
	ret = pw_snapshot_take(&snap, &f, pf->pid_ns, pf->user_ns);
	if (ret)
		goto out;
	pw_snapshot_free(&pf->snap);
	pf->snap = snap;
	pf->filter = f;
	/* ksys_write() stores *ppos back into f_pos: rewind through it */
	*ppos = 0;
	ret = count;
out:
	mutex_unlock(&pf->lock);
	return ret;
}

static loff_t pw_llseek(struct file *file, loff_t offset, int whence)
{
	struct pw_file *pf = file->private_data;
	loff_t ret;

	mutex_lock(&pf->lock);
	if (pf->events)
		ret = -ESPIPE;
	else
		ret = fixed_size_llseek(file, offset, whence,
					pf->snap.len - pf->snap.start);
	mutex_unlock(&pf->lock);
	return ret;
}

static __poll_t pw_poll(struct file *file, struct poll_table_struct *wait)
{
	struct pw_file *pf = file->private_data;

	if (!READ_ONCE(pf->events))
		return EPOLLIN | EPOLLRDNORM;
	poll_wait(file, &pf->listener.wq, wait);
	return pw_listener_pending(&pf->listener) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations pw_fops = {
	.owner		= THIS_MODULE,
	.open		= pw_open,
	.release	= pw_release,
	.read		= pw_read,
	.write		= pw_write,
	.llseek		= pw_llseek,
	.poll		= pw_poll,
};

static struct miscdevice pw_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= PW_NAME,
	.fops	= &pw_fops,
	.mode	= 0600,
};

static struct class *pw_class;

static char *pw_devnode(PW_DEVNODE_CONST struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return NULL;
}

/* Legacy registration: a fixed major, minor 0, as the original module had. */
static int pw_register_major(void)
{
	struct device *dev;
	int ret;

	ret = register_chrdev(pw_major, PW_NAME, &pw_fops);
	if (ret < 0) {
		pr_err("cannot register major %d: %d\n", pw_major, ret);
		return ret;
	}
	pw_class = pw_class_create(PW_NAME);
	if (IS_ERR(pw_class)) {
		ret = PTR_ERR(pw_class);
		goto err_chrdev;
	}
	pw_class->devnode = pw_devnode;
	dev = device_create(pw_class, NULL, MKDEV(pw_major, 0), NULL, PW_NAME);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto err_class;
	}
	pr_info("module registered with %d major number.\n", pw_major);
	return 0;

err_class:
	class_destroy(pw_class);
err_chrdev:
	unregister_chrdev(pw_major, PW_NAME);
	return ret;
}

static void pw_unregister_major(void)
{
	device_destroy(pw_class, MKDEV(pw_major, 0));
	class_destroy(pw_class);
	unregister_chrdev(pw_major, PW_NAME);
}

/*
 * The probes are attached: from now on forks, execs and exits keep the
 * lineage table current.  One scan of every process teaches it the members
 * that exec'd before the module was loaded.
 */
static void __init pw_seed(void)
{
	struct pw_filter seed = { .kind = PW_FILTER_NONE };
	struct pw_snapshot snap = { };

	if (pw_snapshot_take(&snap, &seed, &init_pid_ns, &init_user_ns))
		pr_warn("seeding scan failed: members that exec'd before loading are learned by the next snapshot\n");
	pw_snapshot_free(&snap);
}

static int __init pw_init(void)
{
	int ret;

	pr_info("begin loading.\n");
	pw_tag_len = strnlen(pw_tag, sizeof(pw_tag));
	if (!pw_tag_len || strchr(pw_tag, '=')) {
		pr_err("invalid tag \"%s\"\n", pw_tag);
		return -EINVAL;
	}
	if (pw_major < 0 || pw_major > 511) {
		pr_err("invalid major %d\n", pw_major);
		return -EINVAL;
	}
	ret = pw_lineage_init();
	if (ret)
		return ret;
	pw_seed();
	if (pw_major) {
		ret = pw_register_major();
	} else {
		ret = misc_register(&pw_misc);
		if (!ret)
			pr_info("registered /dev/%s, misc minor %d, tag %s\n",
				PW_NAME, pw_misc.minor, pw_tag);
	}
	if (ret)
		goto err_events;
	return 0;

err_events:
	pw_lineage_exit();
	return ret;
}

static void __exit pw_exit(void)
{
	if (pw_major)
		pw_unregister_major();
	else
		misc_deregister(&pw_misc);
	pw_lineage_exit();
	pw_dbg("unloaded\n");
}

module_init(pw_init);
module_exit(pw_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("List processes carrying a watch tag and report their exits");
MODULE_AUTHOR("pidwatcher project");
MODULE_VERSION("1.0");
