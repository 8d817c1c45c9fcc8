// SPDX-License-Identifier: GPL-2.0
/*
 * pspidwatcher - print /dev/pidwatcher (protocol 2) as an aligned table.
 *
 * usage: pspidwatcher [-m MODULE] [-a] [-i SECONDS] [-d DEVICE]
 *   -m MODULE   only processes whose tag value is MODULE
 *   -a          every process, tagged or not
 *   -i SECONDS  %CPU over this interval, from two reads (default 1;
 *               0: one read, %CPU averaged over each process's lifetime)
 * Fields are printed escaped, as the device sends them, so a hostile comm
 * or value cannot move the cursor.  BY says how membership is known: env
 * (the environment carries the tag) or fork (inherited from a member).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct row {
	int pid, ppid, tgid, threads;
	char state;
	unsigned int uid;
	unsigned long long start, cpu, rss;
	char comm[80];
	char how[8];
	char *value;
	double pcpu;
};

struct table {
	unsigned long long boottime;
	int truncated;
	int n;
	struct row *rows;
};

static char *read_snapshot(const char *dev, const char *cmd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = open(dev, O_RDWR);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "pspidwatcher: %s: %s\n", dev, strerror(errno));
		exit(1);
	}
	if (cmd && write(fd, cmd, strlen(cmd)) < 0) {
		fprintf(stderr, "pspidwatcher: filter '%s': %s\n", cmd, strerror(errno));
		exit(1);
	}
	for (;;) {
		if (cap - len < 65536)
			buf = realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			perror("pspidwatcher: read");
			exit(1);
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

static void parse(char *buf, struct table *t)
{
	char *save = NULL, *line = strtok_r(buf, "\n", &save);
	int cap = 256, tasks;

	memset(t, 0, sizeof(*t));
	if (!line || sscanf(line, "pidwatcher 2 boottime_ns=%llu tasks=%d truncated=%d",
			    &t->boottime, &tasks, &t->truncated) != 3) {
		fprintf(stderr, "pspidwatcher: unsupported protocol: %.80s\n", line ? line : "");
		exit(1);
	}
	t->rows = malloc(cap * sizeof(*t->rows));
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct row *r;
		int off = 0;

		if (t->n == cap)
			t->rows = realloc(t->rows, (cap *= 2) * sizeof(*t->rows));
		r = &t->rows[t->n];
		if (sscanf(line, "%d %d %d %d %c %u %llu %llu %llu %79s %7s %n",
			   &r->pid, &r->ppid, &r->tgid, &r->threads, &r->state, &r->uid,
			   &r->start, &r->cpu, &r->rss, r->comm, r->how, &off) < 11 || !off)
			continue;
		r->value = line + off;
		r->pcpu = -1;
		t->n++;
	}
}

static const struct row *find(const struct table *t, int pid,
			      unsigned long long start)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].pid == pid && t->rows[i].start == start)
			return &t->rows[i];
	return NULL;
}

static void fmt_value(const char *v, char *out, size_t size)
{
	if (v[0] == '-')
		snprintf(out, size, "-");
	else if (v[0] == '~')
		snprintf(out, size, "%s...", v + 1);
	else
		snprintf(out, size, "%s", v + 1);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/pidwatcher";
	char cmd[300] = "all-tagged";
	double interval = 1;
	struct table a, b;
	int c, i, w[12] = { 0 };
	char cells[12][96];

	while ((c = getopt(argc, argv, "m:ai:d:h")) != -1) {
		switch (c) {
		case 'm':
			snprintf(cmd, sizeof(cmd), "value %s", optarg);
			break;
		case 'a':
			snprintf(cmd, sizeof(cmd), "all");
			break;
		case 'i':
			interval = atof(optarg);
			break;
		case 'd':
			dev = optarg;
			break;
		default:
			fprintf(stderr, "usage: pspidwatcher [-m MODULE] [-a] [-i SECONDS] [-d DEVICE]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	parse(read_snapshot(dev, cmd), &a);
	if (interval > 0) {
		struct timespec ts = { (time_t)interval,
				       (long)((interval - (time_t)interval) * 1e9) };

		nanosleep(&ts, NULL);
		parse(read_snapshot(dev, cmd), &b);
		for (i = 0; i < b.n; i++) {
			const struct row *old = find(&a, b.rows[i].pid, b.rows[i].start);
			unsigned long long dt = b.boottime - (old ? a.boottime : b.rows[i].start);
			unsigned long long dc = b.rows[i].cpu - (old ? old->cpu : 0);

			b.rows[i].pcpu = dt ? 100.0 * dc / dt : 0;
		}
	} else {
		b = a;
		for (i = 0; i < b.n; i++) {
			unsigned long long dt = b.boottime - b.rows[i].start;

			b.rows[i].pcpu = dt ? 100.0 * b.rows[i].cpu / dt : 0;
		}
	}

	static const char *hdr[12] = { "PID", "PPID", "THR", "S", "UID", "%CPU",
				       "TIME", "RSS(KiB)", "START(s)", "COMMAND", "BY", "MODULE" };
	for (c = 0; c < 12; c++)
		w[c] = strlen(hdr[c]);
	/* two passes: measure, then print */
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			for (c = 0; c < 12; c++)
				printf(c < 9 ? "%*s " : (c == 11 ? "%-*s" : "%-*s "),
				       c == 11 ? 0 : w[c], hdr[c]);
			printf("\n");
		}
		for (i = 0; i < b.n; i++) {
			const struct row *r = &b.rows[i];
			unsigned long long s = r->cpu / 1000000000ULL;

			snprintf(cells[0], 96, "%d", r->pid);
			snprintf(cells[1], 96, "%d", r->ppid);
			snprintf(cells[2], 96, "%d", r->threads);
			snprintf(cells[3], 96, "%c", r->state);
			snprintf(cells[4], 96, "%u", r->uid);
			snprintf(cells[5], 96, "%.1f", r->pcpu);
			snprintf(cells[6], 96, "%llu:%02llu.%02llu", s / 60, s % 60,
				 (r->cpu / 10000000ULL) % 100);
			snprintf(cells[7], 96, "%llu", r->rss / 1024);
			snprintf(cells[8], 96, "%.2f", r->start / 1e9);
			snprintf(cells[9], 96, "%s", r->comm);
			snprintf(cells[10], 96, "%s", r->how);
			fmt_value(r->value, cells[11], 96);
			for (c = 0; c < 12; c++) {
				if (!pass) {
					if ((int)strlen(cells[c]) > w[c])
						w[c] = strlen(cells[c]);
				} else {
					printf(c < 9 ? "%*s " : (c == 11 ? "%-*s" : "%-*s "),
					       c == 11 ? 0 : w[c], cells[c]);
				}
			}
			if (pass)
				printf("\n");
		}
	}
	if (b.truncated)
		fprintf(stderr, "pspidwatcher: the device truncated its output (max_tasks)\n");
	return 0;
}
