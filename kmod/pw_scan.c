// SPDX-License-Identifier: GPL-2.0
/*
 * pw_scan.c - the snapshot: walk the task list, read each process's
 * watched environment variable and format protocol-1 rows.
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

#define PW_CHUNK	(4 * PAGE_SIZE)	/* environment bytes read per call */
#define PW_HDR_RESERVE	1280		/* > longest header line */
/* longest row: numbers, 16-byte comm and a value, all escaped */
#define PW_ROW_MAX	(256 + 4 * TASK_COMM_LEN + 4 * PW_VALUE_MAX)

atomic_t pw_nr_values = ATOMIC_INIT(0);

struct pw_value *pw_value_alloc(const char *data, size_t len, bool cut,
				gfp_t gfp)
{
	struct pw_value *v;

	if (len > PW_VALUE_MAX)
		len = PW_VALUE_MAX;
	v = kmalloc(struct_size(v, data, len), gfp);
	if (!v)
		return NULL;
	refcount_set(&v->ref, 1);
	atomic_inc(&pw_nr_values);
	v->len = len;
	v->cut = cut;
	memcpy(v->data, data, len);
	return v;
}

void pw_value_put(struct pw_value *v)
{
	if (v && refcount_dec_and_test(&v->ref)) {
		atomic_dec(&pw_nr_values);
		kfree(v);
	}
}

bool pw_value_equal(const struct pw_value *a, const char *data, size_t len,
		    bool cut)
{
	return a->len == len && a->cut == cut && !memcmp(a->data, data, len);
}

void pw_envscan_init(struct pw_envscan *s)
{
	s->matched = 0;
	s->skipping = false;
	s->in_value = false;
	s->found = false;
	s->done = false;
	s->cut = false;
	s->len = 0;
}

/*
 * The environment area is a sequence of NUL-terminated "NAME=value"
 * strings; the first variable named exactly pw_tag wins, as with getenv().
 */
bool pw_envscan_feed(struct pw_envscan *s, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && !s->done; i++) {
		char c = buf[i];

		if (s->in_value) {
			if (!c) {
				s->done = true;
			} else if (s->len < PW_VALUE_MAX) {
				s->val[s->len++] = c;
			} else {
				s->cut = true;
				s->done = true;
			}
		} else if (s->skipping) {
			if (!c) {
				s->skipping = false;
				s->matched = 0;
			}
		} else if (s->matched < pw_tag_len) {
			if (c == pw_tag[s->matched])
				s->matched++;
			else if (c)
				s->skipping = true;
			else
				s->matched = 0;
		} else if (c == '=') {
			s->in_value = true;
			s->found = true;
		} else if (c) {
			s->skipping = true;
		} else {
			s->matched = 0;
		}
	}
	return s->done;
}

size_t pw_escape(char *dst, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *d = dst;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = src[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\') {
			*d++ = '\\';
			*d++ = 'x';
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		} else {
			*d++ = c;
		}
	}
	return d - dst;
}

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

/* Read the environment area through the page tables, like /proc/PID/environ. */
static void pw_read_env(struct task_struct *owner, struct mm_struct *mm,
			struct pw_envscan *es, char *chunk)
{
	unsigned long addr, end;

	spin_lock(&mm->arg_lock);
	addr = mm->env_start;
	end = mm->env_end;
	spin_unlock(&mm->arg_lock);

	while (addr < end) {
		size_t len = min_t(unsigned long, end - addr, PW_CHUNK);
		int got = access_process_vm(owner, addr, chunk, len, 0);

		if (got <= 0)
			return;	/* unreadable: the tag is not found */
		if (pw_envscan_feed(es, chunk, got))
			return;
		addr += got;
		cond_resched();
	}
	pw_envscan_finish(es);
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
			    const struct pw_envscan *es)
{
	switch (f->kind) {
	case PW_FILTER_ALL:
		return true;
	case PW_FILTER_ALL_TAGGED:
		return es->found;
	case PW_FILTER_VALUE:
		return es->found && !es->cut && es->len == f->len &&
		       !memcmp(es->val, f->value, f->len);
	case PW_FILTER_NONE:
		return false;
	}
	return false;
}

static size_t pw_format_row(char *row, struct task_struct *leader,
			    struct pid *pid, struct mm_struct *mm,
			    const struct pw_envscan *es,
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
	row[n++] = ' ';
	if (!es->found) {
		row[n++] = '-';
	} else {
		row[n++] = es->cut ? '~' : '=';
		n += pw_escape(row + n, es->val, es->len);
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
	bool track = pw_tracking_active();
	size_t nr, i, hlen;
	u64 now;
	int ret = -ENOMEM;

	now = ktime_get_boottime_ns();
	pids = pw_collect(pid_ns, &nr);
	if (!pids)
		return -ENOMEM;
	es = kmalloc(sizeof(*es), GFP_KERNEL);
	chunk = kmalloc(PW_CHUNK, GFP_KERNEL);
	row = kmalloc(PW_ROW_MAX, GFP_KERNEL);
	ob.size = PW_HDR_RESERVE + min_t(size_t, 64 * 1024, pw_max_bytes);
	ob.buf = kvmalloc(ob.size, GFP_KERNEL);
	if (!es || !chunk || !row || !ob.buf)
		goto out_put;
	ob.len = PW_HDR_RESERVE;

	for (i = 0; i < nr; i++) {
		struct task_struct *leader, *owner = NULL;
		struct mm_struct *mm;

		leader = get_pid_task(pids[i], PIDTYPE_PID);
		if (!leader)
			continue;	/* exited since the walk */
		pw_envscan_init(es);
		mm = pw_group_mm(leader, &owner);
		if (mm)
			pw_read_env(owner, mm, es, chunk);

		if (track && es->found) {
			struct pw_value *v;

			v = pw_value_alloc(es->val, es->len, es->cut, GFP_KERNEL);
			if (v) {
				pw_track_seen(leader, v);
				pw_value_put(v);
			}
		}

		if (!truncated && pw_filter_match(f, es)) {
			if (rows >= pw_max_tasks) {
				truncated = true;
			} else {
				size_t n = pw_format_row(row, leader, pids[i], mm,
							 es, pid_ns, user_ns);

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
		if (mm) {
			mmput(mm);
			put_task_struct(owner);
		}
		put_task_struct(leader);
		if (ret)
			goto out_put;
		/* with tracking on, every group must be seen: keep going */
		if (truncated && !track)
			break;
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
