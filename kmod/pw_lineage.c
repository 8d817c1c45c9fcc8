// SPDX-License-Identifier: GPL-2.0
/*
 * pw_lineage.c - who is a member, and how that is known.
 *
 * A member is a thread group that either carries the tag in its
 * environment (PW_MEMBER_ENV) or was forked by a member (PW_MEMBER_FORK).
 * The environment alone cannot tell the second kind: a daemon clears its
 * environment, writes its title over the environment area or execs with
 * env -i, and its parent may be long gone.  So membership is learned when
 * it is decided, at fork, and kept in a table from module load to unload:
 *
 *   - sched_process_fork (in kernel_clone(), before the child is woken, so
 *     the child cannot exec, fork or exit before it is in the table): a new
 *     process (not a thread) whose forker's group is a member becomes a
 *     member by fork with the forker's value;
 *   - sched_process_exec (after the new image is installed): a member by
 *     fork keeps its inherited value whatever the new environment says;
 *     for anyone else the new environment decides: a tagged exec makes a
 *     member by environment (or changes its value), an untagged exec ends
 *     membership by environment.  The area is read in the probe with
 *     copy_from_user_nofault(); when that would fault, or the area is over
 *     2 MiB, the read is deferred to a workqueue (access_process_vm()
 *     sleeps) and the old state holds meanwhile;
 *   - scans (the load-time seeding scan and every snapshot): a tagged group
 *     the table does not know becomes a member by environment; a member by
 *     environment takes the value its area shows now.  A scan never ends a
 *     membership: a member that wiped its own area stays a member;
 *   - sched_process_exit: when a member's last thread exits (signal->live
 *     already 0) it leaves the table and pw_events.c queues its exit record.
 *
 * Entries are keyed by the group's struct pid, of which the table holds a
 * reference, so a recycled pid number (a new struct pid) never meets a
 * stale entry; the leader's start time is kept and checked as well.
 * Scans add a group only after checking, under the lock, that signal->live
 * is not 0, so a group that died mid-scan is never re-added.
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
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/binfmts.h>
#include "pidwatcher.h"
#include "pw_compat.h"

#define PW_MEMBER_BITS		14

struct pw_member {
	struct hlist_node node;		/* in pw_members */
	struct rcu_head rcu;
	struct pid *tgid;		/* reference held; immutable */
	u64 start_ns;			/* leader's start_boottime; immutable */
	/* under pw_lineage_lock: */
	enum pw_membership how;
	struct pw_value *val;		/* reference held */
};

/*
 * pw_lineage_lock guards the membership table: insertion and removal of
 * pw_members entries, their how and val, and pw_nr. It is taken from the
 * fork, exec and exit probes (process context, preemption off) and from
 * process context, never from interrupts, and nothing else is taken
 * under it. Probes first look their group up under RCU without the lock,
 * so forks and exits of non-members never take it; lock-free readers only
 * compare an entry's tgid, which never changes, and entries are freed
 * after a grace period.
 */
static DEFINE_SPINLOCK(pw_lineage_lock);
static DEFINE_HASHTABLE(pw_members, PW_MEMBER_BITS);
static unsigned int pw_nr;

static struct workqueue_struct *pw_wq;
static DEFINE_PER_CPU(struct pw_envscan, pw_exec_scan);

struct pw_exec_work {
	struct work_struct work;
	struct task_struct *task;	/* reference held */
};

unsigned int pw_nr_members(void)
{
	return READ_ONCE(pw_nr);
}

/* Under pw_lineage_lock or rcu_read_lock(). */
static struct pw_member *pw_find(struct pid *tgid)
{
	struct pw_member *m;

	hash_for_each_possible_rcu(pw_members, m, node, (unsigned long)tgid,
				   lockdep_is_held(&pw_lineage_lock))
		if (m->tgid == tgid)
			return m;
	return NULL;
}

static bool pw_known(struct pid *tgid)
{
	bool ret;

	rcu_read_lock();
	ret = tgid && pw_find(tgid);
	rcu_read_unlock();
	return ret;
}

static void pw_member_free_rcu(struct rcu_head *rcu)
{
	struct pw_member *m = container_of(rcu, struct pw_member, rcu);

	put_pid(m->tgid);
	pw_value_put(m->val);
	kfree(m);
}

/* Caller holds pw_lineage_lock. */
static void pw_remove(struct pw_member *m)
{
	hash_del_rcu(&m->node);
	WRITE_ONCE(pw_nr, pw_nr - 1);
	call_rcu(&m->rcu, pw_member_free_rcu);
}

/*
 * Caller holds pw_lineage_lock; @m is a zeroed spare, consumed (*m = NULL)
 * on insert.  A group whose last thread already passed do_exit()'s live
 * count has had (or will never get) its exit probe: it is not added.
 */
static void pw_insert(struct pw_member **m, struct task_struct *task,
		      enum pw_membership how, struct pw_value *val)
{
	struct pw_member *n = *m;

	if (atomic_read(&task->signal->live) == 0)
		return;
	if (pw_nr >= READ_ONCE(pw_max_tasks)) {
		pr_warn_ratelimited("member limit (max_tasks) reached: new members are not known\n");
		return;
	}
	*m = NULL;
	n->tgid = get_pid(task_tgid(task));
	n->start_ns = task->group_leader->start_boottime;
	n->how = how;
	n->val = pw_value_get(val);
	hash_add_rcu(pw_members, &n->node, (unsigned long)n->tgid);
	WRITE_ONCE(pw_nr, pw_nr + 1);
}

static void pw_set_value(struct pw_member *m, struct pw_value *val)
{
	if (m->val != val) {
		pw_value_put(m->val);
		m->val = pw_value_get(val);
	}
}

enum pw_membership pw_member_lookup(struct task_struct *leader,
				    struct pw_value **val)
{
	enum pw_membership how = PW_MEMBER_NONE;
	struct pid *tgid = task_tgid(leader);
	struct pw_member *m;

	if (!pw_known(tgid))
		return PW_MEMBER_NONE;
	spin_lock(&pw_lineage_lock);
	m = pw_find(tgid);
	if (m && m->start_ns == leader->start_boottime) {
		how = m->how;
		*val = pw_value_get(m->val);
	}
	spin_unlock(&pw_lineage_lock);
	return how;
}

void pw_member_seen(struct task_struct *leader, const struct pw_envscan *es)
{
	struct pid *tgid = task_tgid(leader);
	struct pw_member *m, *spare = NULL;
	struct pw_value *val = NULL;

	if (!tgid || !es->found)
		return;
	/* the common case, nothing to change, allocates nothing */
	spin_lock(&pw_lineage_lock);
	m = pw_find(tgid);
	if (m && (m->how == PW_MEMBER_FORK ||
		  pw_value_equal(m->val, es->val, es->len, es->cut))) {
		spin_unlock(&pw_lineage_lock);
		return;
	}
	spin_unlock(&pw_lineage_lock);

	val = pw_value_alloc(es->val, es->len, es->cut, GFP_KERNEL);
	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!val || !spare)
		goto out;
	spin_lock(&pw_lineage_lock);
	m = pw_find(tgid);
	if (!m)
		pw_insert(&spare, leader, PW_MEMBER_ENV, val);
	else if (m->how == PW_MEMBER_ENV)
		pw_set_value(m, val);
	spin_unlock(&pw_lineage_lock);
out:
	kfree(spare);
	pw_value_put(val);
}

/* sched_process_fork: @parent is current, @child not yet woken. */
static void pw_probe_fork(void *data, struct task_struct *parent,
			  struct task_struct *child)
{
	struct pid *ptgid = task_tgid(parent);
	struct pw_member *pm, *cm, *spare;

	if (!thread_group_leader(child) || !pw_known(ptgid))
		return;		/* a thread, or a non-member's child */
	spare = kzalloc(sizeof(*spare), GFP_ATOMIC);
	if (!spare) {
		pr_warn_ratelimited("out of memory: a member's child is not known\n");
		return;
	}
	spin_lock(&pw_lineage_lock);
	pm = pw_find(ptgid);
	if (pm) {
		/* a scan may have seen the child's inherited environment first */
		cm = pw_find(task_tgid(child));
		if (cm) {
			WRITE_ONCE(cm->how, PW_MEMBER_FORK);
			pw_set_value(cm, pm->val);
		} else {
			pw_insert(&spare, child, PW_MEMBER_FORK, pm->val);
		}
	}
	spin_unlock(&pw_lineage_lock);
	kfree(spare);
}

/* The new image's environment @es decides, unless @task is a member by fork. */
static void pw_exec_apply(struct task_struct *task,
			  const struct pw_envscan *es, gfp_t gfp)
{
	struct pid *tgid = task_tgid(task);
	struct pw_member *m, *spare = NULL;
	struct pw_value *val = NULL;

	if (es->found) {
		val = pw_value_alloc(es->val, es->len, es->cut, gfp);
		spare = kzalloc(sizeof(*spare), gfp);
		if (!val || !spare) {
			pr_warn_ratelimited("out of memory: a tagged exec is not known\n");
			goto out;	/* keep whatever state there was */
		}
	} else if (!pw_known(tgid)) {
		return;
	}
	spin_lock(&pw_lineage_lock);
	m = pw_find(tgid);
	if (m && m->how == PW_MEMBER_FORK)
		;	/* inherited at fork: the environment does not change it */
	else if (m && val)
		pw_set_value(m, val);
	else if (m)
		pw_remove(m);	/* untagged exec of a member by environment */
	else if (val)
		pw_insert(&spare, task, PW_MEMBER_ENV, val);
	spin_unlock(&pw_lineage_lock);
out:
	kfree(spare);
	pw_value_put(val);
}

static bool pw_forked_member(struct task_struct *task)
{
	struct pw_member *m;
	bool ret = false;

	rcu_read_lock();
	m = pw_find(task_tgid(task));
	if (m)
		ret = READ_ONCE(m->how) == PW_MEMBER_FORK;
	rcu_read_unlock();
	return ret;
}

static void pw_exec_workfn(struct work_struct *work)
{
	struct pw_exec_work *w = container_of(work, struct pw_exec_work, work);
	struct pw_envscan *es = kmalloc(sizeof(*es), GFP_KERNEL);
	char *chunk = kmalloc(PW_ENV_CHUNK, GFP_KERNEL);
	struct mm_struct *mm = get_task_mm(w->task);

	if (!es || !chunk || !mm) {
		if (mm)
			pr_warn_ratelimited("out of memory: a deferred exec is not known\n");
		goto out;
	}
	pw_env_read(w->task, mm, es, chunk);
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
	struct pw_exec_work *w;
	struct pw_envscan *es;
	bool ok;

	if (!p->mm || pw_forked_member(p))
		return;
	es = get_cpu_ptr(&pw_exec_scan);
	ok = pw_env_read_nofault(p->mm, es);
	if (ok)
		pw_exec_apply(p, es, GFP_ATOMIC);
	put_cpu_ptr(&pw_exec_scan);
	if (ok)
		return;

	w = kmalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		pr_warn_ratelimited("out of memory: an exec is not read\n");
		return;
	}
	pw_dbg("exec of %d: environment read deferred\n", task_pid_nr(p));
	INIT_WORK(&w->work, pw_exec_workfn);
	w->task = p;
	get_task_struct(p);
	queue_work(pw_wq, &w->work);
}

static void pw_probe_exit(PW_EXIT_PROBE_ARGS)
{
	struct pid *tgid = task_tgid(p);
	struct pw_member *m;
	struct pw_value *val = NULL;
	u64 start_ns = 0;

	if (!READ_ONCE(pw_nr) || !PW_EXIT_GROUP_DEAD(p) || !pw_known(tgid))
		return;
	spin_lock(&pw_lineage_lock);
	m = pw_find(tgid);
	if (m) {
		start_ns = m->start_ns;
		val = pw_value_get(m->val);
		pw_remove(m);
	}
	spin_unlock(&pw_lineage_lock);
	if (val) {
		pw_events_member_exit(p, start_ns, val);
		pw_value_put(val);
	}
}

struct pw_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

static struct pw_tp pw_tps[] = {
	{ .name = "sched_process_fork", .probe = pw_probe_fork },
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

static void pw_forget_all(void)
{
	struct pw_member *m;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&pw_lineage_lock);
	hash_for_each_safe(pw_members, bkt, tmp, m, node)
		pw_remove(m);
	spin_unlock(&pw_lineage_lock);
	rcu_barrier();	/* every pw_member_free_rcu has run */
}

int pw_lineage_init(void)
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
	pw_forget_all();
	return ret;
}

void pw_lineage_exit(void)
{
	pw_tp_unregister(ARRAY_SIZE(pw_tps));
	destroy_workqueue(pw_wq);	/* drains deferred exec reads */
	pw_forget_all();
}
