// SPDX-License-Identifier: GPL-2.0
/*
 * pw_events.c - exit records: one bounded queue per event-mode fd.
 *
 * pw_lineage.c decides who is a member and calls pw_events_member_exit()
 * when a member's last thread exits (from the sched_process_exit probe,
 * atomic context); this file queues one record on every listener that can
 * see the pid and wakes it.  Readers take whole lines out of their queue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/spinlock.h>
#include <linux/poll.h>
#include <linux/timekeeping.h>
#include "pidwatcher.h"

/*
 * pw_events_lock guards pw_listeners and the ring, head, count and lost of
 * every listener.  Taken from the exit probe (preemption off) and from
 * process context; never from interrupts; never nested with another lock
 * of the module (the lineage lock is dropped before records are queued).
 */
static DEFINE_SPINLOCK(pw_events_lock);
static LIST_HEAD(pw_listeners);

static void pw_listener_push(struct pw_listener *l, const struct pw_event *ev)
{
	if (l->count == l->size) {
		pw_value_put(l->ring[l->head].val);
		l->head = (l->head + 1) % l->size;
		l->count--;
		l->lost++;
	}
	l->ring[(l->head + l->count) % l->size] = *ev;
	pw_value_get(ev->val);
	l->count++;
}

void pw_events_member_exit(struct task_struct *p, u64 start_ns,
			   struct pw_value *val)
{
	struct pw_listener *l;
	struct pw_event ev;

	if (list_empty_careful(&pw_listeners))
		return;
	ev.start_ns = start_ns;
	ev.exit_ns = ktime_get_boottime_ns();
	ev.exit_code = p->exit_code;
	ev.val = val;
	spin_lock(&pw_events_lock);
	list_for_each_entry(l, &pw_listeners, node) {
		ev.pid = task_tgid_nr_ns(p, l->pid_ns);
		if (!ev.pid)
			continue;	/* not visible to this reader */
		pw_listener_push(l, &ev);
		wake_up_interruptible_poll(&l->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock(&pw_events_lock);
}

/* From now on, every member's exit visible in @pid_ns is queued on @l. */
int pw_listener_start(struct pw_listener *l, struct pid_namespace *pid_ns)
{
	l->size = clamp_val(READ_ONCE(pw_max_events), 1, 65536);
	l->ring = kvcalloc(l->size, sizeof(*l->ring), GFP_KERNEL);
	if (!l->ring)
		return -ENOMEM;
	l->pid_ns = pid_ns;
	l->head = 0;
	l->count = 0;
	l->lost = 0;
	init_waitqueue_head(&l->wq);

	spin_lock(&pw_events_lock);
	list_add(&l->node, &pw_listeners);
	spin_unlock(&pw_events_lock);
	return 0;
}

void pw_listener_stop(struct pw_listener *l)
{
	spin_lock(&pw_events_lock);
	list_del(&l->node);
	while (l->count) {
		pw_value_put(l->ring[l->head].val);
		l->head = (l->head + 1) % l->size;
		l->count--;
	}
	spin_unlock(&pw_events_lock);
	kvfree(l->ring);
	l->ring = NULL;
}

bool pw_listener_pending(struct pw_listener *l)
{
	bool ret;

	spin_lock(&pw_events_lock);
	ret = l->count || l->lost;
	spin_unlock(&pw_events_lock);
	return ret;
}

/*
 * Move as many whole lines as fit into @kbuf.  Returns the bytes written;
 * 0 when the queue is empty or the next line does not fit.
 */
ssize_t pw_listener_read(struct pw_listener *l, char *kbuf, size_t size)
{
	char head[128];
	size_t n = 0, hl, need;

	spin_lock(&pw_events_lock);
	if (l->lost) {
		hl = scnprintf(head, sizeof(head), "lost %lu\n", l->lost);
		if (hl > size)
			goto out;
		memcpy(kbuf, head, hl);
		n = hl;
		l->lost = 0;
	}
	while (l->count) {
		struct pw_event *ev = &l->ring[l->head];

		hl = scnprintf(head, sizeof(head), "exit %d %llu %d %llu %c",
			       ev->pid, ev->start_ns, ev->exit_code,
			       ev->exit_ns, ev->val->cut ? '~' : '=');
		need = hl + pw_escaped_len(ev->val->data, ev->val->len) + 1;
		if (n + need > size)
			break;
		memcpy(kbuf + n, head, hl);
		n += hl;
		n += pw_escape(kbuf + n, ev->val->data, ev->val->len);
		kbuf[n++] = '\n';
		pw_value_put(ev->val);
		l->head = (l->head + 1) % l->size;
		l->count--;
	}
out:
	spin_unlock(&pw_events_lock);
	return n;
}
