/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidwatcher.h - shared declarations of the pidwatcher module.
 *
 * The device protocol these files implement is documented in README.md
 * ("protocol version 2"); keep both in step.
 *
 * The files depend on each other in one direction only:
 *
 *   pw_main.c -> pw_scan.c -> pw_lineage.c -> pw_events.c -> pw_env.c
 *
 * (each may also use everything to its right: pw_env.c, the tag in a
 * process's environment and its value, is used by all.)
 */
#ifndef PIDWATCHER_H
#define PIDWATCHER_H

#include <linux/types.h>
#include <linux/refcount.h>
#include <linux/wait.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/atomic.h>

#define PW_PROTOCOL_VERSION	2
#define PW_VALUE_MAX		4096	/* bytes of a tag value kept/shown */
#define PW_TAG_MAX		128	/* length of the tag= parameter */
#define PW_CMD_MAX		256	/* longest accepted write */

struct pid_namespace;
struct user_namespace;
struct task_struct;
struct mm_struct;

/* module parameters (pw_main.c) */
extern int pw_debug;
extern char pw_tag[PW_TAG_MAX];
extern size_t pw_tag_len;
extern unsigned int pw_max_tasks;
extern unsigned long pw_max_bytes;
extern unsigned int pw_max_events;

#define pw_dbg(fmt, ...)						\
	do {								\
		if (pw_debug)						\
			printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__);	\
	} while (0)

/* --- pw_env.c: the tag in a process's environment ------------------------ */

/* live tag values, for the leak check in the test suite (stats parameter) */
extern atomic_t pw_nr_values;

/* A tag value, shared by reference between members and queued events. */
struct pw_value {
	refcount_t ref;
	u32 len;		/* bytes in data[], <= PW_VALUE_MAX */
	bool cut;		/* the value was longer than PW_VALUE_MAX */
	char data[];
};

struct pw_value *pw_value_alloc(const char *data, size_t len, bool cut,
				gfp_t gfp);
static inline struct pw_value *pw_value_get(struct pw_value *v)
{
	refcount_inc(&v->ref);
	return v;
}
void pw_value_put(struct pw_value *v);
bool pw_value_equal(const struct pw_value *a, const char *data, size_t len,
		    bool cut);

/* Environment scanner: a byte-stream state machine fed in chunks. */
struct pw_envscan {
	size_t matched;		/* bytes of "TAG=" matched at this variable */
	bool skipping;		/* inside a non-matching variable */
	bool in_value;		/* collecting the value */
	bool found;		/* TAG= seen */
	bool done;		/* value complete (NUL seen, or cut) */
	bool cut;		/* value longer than PW_VALUE_MAX */
	size_t len;		/* bytes in val */
	char val[PW_VALUE_MAX];
};

void pw_envscan_init(struct pw_envscan *s);

/*
 * The one reader of a process's environment area (env_start..env_end):
 * through the page tables, may sleep.  @owner is a thread using @mm;
 * @chunk is scratch space of PW_ENV_CHUNK bytes.
 */
#define PW_ENV_CHUNK		(4 * PAGE_SIZE)
void pw_env_read(struct task_struct *owner, struct mm_struct *mm,
		 struct pw_envscan *es, char *chunk);
/*
 * The same, for current's own area right after exec, in atomic context
 * (copy_from_user_nofault).  Returns false when that cannot be done
 * without faulting or the area is too large: use pw_env_read() later.
 */
bool pw_env_read_nofault(struct mm_struct *mm, struct pw_envscan *es);

/* Escaping of comm and value: returns bytes written (dst >= 4 * n). */
size_t pw_escape(char *dst, const char *src, size_t n);
size_t pw_escaped_len(const char *s, size_t n);

/* --- pw_events.c: per-fd queues of exit records --------------------------- */

struct pw_event {
	u64 start_ns;
	u64 exit_ns;
	pid_t pid;
	int exit_code;
	struct pw_value *val;
};

struct pw_listener {
	struct list_head node;		/* on pw_listeners, under pw_events_lock */
	struct pid_namespace *pid_ns;	/* reader's pid namespace (ref held) */
	wait_queue_head_t wq;		/* woken when a record is queued */
	/* ring, head, count and lost are protected by pw_events_lock */
	struct pw_event *ring;
	unsigned int size;		/* ring capacity, max_events at start */
	unsigned int head;
	unsigned int count;
	unsigned long lost;
};

int pw_listener_start(struct pw_listener *l, struct pid_namespace *pid_ns);
void pw_listener_stop(struct pw_listener *l);
bool pw_listener_pending(struct pw_listener *l);
ssize_t pw_listener_read(struct pw_listener *l, char *kbuf, size_t size);
/* A member's last thread exited: queue a record for every listener. */
void pw_events_member_exit(struct task_struct *p, u64 start_ns,
			   struct pw_value *val);

/* --- pw_lineage.c: who is a member, and how that is known ----------------- */

enum pw_membership {
	PW_MEMBER_NONE,		/* not a member */
	PW_MEMBER_ENV,		/* its environment carries the tag */
	PW_MEMBER_FORK,		/* forked by a member: inherited its value */
};

/* live members, for the leak check in the test suite (stats parameter) */
unsigned int pw_nr_members(void);
int pw_lineage_init(void);
void pw_lineage_exit(void);
/*
 * What the lineage table knows of @leader's group: the membership, and
 * with it a referenced value in *@val (put it).  PW_MEMBER_NONE: nothing.
 */
enum pw_membership pw_member_lookup(struct task_struct *leader,
				    struct pw_value **val);
/*
 * A scan found the tag in @leader's environment: a group the table does
 * not know becomes a member by environment; a member by environment takes
 * the value now shown; a member by fork keeps its inherited value.
 */
void pw_member_seen(struct task_struct *leader, const struct pw_envscan *es);

/* --- pw_scan.c: snapshots ------------------------------------------------- */

/* Per-open filter */
enum pw_filter_kind {
	PW_FILTER_ALL_TAGGED,
	PW_FILTER_ALL,
	PW_FILTER_VALUE,
	PW_FILTER_NONE,		/* internal: scan only to seed the lineage table */
};

struct pw_filter {
	enum pw_filter_kind kind;
	size_t len;
	char value[PW_CMD_MAX];
};

/* One snapshot: the text rows begin at buf + start, end at buf + len. */
struct pw_snapshot {
	char *buf;
	size_t start;
	size_t len;
};

int pw_snapshot_take(struct pw_snapshot *snap, const struct pw_filter *f,
		     struct pid_namespace *pid_ns,
		     struct user_namespace *user_ns);
void pw_snapshot_free(struct pw_snapshot *snap);

#endif /* PIDWATCHER_H */
