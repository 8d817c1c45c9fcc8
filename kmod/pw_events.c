// SPDX-License-Identifier: GPL-2.0
/*
 * pw_events.c - exit events for tagged thread groups.
 *
 * The environment is gone (exit_mm) by the time sched_process_exit fires
 * and probes run in atomic context, so the tag cannot be read at exit.
 * Instead a set of tracked thread groups is kept while at least one fd is
 * in event mode:
 *
 *   - seeded and refreshed by scans (every snapshot adds the tagged groups
 *     it sees; a scan never removes one: a process that rewrites its own
 *     environment area stays tracked);
 *   - task_newtask: a new thread group whose parent's group is tracked is
 *     tracked with the same value (the child inherits the environment).
 *     It fires in copy_process() before the child can run, so the child
 *     cannot exec or exit before it is tracked;
 *   - sched_process_exec: the new image's environment is authoritative:
 *     it is read in the probe from the just-built user stack with
 *     copy_from_user_nofault(); if that cannot be done without faulting the
 *     read is deferred to a workqueue (access_process_vm() sleeps);
 *   - sched_process_exit: when the last thread of a tracked group exits
 *     (signal->live already dropped to 0), the group is removed and one
 *     record is queued on every listener that can see the pid.
 *
 * All tracepoints are looked up by name (their symbols are not exported).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/binfmts.h>
#include <linux/poll.h>
#include <linux/timekeeping.h>
#include "pidwatcher.h"
#include "pw_compat.h"

#define PW_TRACK_BITS		12
#define PW_EXEC_SCAN_MAX	(2UL << 20)	/* env bytes read in the exec probe */
#define PW_EXEC_CHUNK		256

struct pw_group {
	struct hlist_node node;
	struct pid *tgid;		/* reference held */
	u64 start_ns;			/* group leader's start_boottime */
	struct pw_value *val;		/* reference held */
};

/*
 * pw_track_lock protects pw_groups, pw_nr_groups, pw_active, pw_listeners
 * and the ring/head/count/lost of every listener.  It is taken from the
 * tracepoint probes (process context, preemption off) and from process
 * context; never from interrupts.
 */
static DEFINE_SPINLOCK(pw_track_lock);
static DEFINE_HASHTABLE(pw_groups, PW_TRACK_BITS);
static unsigned int pw_nr_groups;
static bool pw_active;
static LIST_HEAD(pw_listeners);

static struct workqueue_struct *pw_wq;
static DEFINE_PER_CPU(struct pw_envscan, pw_exec_scan);

struct pw_exec_work {
	struct work_struct work;
	struct task_struct *task;	/* reference held */
};

unsigned int pw_nr_tracked(void)
{
	return READ_ONCE(pw_nr_groups);
}

bool pw_tracking_active(void)
{
	return READ_ONCE(pw_active);
}

static struct pw_group *pw_group_find(struct pid *tgid)
{
	struct pw_group *g;

	hash_for_each_possible(pw_groups, g, node, (unsigned long)tgid)
		if (g->tgid == tgid)
			return g;
	return NULL;
}

static void pw_group_free(struct pw_group *g)
{
	put_pid(g->tgid);
	pw_value_put(g->val);
	kfree(g);
}

/*
 * Record that @task's group carries @val (or, with @val == NULL, no tag).
 * @spare is a preallocated node, consumed on insert (set to NULL).
 * Caller holds pw_track_lock.
 */
static void pw_group_set(struct task_struct *task, struct pw_value *val,
			 struct pw_group **spare, struct pw_group **dead)
{
	struct pid *tgid = task_tgid(task);
	struct pw_group *g;

	/*
	 * A group whose last thread already passed do_exit()'s live count
	 * has had (or will never get) its exit probe: do not track it.
	 */
	if (!pw_active || !tgid || atomic_read(&task->signal->live) == 0)
		return;
	g = pw_group_find(tgid);
	if (!val) {
		if (g) {
			hash_del(&g->node);
			pw_nr_groups--;
			*dead = g;
		}
		return;
	}
	if (g) {
		if (!pw_value_equal(g->val, val->data, val->len, val->cut)) {
			pw_value_put(g->val);
			g->val = pw_value_get(val);
		}
		return;
	}
	if (!*spare || pw_nr_groups >= pw_max_tasks) {
		pr_warn_ratelimited("tracked group limit reached, exits of new groups are not reported\n");
		return;
	}
	g = *spare;
	*spare = NULL;
	g->tgid = get_pid(tgid);
	g->start_ns = task->group_leader->start_boottime;
	g->val = pw_value_get(val);
	hash_add(pw_groups, &g->node, (unsigned long)tgid);
	pw_nr_groups++;
}

/* Scans report every tagged group they see (process context). */
void pw_track_seen(struct task_struct *leader, struct pw_value *val)
{
	struct pw_group *spare, *dead = NULL;

	if (!pw_tracking_active())
		return;
	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	spin_lock(&pw_track_lock);
	pw_group_set(leader, val, &spare, &dead);
	spin_unlock(&pw_track_lock);
	kfree(spare);
}

/* task_newtask: current is the parent, @task the new, not yet running child */
static void pw_probe_newtask(void *data, struct task_struct *task,
			     pw_clone_flags_t clone_flags)
{
	struct pw_group *parent, *g;

	if (!READ_ONCE(pw_active) || (clone_flags & CLONE_THREAD))
		return;
	spin_lock(&pw_track_lock);
	parent = pw_group_find(task_tgid(current));
	if (parent && pw_active && pw_nr_groups < pw_max_tasks) {
		g = kzalloc(sizeof(*g), GFP_ATOMIC);
		if (g) {
			g->tgid = get_pid(task_tgid(task));
			g->start_ns = task->start_boottime;
			g->val = pw_value_get(parent->val);
			hash_add(pw_groups, &g->node, (unsigned long)g->tgid);
			pw_nr_groups++;
		}
	}
	spin_unlock(&pw_track_lock);
}

static void pw_exec_apply(struct task_struct *task, struct pw_envscan *es,
			  gfp_t gfp)
{
	struct pw_group *spare = NULL, *dead = NULL;
	struct pw_value *val = NULL;

	if (es->found) {
		val = pw_value_alloc(es->val, es->len, es->cut, gfp);
		spare = kzalloc(sizeof(*spare), gfp);
		if (!val || !spare)
			goto out;	/* keep whatever state was inherited */
	}
	spin_lock(&pw_track_lock);
	pw_group_set(task, val, &spare, &dead);
	spin_unlock(&pw_track_lock);
	if (dead)
		pw_group_free(dead);
out:
	kfree(spare);
	pw_value_put(val);
}

static void pw_exec_workfn(struct work_struct *work)
{
	struct pw_exec_work *w = container_of(work, struct pw_exec_work, work);
	struct pw_envscan *es = kmalloc(sizeof(*es), GFP_KERNEL);
	char *chunk = kmalloc(PAGE_SIZE, GFP_KERNEL);
	struct mm_struct *mm = get_task_mm(w->task);
	unsigned long addr, end;

	if (!es || !chunk || !mm)
		goto out;
	pw_envscan_init(es);
	spin_lock(&mm->arg_lock);
	addr = mm->env_start;
	end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	while (addr < end) {
		size_t len = min_t(unsigned long, end - addr, PAGE_SIZE);
		int got = access_process_vm(w->task, addr, chunk, len, 0);

		if (got <= 0)
			goto out;
		if (pw_envscan_feed(es, chunk, got))
			break;
		addr += got;
	}
	if (addr >= end)
		pw_envscan_finish(es);
	pw_exec_apply(w->task, es, GFP_KERNEL);
out:
	if (mm)
		mmput(mm);
	put_task_struct(w->task);
	kfree_sensitive(chunk);
	kfree_sensitive(es);
	kfree(w);
}

/* sched_process_exec: @p == current, running its new image */
static void pw_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	struct mm_struct *mm = p->mm;
	unsigned long addr, end;
	struct pw_envscan *es;
	char buf[PW_EXEC_CHUNK];
	bool ok = true;

	if (!READ_ONCE(pw_active) || !mm)
		return;
	addr = mm->env_start;	/* set by this very exec */
	end = mm->env_end;

	es = get_cpu_ptr(&pw_exec_scan);
	pw_envscan_init(es);
	if (end - addr > PW_EXEC_SCAN_MAX)
		ok = false;
	while (ok && addr < end) {
		size_t len = min_t(unsigned long, end - addr, sizeof(buf));

		if (copy_from_user_nofault(buf, (const void __user *)addr, len)) {
			ok = false;
			break;
		}
		if (pw_envscan_feed(es, buf, len))
			break;
		addr += len;
	}
	if (ok) {
		if (addr >= end)
			pw_envscan_finish(es);
		pw_exec_apply(p, es, GFP_ATOMIC);
	}
	put_cpu_ptr(&pw_exec_scan);

	if (!ok) {
		struct pw_exec_work *w = kmalloc(sizeof(*w), GFP_ATOMIC);

		if (!w)
			return;
		pw_dbg("exec of %d: environment read deferred\n", task_pid_nr(p));
		INIT_WORK(&w->work, pw_exec_workfn);
		w->task = p;
		get_task_struct(p);
		queue_work(pw_wq, &w->work);
	}
}

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

static void pw_probe_exit(PW_EXIT_PROBE_ARGS)
{
	struct pw_listener *l;
	struct pw_event ev;
	struct pw_group *g;

	if (!READ_ONCE(pw_nr_groups) || !PW_EXIT_GROUP_DEAD(p))
		return;
	spin_lock(&pw_track_lock);
	g = pw_group_find(task_tgid(p));
	if (!g) {
		spin_unlock(&pw_track_lock);
		return;
	}
	hash_del(&g->node);
	pw_nr_groups--;
	ev.start_ns = g->start_ns;
	ev.exit_ns = ktime_get_boottime_ns();
	ev.exit_code = p->exit_code;
	ev.val = g->val;
	list_for_each_entry(l, &pw_listeners, node) {
		ev.pid = task_tgid_nr_ns(p, l->pid_ns);
		if (!ev.pid)
			continue;	/* not visible to this reader */
		pw_listener_push(l, &ev);
		wake_up_interruptible_poll(&l->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock(&pw_track_lock);
	pw_group_free(g);
}

int pw_listener_start(struct pw_listener *l, struct pid_namespace *pid_ns,
		      struct user_namespace *user_ns)
{
	struct pw_filter seed = { .kind = PW_FILTER_NONE };
	struct pw_snapshot snap = { };
	int ret;

	l->size = clamp_val(READ_ONCE(pw_max_events), 1, 65536);
	l->ring = kvcalloc(l->size, sizeof(*l->ring), GFP_KERNEL);
	if (!l->ring)
		return -ENOMEM;
	l->pid_ns = pid_ns;
	l->head = 0;
	l->count = 0;
	l->lost = 0;
	init_waitqueue_head(&l->wq);

	spin_lock(&pw_track_lock);
	list_add(&l->node, &pw_listeners);
	WRITE_ONCE(pw_active, true);
	spin_unlock(&pw_track_lock);

	/* Seed the tracked set with what is tagged right now. */
	ret = pw_snapshot_take(&snap, &seed, pid_ns, user_ns);
	if (ret) {
		pw_listener_stop(l);
		return ret;
	}
	pw_snapshot_free(&snap);
	return 0;
}

void pw_listener_stop(struct pw_listener *l)
{
	struct pw_group *g;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	int bkt;

	spin_lock(&pw_track_lock);
	list_del(&l->node);
	while (l->count) {
		pw_value_put(l->ring[l->head].val);
		l->head = (l->head + 1) % l->size;
		l->count--;
	}
	if (list_empty(&pw_listeners)) {
		/* nobody listens: stop tracking, forget everything */
		WRITE_ONCE(pw_active, false);
		hash_for_each_safe(pw_groups, bkt, tmp, g, node) {
			hash_del(&g->node);
			hlist_add_head(&g->node, &dead);
		}
		WRITE_ONCE(pw_nr_groups, 0);
	}
	spin_unlock(&pw_track_lock);
	hlist_for_each_entry_safe(g, tmp, &dead, node)
		pw_group_free(g);
	kvfree(l->ring);
	l->ring = NULL;
}

bool pw_listener_pending(struct pw_listener *l)
{
	bool ret;

	spin_lock(&pw_track_lock);
	ret = l->count || l->lost;
	spin_unlock(&pw_track_lock);
	return ret;
}

static size_t pw_escaped_len(const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		len += (c <= 0x20 || c >= 0x7f || c == '\\') ? 4 : 1;
	}
	return len;
}

/*
 * Move as many whole lines as fit into @kbuf.  Returns the bytes written;
 * 0 when the queue is empty or the next line does not fit.
 */
ssize_t pw_listener_read(struct pw_listener *l, char *kbuf, size_t size)
{
	char head[128];
	size_t n = 0, hl, need;

	spin_lock(&pw_track_lock);
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
	spin_unlock(&pw_track_lock);
	return n;
}

struct pw_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

static struct pw_tp pw_tps[] = {
	{ .name = "task_newtask", .probe = pw_probe_newtask },
	{ .name = "sched_process_exec", .probe = pw_probe_exec },
	{ .name = "sched_process_exit", .probe = pw_probe_exit },
};

static void pw_tp_lookup(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(pw_tps); i++)
		if (!strcmp(tp->name, pw_tps[i].name))
			pw_tps[i].tp = tp;
}

static void pw_tp_unregister(int n)
{
	while (n-- > 0)
		tracepoint_probe_unregister(pw_tps[n].tp, pw_tps[n].probe, NULL);
	tracepoint_synchronize_unregister();
}

int pw_events_init(void)
{
	int i, ret;

	for_each_kernel_tracepoint(pw_tp_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(pw_tps); i++) {
		if (!pw_tps[i].tp) {
			pr_err("tracepoint %s not found\n", pw_tps[i].name);
			return -ENOENT;
		}
	}
	pw_wq = alloc_workqueue("pidwatcher", 0, 0);
	if (!pw_wq)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(pw_tps); i++) {
		ret = tracepoint_probe_register(pw_tps[i].tp, pw_tps[i].probe,
						NULL);
		if (ret) {
			pr_err("cannot attach to %s: %d\n", pw_tps[i].name, ret);
			goto err_unregister;
		}
	}
	return 0;

err_unregister:
	pw_tp_unregister(i);
	destroy_workqueue(pw_wq);
	return ret;
}

void pw_events_exit(void)
{
	pw_tp_unregister(ARRAY_SIZE(pw_tps));
	destroy_workqueue(pw_wq);	/* drains deferred exec reads */
}
