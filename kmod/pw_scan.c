// SPDX-License-Identifier: GPL-2.0
/*
 * pw_scan.c - the snapshot: walk the task list, find out for each process
 * whether it is a member (pw_lineage.c, and its environment through
 * pw_env.c) and format protocol-2 rows.
 *
 * Locking: pids are collected under rcu_read_lock() only (nothing sleeps
 * there); everything that sleeps (access_process_vm, mmput, allocation)
 * happens afterwards on referenced struct pid / task_struct / mm_struct.
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
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/timekeeping.h>
#include <linux/seqlock.h>
#include "pidwatcher.h"
#include "pw_compat.h"

#define PW_HDR_RESERVE	1280		/* > longest header line */
/* longest row: numbers, 16-byte comm, membership and a value, all escaped */
#define PW_ROW_MAX	(256 + 4 * TASK_COMM_LEN + 4 * PW_VALUE_MAX)

/* What a snapshot row says about membership: how, and the value. */
struct pw_row_member {
	enum pw_membership how;
	const char *val;
	size_t len;
	bool cut;
};

/* Growable output buffer bounded by pw_max_bytes. */
struct pw_outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static int pw_outbuf_append(struct pw_outbuf *ob, const char *s, size_t n)
{
	if (ob->len + n > ob->size) {
		size_t nsize = max(ob->size * 2, ob->len + n);
		char *nbuf;

		if (ob->len + n > PW_HDR_RESERVE + pw_max_bytes)
			return -ENOSPC;
		nsize = min_t(size_t, nsize, PW_HDR_RESERVE + pw_max_bytes);
		nbuf = kvmalloc(nsize, GFP_KERNEL);
		if (!nbuf)
			return -ENOMEM;
		memcpy(nbuf, ob->buf, ob->len);
		kvfree(ob->buf);
		ob->buf = nbuf;
		ob->size = nsize;
	}
	memcpy(ob->buf + ob->len, s, n);
	ob->len += n;
	return 0;
}

/*
 * Collect a referenced struct pid for every thread group visible in
 * @pid_ns.  Nothing sleeps under RCU: when the array is too small we drop
 * everything, grow it outside RCU and walk again.
 */
static struct pid **pw_collect(struct pid_namespace *pid_ns, size_t *nr)
{
	size_t cap = 512, n, total, i;
	struct task_struct *p;
	struct pid **pids;

	for (;;) {
		pids = kvmalloc_array(cap, sizeof(*pids), GFP_KERNEL);
		if (!pids)
			return NULL;
		n = 0;
		total = 0;
		rcu_read_lock();
		for_each_process(p) {
			struct pid *tg = task_tgid(p);

			if (!tg || !pid_nr_ns(tg, pid_ns))
				continue;
			total++;
			if (n < cap)
				pids[n++] = get_pid(tg);
		}
		rcu_read_unlock();
		if (total <= cap) {
			*nr = n;
			return pids;
		}
		for (i = 0; i < n; i++)
			put_pid(pids[i]);
		kvfree(pids);
		cap = total + total / 8 + 64;
	}
}

/*
 * Take a reference on the group's mm and on a thread that owns it: the
 * leader normally, another thread when the leader already exited.
 */
static struct mm_struct *pw_group_mm(struct task_struct *leader,
				     struct task_struct **owner)
{
	struct mm_struct *mm = NULL;
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(leader, t) {
		if (t->flags & PF_KTHREAD)
			break;
		task_lock(t);
		if (t->mm) {
			mm = t->mm;
			mmget(mm);
			get_task_struct(t);
			*owner = t;
		}
		task_unlock(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

/* Group CPU time in ns: exited threads' total plus every live thread. */
static u64 pw_group_runtime(struct task_struct *leader)
{
	struct signal_struct *sig = leader->signal;
	struct task_struct *t;
	unsigned int seq, tries = 0;
	u64 sum;

	/* caller holds rcu_read_lock(); stats_lock orders against __exit_signal() */
	do {
		seq = read_seqbegin(&sig->stats_lock);
		sum = sig->sum_sched_runtime;
		for_each_thread(leader, t)
			sum += READ_ONCE(t->se.sum_exec_runtime);
	} while (read_seqretry(&sig->stats_lock, seq) && ++tries < 4);
	return sum;
}

static bool pw_filter_match(const struct pw_filter *f,
			    const struct pw_row_member *rm)
{
	switch (f->kind) {
	case PW_FILTER_ALL:
		return true;
	case PW_FILTER_ALL_TAGGED:
		return rm->how != PW_MEMBER_NONE;
	case PW_FILTER_VALUE:
		return rm->how != PW_MEMBER_NONE && !rm->cut &&
		       rm->len == f->len && !memcmp(rm->val, f->value, f->len);
	case PW_FILTER_NONE:
		return false;
	}
	return false;
}

static const char *const pw_membership_word[] = {
	[PW_MEMBER_NONE] = "-",
	[PW_MEMBER_ENV] = "env",
	[PW_MEMBER_FORK] = "fork",
};

static size_t pw_format_row(char *row, struct task_struct *leader,
			    struct pid *pid, struct mm_struct *mm,
			    const struct pw_row_member *rm,
			    struct pid_namespace *pid_ns,
			    struct user_namespace *user_ns)
{
	char comm[TASK_COMM_LEN];
	pid_t nr, ppid = 0;
	int threads;
	uid_t uid;
	char state;
	u64 cpu;
	size_t n;

	nr = pid_nr_ns(pid, pid_ns);
	rcu_read_lock();
	if (pid_alive(leader))
		ppid = task_tgid_nr_ns(rcu_dereference(leader->real_parent),
				       pid_ns);
	uid = from_kuid_munged(user_ns, task_uid(leader));
	threads = get_nr_threads(leader);
	state = task_state_to_char(leader);
	cpu = pw_group_runtime(leader);
	rcu_read_unlock();
	get_task_comm(comm, leader);

	n = scnprintf(row, 256, "%d %d %d %d %c %u %llu %llu %lu ", nr, ppid,
		      nr, threads, state, uid, leader->start_boottime, cpu,
		      mm ? get_mm_rss(mm) << PAGE_SHIFT : 0UL);
	n += pw_escape(row + n, comm, strnlen(comm, sizeof(comm)));
	n += scnprintf(row + n, 8, " %s ", pw_membership_word[rm->how]);
	if (rm->how == PW_MEMBER_NONE) {
		row[n++] = '-';
	} else {
		row[n++] = rm->cut ? '~' : '=';
		n += pw_escape(row + n, rm->val, rm->len);
	}
	row[n++] = '\n';
	return n;
}

static size_t pw_format_header(char *hdr, u64 now, unsigned int tasks,
			       bool truncated, const struct pw_filter *f)
{
	size_t n;

	n = scnprintf(hdr, 128, "pidwatcher %d boottime_ns=%llu tasks=%u truncated=%d filter=",
		      PW_PROTOCOL_VERSION, now, tasks, truncated);
	switch (f->kind) {
	case PW_FILTER_ALL:
		n += scnprintf(hdr + n, 16, "all");
		break;
	case PW_FILTER_ALL_TAGGED:
		n += scnprintf(hdr + n, 16, "all-tagged");
		break;
	case PW_FILTER_VALUE:
		n += scnprintf(hdr + n, 16, "value:");
		n += pw_escape(hdr + n, f->value, f->len);
		break;
	case PW_FILTER_NONE:
		n += scnprintf(hdr + n, 16, "none");
		break;
	}
	hdr[n++] = '\n';
	return n;
}

int pw_snapshot_take(struct pw_snapshot *snap, const struct pw_filter *f,
		     struct pid_namespace *pid_ns,
		     struct user_namespace *user_ns)
{
	struct pw_outbuf ob = { };
	struct pw_envscan *es = NULL;
	char *chunk = NULL, *row = NULL;
	struct pid **pids;
	unsigned int rows = 0;
	bool truncated = false;
	size_t nr, i, hlen;
	u64 now;
	int ret = -ENOMEM;

	now = ktime_get_boottime_ns();
	pids = pw_collect(pid_ns, &nr);
	if (!pids)
		return -ENOMEM;
	es = kmalloc(sizeof(*es), GFP_KERNEL);
	chunk = kmalloc(PW_ENV_CHUNK, GFP_KERNEL);
	row = kmalloc(PW_ROW_MAX, GFP_KERNEL);
	ob.size = PW_HDR_RESERVE + min_t(size_t, 64 * 1024, pw_max_bytes);
	ob.buf = kvmalloc(ob.size, GFP_KERNEL);
	if (!es || !chunk || !row || !ob.buf)
		goto out_put;
	ob.len = PW_HDR_RESERVE;

	for (i = 0; i < nr; i++) {
		struct task_struct *leader, *owner = NULL;
		struct pw_value *val = NULL;
		struct pw_row_member rm;
		struct mm_struct *mm;

		leader = get_pid_task(pids[i], PIDTYPE_PID);
		if (!leader)
			continue;	/* exited since the walk */
		rm.val = NULL;
		rm.len = 0;
		rm.cut = false;
		rm.how = pw_member_lookup(leader, &val);
		mm = pw_group_mm(leader, &owner);
		pw_envscan_init(es);
		/* a member by fork keeps its value: its environment is not read */
		if (mm && rm.how != PW_MEMBER_FORK)
			pw_env_read(owner, mm, es, chunk);
		if (es->found) {
			/* every scan lets the table learn (or update) members by environment */
			pw_member_seen(leader, es);
			if (rm.how == PW_MEMBER_NONE)
				rm.how = PW_MEMBER_ENV;
			rm.val = es->val;
			rm.len = es->len;
			rm.cut = es->cut;
		} else if (val) {
			rm.val = val->data;
			rm.len = val->len;
			rm.cut = val->cut;
		}

		if (!truncated && pw_filter_match(f, &rm)) {
			if (rows >= pw_max_tasks) {
				truncated = true;
			} else {
				size_t n = pw_format_row(row, leader, pids[i], mm,
							 &rm, pid_ns, user_ns);

				ret = pw_outbuf_append(&ob, row, n);
				if (ret == -ENOSPC)
					truncated = true;
				else if (ret)
					goto out_task;
				else
					rows++;
			}
		}
		ret = 0;
out_task:
		pw_value_put(val);
		if (mm) {
			mmput(mm);
			put_task_struct(owner);
		}
		put_task_struct(leader);
		if (ret)
			goto out_put;
		/* truncated or not, every group is seen: the table learns from scans */
		cond_resched();
	}

	hlen = pw_format_header(row, now, rows, truncated, f);
	snap->start = PW_HDR_RESERVE - hlen;
	memcpy(ob.buf + snap->start, row, hlen);
	snap->buf = ob.buf;
	snap->len = ob.len;
	ob.buf = NULL;
	pw_dbg("snapshot: %zu groups walked, %u rows, truncated=%d\n",
	       nr, rows, truncated);
	ret = 0;

out_put:
	for (i = 0; i < nr; i++)
		put_pid(pids[i]);
	kvfree(pids);
	kvfree(ob.buf);
	kfree(row);
	/* other variables' bytes passed through these: do not leave them in slab */
	kfree_sensitive(chunk);
	kfree_sensitive(es);
	return ret;
}

void pw_snapshot_free(struct pw_snapshot *snap)
{
	kvfree(snap->buf);
	snap->buf = NULL;
	snap->len = 0;
	snap->start = 0;
}
