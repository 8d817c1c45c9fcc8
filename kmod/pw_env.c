// SPDX-License-Identifier: GPL-2.0
/*
 * pw_env.c - the tag in a process's environment: the scanner that finds
 * it, the one reader of the environment area that feeds the scanner, the
 * refcounted value it yields, and how values are escaped for the device.
 *
 * Only the tag's value leaves this file: no other environment byte is
 * stored (buffers that saw them are freed with kfree_sensitive by callers).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include "pidwatcher.h"

#define PW_NOFAULT_MAX		(2UL << 20)	/* env bytes read in atomic context */
#define PW_NOFAULT_CHUNK	256

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
 * Returns true once the scan is complete (no more input needed).
 */
static bool pw_envscan_feed(struct pw_envscan *s, const char *buf, size_t n)
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

/* At the end of the area: a last value without its NUL ends there. */
static void pw_envscan_finish(struct pw_envscan *s)
{
	if (s->in_value)
		s->done = true;
}

static void pw_env_bounds(struct mm_struct *mm, unsigned long *start,
			  unsigned long *end)
{
	spin_lock(&mm->arg_lock);
	*start = mm->env_start;
	*end = mm->env_end;
	spin_unlock(&mm->arg_lock);
}

/* Through the page tables, like /proc/PID/environ. */
void pw_env_read(struct task_struct *owner, struct mm_struct *mm,
		 struct pw_envscan *es, char *chunk)
{
	unsigned long addr, end;

	pw_envscan_init(es);
	pw_env_bounds(mm, &addr, &end);
	while (addr < end) {
		size_t len = min_t(unsigned long, end - addr, PW_ENV_CHUNK);
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

/*
 * In the exec probe: @mm is current's, just built by exec, so its
 * environment pages are normally present.  No lock: only this thread can
 * change env_start/env_end (prctl) and it is busy here.
 */
bool pw_env_read_nofault(struct mm_struct *mm, struct pw_envscan *es)
{
	unsigned long addr = mm->env_start, end = mm->env_end;
	char buf[PW_NOFAULT_CHUNK];

	pw_envscan_init(es);
	if (end - addr > PW_NOFAULT_MAX)
		return false;
	while (addr < end) {
		size_t len = min_t(unsigned long, end - addr, sizeof(buf));

		if (copy_from_user_nofault(buf, (const void __user *)addr, len))
			return false;
		if (pw_envscan_feed(es, buf, len))
			return true;
		addr += len;
	}
	pw_envscan_finish(es);
	return true;
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

size_t pw_escaped_len(const char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		len += (c <= 0x20 || c >= 0x7f || c == '\\') ? 4 : 1;
	}
	return len;
}
