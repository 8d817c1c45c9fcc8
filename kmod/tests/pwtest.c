// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest - helper programs for the pidwatcher guest suite (tests/suite.sh)
 * and benchmark.  One binary, one subcommand per job; exits 0 on success and
 * prints "# ..." diagnostics otherwise.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEV "/dev/pidwatcher"
#define TAG "PIDWATCHER_MODULE"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Read an fd to EOF into a malloc'ed buffer. */
static char *read_fd(int fd, size_t *lenp, size_t chunk)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	for (;;) {
		if (len + chunk + 1 > cap) {
			cap = (len + chunk + 1) * 2;
			buf = realloc(buf, cap);
		}
		n = read(fd, buf + len, chunk);
		if (n < 0)
			die("read: %s", strerror(errno));
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	*lenp = len;
	return buf;
}

static char *read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY);
	char *b;

	if (fd < 0)
		return NULL;
	b = read_fd(fd, lenp, 65536);
	close(fd);
	return b;
}

struct row {
	int pid, ppid, tgid, threads;
	char state;
	unsigned int uid;
	unsigned long long start, cpu, rss;
	char comm[80];
	char how[8];	/* "env", "fork" or "-" */
	char *value;	/* "-", "=..." or "~..." (escaped) */
};

struct snap {
	unsigned long long boottime;
	int tasks, truncated;
	char filter[1100];
	int n;
	struct row *rows;
};

static void parse_snap(char *buf, struct snap *s)
{
	char *line, *save = NULL;
	int cap = 1024;

	memset(s, 0, sizeof(*s));
	s->rows = malloc(cap * sizeof(*s->rows));
	line = strtok_r(buf, "\n", &save);
	if (!line || sscanf(line, "pidwatcher 2 boottime_ns=%llu tasks=%d truncated=%d filter=%1099s",
			    &s->boottime, &s->tasks, &s->truncated, s->filter) != 4)
		die("bad header: %.200s", line ? line : "(none)");
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct row *r;
		char val[20000];
		int nf;

		if (s->n == cap) {
			cap *= 2;
			s->rows = realloc(s->rows, cap * sizeof(*s->rows));
		}
		r = &s->rows[s->n];
		nf = sscanf(line, "%d %d %d %d %c %u %llu %llu %llu %79s %7s %19999s",
			    &r->pid, &r->ppid, &r->tgid, &r->threads, &r->state,
			    &r->uid, &r->start, &r->cpu, &r->rss, r->comm, r->how, val);
		if (nf != 12)
			die("bad row (%d fields): %.200s", nf, line);
		if (strcmp(r->how, "env") && strcmp(r->how, "fork") && strcmp(r->how, "-"))
			die("bad membership '%s': %.200s", r->how, line);
		if ((r->how[0] == '-') != (val[0] == '-'))
			die("membership and value disagree: %.200s", line);
		if (strchr(line, '\t'))
			die("tab in row");
		r->value = strdup(val);
		s->n++;
	}
	if (s->n != s->tasks)
		die("header says tasks=%d, %d rows", s->tasks, s->n);
}

static int dev_open(void)
{
	int fd = open(DEV, O_RDWR);

	if (fd < 0)
		die("open %s: %s", DEV, strerror(errno));
	return fd;
}

static void dev_cmd(int fd, const char *cmd)
{
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		die("write '%s': %s", cmd, strerror(errno));
}

/* Snapshot through a fresh fd with the given filter command (or NULL). */
static char *dev_snapshot(const char *cmd, size_t *len)
{
	int fd = dev_open();
	char *b;

	if (cmd)
		dev_cmd(fd, cmd);
	b = read_fd(fd, len, 1 << 20);
	close(fd);
	return b;
}

static void escape(const char *src, size_t n, char *dst)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = src[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			dst += sprintf(dst, "\\x%02x", c);
		else
			*dst++ = c;
	}
	*dst = 0;
}

static void *sleeper_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* threads N: a process with N extra threads, sleeping */
static int cmd_threads(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[2]) : 3;
	pthread_t t;

	for (i = 0; i < n; i++)
		pthread_create(&t, NULL, sleeper_thread, NULL);
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int cmd_spin(void)
{
	volatile unsigned long x = 0;

	for (;;)
		x++;
	return 0;
}

/* spawn N: fork N children that sleep; print "ready"; wait for SIGTERM */
static void on_term(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
	_exit(0);
}

static int cmd_spawn(int argc, char **argv)
{
	int i, n = atoi(argv[2]);

	setpgid(0, 0);
	signal(SIGTERM, on_term);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork %d: %s", i, strerror(errno));
		if (p == 0) {
			signal(SIGTERM, SIG_DFL);
			for (;;)
				pause();
		}
	}
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}

struct procinfo {
	int pid, ppid, threads;
	unsigned int uid;
	unsigned long long start;
	char comm[80];
	char value[20000];
	bool ok;
};

/* The /proc view of one process, in protocol-1 terms. */
static bool proc_info(int pid, struct procinfo *pi, bool want_env)
{
	char path[64], *b, *p, *q;
	size_t len;
	int i;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	b = read_file(path, &len);
	if (!b)
		return false;
	p = strchr(b, '(');
	q = strrchr(b, ')');
	if (!p || !q) {
		free(b);
		return false;
	}
	escape(p + 1, q - p - 1, pi->comm);
	p = q + 2;	/* state */
	/* fields after comm: 3 state, 4 ppid, ... 20 num_threads, 22 starttime */
	for (i = 3; i <= 22 && p; i++) {
		if (i == 4)
			pi->ppid = atoi(p);
		if (i == 20)
			pi->threads = atoi(p);
		if (i == 22)
			pi->start = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	free(b);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	b = read_file(path, &len);
	if (!b)
		return false;
	p = strstr(b, "\nUid:");
	if (p)
		pi->uid = strtoul(p + 5, NULL, 10);
	free(b);
	strcpy(pi->value, "-");
	if (want_env) {
		snprintf(path, sizeof(path), "/proc/%d/environ", pid);
		b = read_file(path, &len);
		if (b) {
			size_t off = 0, tl = strlen(TAG);

			while (off < len) {
				size_t l = strnlen(b + off, len - off);

				if (l > tl && !memcmp(b + off, TAG "=", tl + 1)) {
					size_t vl = l - tl - 1;
					bool cut = vl > 4096;

					pi->value[0] = cut ? '~' : '=';
					escape(b + off + tl + 1, cut ? 4096 : vl, pi->value + 1);
					break;
				}
				off += l + 1;
			}
			free(b);
		}
	}
	pi->ok = true;
	return true;
}

static int list_pids(int *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) && n < max)
		if (isdigit(de->d_name[0]))
			pids[n++] = atoi(de->d_name);
	closedir(d);
	return n;
}

static bool has(const int *a, int n, int v)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

/*
 * cmpproc [VALUE COUNT]: the `all` snapshot against /proc, task for task.
 * Tasks present in /proc before and after the snapshot must be listed with
 * the same ppid, threads, uid, start time (in ticks), comm and tag value;
 * listed tasks must exist in /proc before or after.
 */
static int cmd_cmpproc(int argc, char **argv)
{
	static int a[200000], b[200000];
	int na, nb, i, j, bad = 0, tagged = 0, compared = 0;
	long tck = sysconf(_SC_CLK_TCK);
	char *buf, want[4200] = "";
	struct snap s;
	size_t len;

	if (argc > 3)
		snprintf(want, sizeof(want), "=%s", argv[2]);
	na = list_pids(a, 200000);
	buf = dev_snapshot("all", &len);
	nb = list_pids(b, 200000);
	parse_snap(buf, &s);
	if (s.truncated)
		die("truncated");
	for (i = 0; i < s.n; i++) {
		struct row *r = &s.rows[i];

		if (!has(a, na, r->pid) && !has(b, nb, r->pid)) {
			printf("# listed pid %d not in /proc\n", r->pid);
			bad++;
		}
		if (r->pid != r->tgid)
			bad++;
		if (want[0] && !strcmp(r->value, want))
			tagged++;
	}
	for (i = 0; i < na; i++) {
		struct procinfo pi;
		struct row *r = NULL;

		if (!has(b, nb, a[i]))
			continue;
		for (j = 0; j < s.n; j++)
			if (s.rows[j].pid == a[i])
				r = &s.rows[j];
		if (!proc_info(a[i], &pi, true))
			continue;	/* gone meanwhile */
		if (!r) {
			printf("# pid %d (%s) in /proc, not listed\n", a[i], pi.comm);
			bad++;
			continue;
		}
		compared++;
		/* /proc shows kernel threads' full names; the device the comm */
		if ((pi.ppid == 2 || pi.pid == 2) && !strncmp(r->comm, pi.comm, strlen(r->comm)))
			strcpy(pi.comm, r->comm);
		if (r->ppid != pi.ppid || r->threads != pi.threads ||
		    r->uid != pi.uid || r->start / (1000000000ULL / tck) != pi.start ||
		    strcmp(r->comm, pi.comm) || strcmp(r->value, pi.value)) {
			printf("# pid %d differs: dev ppid=%d thr=%d uid=%u start=%llu comm=%s val=%.40s"
			       " / proc ppid=%d thr=%d uid=%u start=%llu comm=%s val=%.40s\n",
			       r->pid, r->ppid, r->threads, r->uid,
			       r->start / (1000000000ULL / tck), r->comm, r->value,
			       pi.ppid, pi.threads, pi.uid, pi.start, pi.comm, pi.value);
			bad++;
		}
	}
	printf("# %d rows, %d compared with /proc, %d mismatches, %d tagged %s\n",
	       s.n, compared, bad, tagged, want);
	if (argc > 3 && tagged != atoi(argv[3])) {
		printf("# expected %s tagged rows\n", argv[3]);
		bad++;
	}
	return bad ? 1 : 0;
}

/* reads: byte-at-a-time and odd-sized reads give the same bytes as one read */
static int cmd_reads(void)
{
	static const size_t sizes[] = { 1, 3, 7, 13, 100, 4093, 4096, 65537 };
	int fd = dev_open();
	size_t big_len, len, i;
	char *big, *b;

	dev_cmd(fd, "all");
	big = read_fd(fd, &big_len, 1 << 22);
	if (big_len < 200)
		die("snapshot too small: %zu", big_len);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (lseek(fd, 0, SEEK_SET) != 0)
			die("lseek: %s", strerror(errno));
		b = read_fd(fd, &len, sizes[i]);
		if (len != big_len || memcmp(b, big, len))
			die("read size %zu: %zu bytes, differ from %zu", sizes[i], len, big_len);
		free(b);
	}
	/* pread at an offset */
	{
		char pb[50];

		if (pread(fd, pb, sizeof(pb), 17) != sizeof(pb) || memcmp(pb, big + 17, sizeof(pb)))
			die("pread mismatch");
	}
	/* rescan: new snapshot, position reset to 0 */
	dev_cmd(fd, "rescan");
	b = read_fd(fd, &len, 4096);
	if (strncmp(b, "pidwatcher 2 ", 13) || !strstr(b, "filter=all\n"))
		die("rescan output: %.100s", b);
	printf("# %zu bytes, %zu buffer sizes identical\n", big_len, sizeof(sizes) / sizeof(sizes[0]));
	return 0;
}

static void expect_einval(int fd, const void *buf, size_t n, const char *what)
{
	errno = 0;
	if (write(fd, buf, n) != -1 || errno != EINVAL)
		die("write %s: expected EINVAL, got %s", what, strerror(errno));
}

/* writes: garbage, binary and over-long writes are refused, filter kept */
static int cmd_writes(void)
{
	int fd = dev_open();
	char longv[300], bin[64], *b;
	size_t len, i;

	dev_cmd(fd, "value web\n");
	expect_einval(fd, "garbage", 7, "garbage");
	expect_einval(fd, "ALL", 3, "ALL");
	expect_einval(fd, "all\n\n", 5, "all+2nl");
	expect_einval(fd, "all\0", 4, "all+NUL");
	expect_einval(fd, "value", 5, "value without space");
	expect_einval(fd, "", 0, "empty");
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 37 + 1);
	bin[5] = 0;
	expect_einval(fd, bin, sizeof(bin), "binary");
	memset(longv, 'a', sizeof(longv));
	memcpy(longv, "value ", 6);
	expect_einval(fd, longv, sizeof(longv), "300 bytes");
	expect_einval(fd, longv, 257, "257 bytes");
	b = malloc(1 << 20);
	memset(b, 'x', 1 << 20);
	expect_einval(fd, b, 1 << 20, "1 MiB");
	free(b);
	dev_cmd(fd, "rescan");
	b = read_fd(fd, &len, 4096);
	if (!strstr(b, " filter=value:web\n"))
		die("filter changed: %.120s", b);
	free(b);
	/* a value with a NUL inside is refused too */
	expect_einval(fd, "value a\0b", 9, "value with NUL");
	/* exactly 256 bytes is accepted */
	longv[255] = '\n';
	if (write(fd, longv, 256) != 256)
		die("256-byte value refused: %s", strerror(errno));
	dev_cmd(fd, "value w\\x eb");
	b = read_fd(fd, &len, 4096);
	if (!strstr(b, " filter=value:w\\x5cx\\x20eb\n"))
		die("escaped filter: %.160s", b);
	printf("# all refused writes returned EINVAL\n");
	return 0;
}

/* readers N ITER: N processes snapshotting concurrently while tasks churn */
static int cmd_readers(int argc, char **argv)
{
	int n = atoi(argv[2]), iter = atoi(argv[3]), i, st, bad = 0;
	pid_t churn;

	churn = fork();
	if (churn == 0) {
		for (;;) {
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			waitpid(p, NULL, 0);
		}
	}
	for (i = 0; i < n; i++) {
		if (fork() == 0) {
			int k, fd = dev_open();

			for (k = 0; k < iter; k++) {
				struct snap s;
				size_t len;
				char *b;

				dev_cmd(fd, k % 2 ? "all" : "rescan");
				b = read_fd(fd, &len, 1000 + k);
				parse_snap(b, &s);
				free(b);
				free(s.rows);
				if (k % 5 == 0) {
					close(fd);
					fd = dev_open();
				}
			}
			_exit(0);
		}
	}
	for (i = 0; i < n; i++) {
		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	kill(churn, SIGKILL);
	waitpid(churn, NULL, 0);
	printf("# %d readers x %d snapshots, %d failed\n", n, iter, bad);
	return bad != 0;
}

/* Wait until a child has exec'd: its comm changes. */
static void wait_comm(pid_t pid, const char *comm)
{
	char path[64], buf[64];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	for (i = 0; i < 5000; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fgets(buf, sizeof(buf), f) && !strncmp(buf, comm, strlen(comm))) {
				fclose(f);
				return;
			}
			fclose(f);
		}
		usleep(2000);
	}
	die("pid %d never became %s", pid, comm);
}

static pid_t spawn_env(char *const argv[], char *const envp[])
{
	pid_t p = fork();

	if (p == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	return p;
}

/* Kill @p, wait for the event on @fd; check it, return latency in ms. */
static double kill_and_expect(int fd, pid_t p, int sig, const char *val, int code)
{
	char buf[8192], want[256];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t t0, t1;
	ssize_t n;
	int r, epid, ecode;
	unsigned long long start, at;

	t0 = now_ns();
	if (sig)
		kill(p, sig);
	r = poll(&pfd, 1, 3000);
	t1 = now_ns();
	if (r != 1 || !(pfd.revents & POLLIN))
		die("no POLLIN within 3 s after killing %d", p);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		die("event read: %s", strerror(errno));
	buf[n] = 0;
	snprintf(want, sizeof(want), "%s", val);
	if (sscanf(buf, "exit %d %llu %d %llu", &epid, &start, &ecode, &at) != 4 ||
	    epid != p || ecode != code || !strstr(buf, want) || buf[n - 1] != '\n')
		die("event for %d (code %d, %s): got '%s'", p, code, val, buf);
	waitpid(p, NULL, 0);
	return (t1 - t0) / 1e6;
}

/*
 * events: exit records.  Run without the tag in the environment.
 *  A: untagged parent exec's a child with the tag (exec hook), SIGKILL
 *  B: a tagged child forks a grandchild (fork hook), grandchild killed
 *  C: tagged shell exec's env -u TAG: untagged, no record
 *  D: exit(1) gives 256
 *  E: O_NONBLOCK read on an empty queue: EAGAIN; tiny buffer: EINVAL
 */
static int cmd_events(void)
{
	char *sleep_argv[] = { "/bin/sleep", "100", NULL };
	char *envA[] = { TAG "=evA", NULL };
	char *envB[] = { TAG "=evB", "PATH=/usr/bin:/bin", NULL };
	char *envC[] = { TAG "=evC", "PATH=/usr/bin:/bin", NULL };
	char *shB[] = { "/bin/sh", "-c", "sleep 100 & echo $! > /tmp/pw_gc; wait", NULL };
	char *shC[] = { "/bin/sh", "-c", "exec env -u " TAG " sleep 100", NULL };
	char *shD[] = { "/bin/sh", "-c", "exit 1", NULL };
	int fd = dev_open(), fl, gc = 0, i;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double lat, worst = 0;
	char buf[16];
	pid_t p, sh;

	if (getenv(TAG))
		die("run me without " TAG);
	dev_cmd(fd, "events");
	if (write(fd, "all", 3) != -1 || errno != EINVAL)
		die("filter write in event mode accepted");
	if (lseek(fd, 0, SEEK_SET) != -1)
		die("lseek in event mode accepted");
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (read(fd, buf, sizeof(buf)) != -1 || errno != EAGAIN)
		die("empty non-blocking read: %s", strerror(errno));
	fcntl(fd, F_SETFL, fl);

	for (i = 0; i < 5; i++) {	/* A, a few times for the latency */
		p = spawn_env(sleep_argv, envA);
		wait_comm(p, "sleep");
		lat = kill_and_expect(fd, p, SIGKILL, " =evA\n", 9);
		if (lat > worst)
			worst = lat;
	}
	printf("# A: exec-tagged child, SIGKILL: worst poll latency %.1f ms\n", worst);
	if (worst > 100)
		die("poll latency %.1f ms > 100 ms", worst);

	unlink("/tmp/pw_gc");
	sh = spawn_env(shB, envB);
	for (i = 0; i < 2000 && !gc; i++) {
		FILE *f = fopen("/tmp/pw_gc", "r");

		if (f) {
			if (fscanf(f, "%d", &gc) != 1)
				gc = 0;
			fclose(f);
		}
		usleep(2000);
	}
	if (!gc)
		die("B: no grandchild");
	wait_comm(gc, "sleep");
	/* the grandchild is not our child: poll and read directly */
	kill(gc, SIGTERM);
	if (poll(&pfd, 1, 3000) != 1)
		die("B: no event for grandchild %d", gc);
	{
		char eb[512], shell_line[64];
		ssize_t n = read(fd, eb, sizeof(eb) - 1);
		int epid, ecode;

		eb[n > 0 ? n : 0] = 0;
		if (sscanf(eb, "exit %d %*u %d", &epid, &ecode) != 2 || epid != gc ||
		    ecode != SIGTERM || !strstr(eb, " =evB\n"))
			die("B: got '%s' for grandchild %d", eb, gc);
		/*
		 * the shell's plain `wait` returns 0, so the shell exits with 0.  On a
		 * busy machine it may already have exited, and its record come in the
		 * same read as the grandchild's.
		 */
		snprintf(shell_line, sizeof(shell_line), "\nexit %d ", sh);
		if (strstr(eb, shell_line)) {
			char *rec = strstr(eb, shell_line) + 1;

			if (sscanf(rec, "exit %d %*u %d", &epid, &ecode) != 2 || ecode != 0 ||
			    !strstr(rec, " =evB\n"))
				die("B: got '%s' for the shell %d", rec, sh);
			waitpid(sh, NULL, 0);
		} else {
			kill_and_expect(fd, sh, 0, " =evB\n", 0);
		}
	}
	printf("# B: fork-inherited grandchild and its shell reported\n");

	p = spawn_env(shC, envC);
	wait_comm(p, "sleep");
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	if (poll(&pfd, 1, 300) != 0)
		die("C: record for an exec that dropped the tag");
	printf("# C: exec env -u: no record\n");

	p = spawn_env(shD, envB);
	lat = kill_and_expect(fd, p, 0, " =evB\n", 256);
	printf("# D: exit(1) -> 256\n");

	p = spawn_env(sleep_argv, envA);
	wait_comm(p, "sleep");
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	if (poll(&pfd, 1, 3000) != 1)
		die("E: no event");
	if (read(fd, buf, 5) != -1 || errno != EINVAL)
		die("E: 5-byte read of a longer record did not give EINVAL");
	{
		char eb[512];

		if (read(fd, eb, sizeof(eb)) <= 0)
			die("E: record lost after EINVAL");
	}
	printf("# E: EAGAIN and EINVAL semantics\n");
	return 0;
}

/* evread MS: switch to event mode, print "ready", print records for MS ms */
static int cmd_evread(int argc, char **argv)
{
	int fd = dev_open(), ms = atoi(argv[2]);
	uint64_t end;
	char buf[65536];

	dev_cmd(fd, "events");
	printf("ready\n");
	fflush(stdout);
	end = now_ns() + ms * 1000000ULL;
	while (now_ns() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 50) == 1) {
			n = read(fd, buf, sizeof(buf));
			if (n > 0) {
				fwrite(buf, 1, n, stdout);
				fflush(stdout);
			}
		}
	}
	return 0;
}

/* envtail: overwrite the environment area's final NUL, then sleep */
extern char **environ;
static int cmd_envtail(void)
{
	char **e = environ, *last = NULL;

	while (*e)
		last = *e++;
	if (!last)
		die("empty environment");
	last[strlen(last)] = 'X';
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}

/* bigenv VALUE [N]: exec "sleep" with N x 128 KiB (default 8: ~1 MiB) of environment, tag last */
static int cmd_bigenv(int argc, char **argv)
{
	static char *envp[40];
	static char big[32][131000];
	char tagv[200];
	int i, n = argc > 3 ? atoi(argv[3]) : 8;

	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++) {
		snprintf(big[i], 8, "BIG%d=", i);
		memset(big[i] + 5, 'a' + i, sizeof(big[i]) - 6);
		big[i][sizeof(big[i]) - 1] = 0;
		envp[i] = big[i];
	}
	snprintf(tagv, sizeof(tagv), TAG "=%s", argv[2]);
	envp[n] = tagv;
	envp[n + 1] = NULL;
	{
		char *av[] = { "/bin/sleep", "1000", NULL };

		execve(av[0], av, envp);
	}
	die("execve: %s", strerror(errno));
}

/* procscan: the /proc way to list tagged tasks (benchmark baseline) */
static int cmd_procscan(int argc, char **argv)
{
	static int pids[200000];
	int n = list_pids(pids, 200000), i, found = 0;
	const char *val = argc > 2 ? argv[2] : NULL;
	char want[300];

	if (val)
		snprintf(want, sizeof(want), "=%s", val);
	for (i = 0; i < n; i++) {
		struct procinfo pi;

		if (!proc_info(pids[i], &pi, true))
			continue;
		if (pi.value[0] == '-' || (val && strcmp(pi.value, want)))
			continue;
		/* the CPU time too, as the device reports it */
		{
			char path[64], *b;
			size_t len;

			snprintf(path, sizeof(path), "/proc/%d/stat", pids[i]);
			b = read_file(path, &len);
			free(b);
		}
		found++;
	}
	printf("%d\n", found);
	return 0;
}

/* procbench REPS VALUE: time REPS /proc scans in this process, ms per scan */
static int cmd_procbench(int argc, char **argv)
{
	int reps = atoi(argv[2]), i;
	char *av[] = { argv[0], "procscan", argc > 3 ? argv[3] : NULL, NULL };
	uint64_t t0;
	int saved = dup(1), null = open("/dev/null", O_WRONLY);

	dup2(null, 1);
	t0 = now_ns();
	for (i = 0; i < reps; i++)
		cmd_procscan(argc > 3 ? 3 : 2, av);
	fflush(stdout);
	dup2(saved, 1);
	printf("%.3f\n", (now_ns() - t0) / 1e6 / reps);
	return 0;
}

/* devscan REPS: time REPS device snapshots, printing ms per scan */
static int cmd_devscan(int argc, char **argv)
{
	int reps = atoi(argv[2]), i;
	uint64_t t0 = now_ns();
	size_t len;

	for (i = 0; i < reps; i++)
		free(dev_snapshot(NULL, &len));
	printf("%.3f\n", (now_ns() - t0) / 1e6 / reps);
	return 0;
}

static void *late_exit_thread(void *arg)
{
	(void)arg;
	usleep(300000);
	exit(3);
	return NULL;
}

/* leaderexit: the leader thread exits first, the last thread calls exit(3) */
static int cmd_leaderexit(void)
{
	pthread_t t;

	pthread_create(&t, NULL, late_exit_thread, NULL);
	pthread_exit(NULL);
	return 0;
}

/* name NAME: set comm (may contain spaces) and sleep */
static int cmd_name(int argc, char **argv)
{
	prctl(PR_SET_NAME, argv[2]);
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/*
 * Issue 11: membership kept at fork.
 */

/* This process's environment area, env_start..env_end (/proc/self/stat 50, 51). */
static void env_area(char **start, char **end)
{
	size_t len;
	char *b = read_file("/proc/self/stat", &len), *p;
	unsigned long s = 0, e = 0;
	int i;

	if (!b || !(p = strrchr(b, ')')))
		die("/proc/self/stat");
	p += 2;		/* field 3 */
	for (i = 3; i < 50 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%lu %lu", &s, &e) != 2 || !s || e <= s)
		die("no env_start/env_end in /proc/self/stat");
	free(b);
	*start = (char *)s;
	*end = (char *)e;
}

/* What nginx and setproctitle() do: forget the environment, write a title over its area. */
static void wipe_env(const char *title)
{
	char *start, *end;

	env_area(&start, &end);
	clearenv();
	memset(start, 0, end - start);
	snprintf(start, end - start, "%s", title);
}

static bool environ_has_tag(pid_t pid)
{
	char path[64], *b;
	size_t len, off = 0;
	bool ret = false;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	b = read_file(path, &len);
	if (!b)
		die("cannot read %s", path);
	while (off < len) {
		if (!strncmp(b + off, TAG "=", strlen(TAG) + 1))
			ret = true;
		off += strnlen(b + off, len - off) + 1;
	}
	free(b);
	return ret;
}

/* wipe FILE: wipe this process's own environment area, write "ready PID" to FILE, sleep */
static int cmd_wipe(int argc, char **argv)
{
	FILE *f;

	wipe_env("selftitle");
	if (environ_has_tag(getpid()))
		die("the tag is still in /proc/self/environ");
	f = fopen(argv[2], "w");
	if (!f)
		die("%s: %s", argv[2], strerror(errno));
	fprintf(f, "ready %d\n", getpid());
	fclose(f);
	for (;;)
		pause();
}

/*
 * daemon FILE: daemonize like nginx ("daemon on").  This process forks a
 * child and exits once it has; the child calls setsid(), forks the master
 * and exits; the master waits until it is reparented (its parent gone),
 * wipes its environment area, forks two workers that wipe theirs, then
 * writes "ready MASTER WORKER1 WORKER2" to FILE.  Nothing of it carries
 * the tag in /proc/PID/environ at the end.
 */
static int cmd_daemon(int argc, char **argv)
{
	pid_t child = fork();
	int st;

	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child) {
		waitpid(child, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	setsid();
	child = getpid();	/* the intermediate child: known before the master exists */
	if (fork()) {
		_exit(0);
	} else {
		pid_t w[2], me = getpid();
		uint64_t t0 = now_ns();
		FILE *f;
		int i;

		while (getppid() == child) {	/* until the intermediate child is gone */
			if (now_ns() - t0 > 10000000000ULL)
				_exit(2);
			usleep(2000);
		}
		wipe_env("master process");
		for (i = 0; i < 2; i++) {
			w[i] = fork();
			if (w[i] == 0) {
				wipe_env("worker process");
				for (;;)
					pause();
			}
		}
		f = fopen(argv[2], "w");
		if (!f)
			_exit(3);
		fprintf(f, "ready %d %d %d\n", me, w[0], w[1]);
		fclose(f);
		for (;;)
			pause();
	}
}

/*
 * reuse PID: fork (through /proc/sys/kernel/ns_last_pid) until a child gets
 * PID, which must be free, and have it exec "sleep 1000" with an empty
 * environment.  Prints "reused PID".  Run from a non-member.
 */
static int cmd_reuse(int argc, char **argv)
{
	pid_t want = atoi(argv[2]), p;
	int tries;

	if (getenv(TAG))
		die("run me without " TAG);
	for (tries = 0; tries < 200; tries++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

		if (!f)
			die("ns_last_pid: %s", strerror(errno));
		fprintf(f, "%d", want - 1);
		fclose(f);
		p = fork();
		if (p == 0) {
			char *av[] = { "/bin/sleep", "1000", NULL }, *ev[] = { NULL };

			if (getpid() != want)
				_exit(0);
			execve(av[0], av, ev);
			_exit(127);
		}
		if (p == want) {
			wait_comm(p, "sleep");
			printf("reused %d after %d tries\n", p, tries + 1);
			return 0;
		}
		waitpid(p, NULL, 0);
	}
	die("pid %d never came back", want);
}

/* The row of @pid in @s, or NULL. */
static struct row *find_row(struct snap *s, pid_t pid)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->rows[i].pid == pid)
			return &s->rows[i];
	return NULL;
}

/*
 * Fork @n children that exec "sleep 1000" with an empty environment, and
 * check that a "value VALUE" snapshot lists every one as a member by fork.
 * Run by a member with that value.  Returns the number of children missing
 * or wrong (0: all right); kills and reaps them.
 */
static int fork_and_check(const char *value, int n, bool quiet)
{
	char *av[] = { "/bin/sleep", "1000", NULL }, *ev[] = { NULL };
	char cmd[300], want[300];
	pid_t *kids = calloc(n, sizeof(*kids));
	int i, bad = 0;
	struct snap s;
	size_t len;
	char *b;

	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			execve(av[0], av, ev);
			_exit(127);
		}
		if (kids[i] < 0)
			die("fork: %s", strerror(errno));
	}
	for (i = 0; i < n; i++)
		wait_comm(kids[i], "sleep");
	snprintf(cmd, sizeof(cmd), "value %s", value);
	snprintf(want, sizeof(want), "=%s", value);
	b = dev_snapshot(cmd, &len);
	parse_snap(b, &s);
	for (i = 0; i < n; i++) {
		struct row *r = find_row(&s, kids[i]);

		if (!r || strcmp(r->how, "fork") || strcmp(r->value, want)) {
			if (!quiet || bad < 3)
				printf("# child %d of member %d: %s\n", kids[i], getpid(),
				       r ? "listed, but not as fork" : "not listed");
			bad++;
		}
	}
	free(b);
	free(s.rows);
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return bad;
}

/* forkcheck VALUE [N]: run as a member; its N (1) env -i children are listed as fork */
static int cmd_forkcheck(int argc, char **argv)
{
	const char *v = getenv(TAG);

	if (!v || strcmp(v, argv[2]))
		die("run me with " TAG "=%s", argv[2]);
	return fork_and_check(argv[2], argc > 3 ? atoi(argv[3]) : 1, false) ? 1 : 0;
}

/*
 * Issue 7: stress and fuzz helpers.
 */
#include <sys/mman.h>

static uint64_t rng_state;
static uint64_t rnd(void)	/* xorshift64*: seeded, reproducible */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static void rnd_seed(uint64_t s) { rng_state = s ? s : 88172645463325252ULL; }

/* churn [USEC]: fork+exit at a high rate (a pause of USEC between forks), with execs (tagged, untagged), until killed */
static int cmd_churn(int argc, char **argv)
{
	useconds_t pause_us = argc > 2 ? atoi(argv[2]) : 0;
	char *tagged[] = { TAG "=stressx", NULL }, *untagged[] = { "A=1", NULL };
	char *tv[] = { "/bin/true", NULL };
	unsigned long k;

	for (k = 0;; k++) {
		pid_t p = fork();

		if (p == 0) {
			switch (k % 4) {
			case 0:
				_exit(0);
			case 1:
				execve(tv[0], tv, tagged);
				_exit(127);
			case 2:
				execve(tv[0], tv, untagged);
				_exit(127);
			default:
				if (fork() == 0)	/* a grandchild, reparented */
					_exit(3);
				_exit(1);
			}
		}
		if (p > 0)
			waitpid(p, NULL, 0);
		else
			usleep(1000);
		if (pause_us)
			usleep(pause_us);
	}
	return 0;
}

struct stress_cnt {
	unsigned long snaps, rows, filt, garbage, evreads, evrecords, evopens, fails;
	unsigned long storms, stormkids;
};

static void stress_reader(struct stress_cnt *c, uint64_t end, int id)
{
	static const char *cmds[] = { "rescan", "all", "all-tagged", "value stress",
				      "value stressx\n", "value " };
	int fd = dev_open(), k;

	for (k = 0; now_ns() < end; k++) {
		struct snap s;
		size_t len;
		char *b;

		dev_cmd(fd, cmds[(k + id) % 6]);
		b = read_fd(fd, &len, 1 + (k * 997) % 70000);
		parse_snap(b, &s);
		__atomic_add_fetch(&c->rows, s.n, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->snaps, 1, __ATOMIC_RELAXED);
		free(b);
		free(s.rows);
		if (k % 7 == 0) {
			close(fd);
			fd = dev_open();
		}
	}
	close(fd);
}

static void stress_writer(struct stress_cnt *c, uint64_t end)
{
	static const char *good[] = { "all", "all-tagged\n", "value stress", "rescan", "value " };
	static const char *bad[] = { "ALL", "events\n\n", "rescan ", "valuex", "all\0", "x" };
	int fd = dev_open(), k;
	char buf[300];

	for (k = 0; now_ns() < end; k++) {
		if (k % 3) {
			const char *b = bad[k % 6];
			size_t n = k % 6 == 4 ? 4 : strlen(b);

			if (k % 11 == 0) {	/* random bytes, random lengths, some too long */
				n = k % 300;
				for (size_t i = 0; i < n; i++)
					buf[i] = (char)(k * 31 + i * 7);
				b = buf;
				if (n >= 6 && !memcmp(buf, "value ", 6))
					buf[0] = 'V';
			}
			errno = 0;
			if (write(fd, b, n) != -1 || errno != EINVAL) {
				printf("# garbage write %d (%zu bytes) not EINVAL: %s\n", k, n, strerror(errno));
				__atomic_add_fetch(&c->fails, 1, __ATOMIC_RELAXED);
			}
			__atomic_add_fetch(&c->garbage, 1, __ATOMIC_RELAXED);
		} else {
			dev_cmd(fd, good[k % 5]);
			__atomic_add_fetch(&c->filt, 1, __ATOMIC_RELAXED);
		}
	}
	close(fd);
}

static void stress_events(struct stress_cnt *c, uint64_t end, int id)
{
	char buf[65536];

	while (now_ns() < end) {
		int fd = open(DEV, O_RDWR | (id ? O_NONBLOCK : 0));
		uint64_t until = now_ns() + 700000000ULL * (id + 1);

		if (fd < 0)
			die("open: %s", strerror(errno));
		dev_cmd(fd, "events");
		__atomic_add_fetch(&c->evopens, 1, __ATOMIC_RELAXED);
		while (now_ns() < until && now_ns() < end) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&pfd, 1, 20) != 1)
				continue;
			n = read(fd, buf, id ? 100 + (now_ns() % 4000) : sizeof(buf));
			if (n > 0) {
				for (ssize_t i = 0; i < n; i++)
					if (buf[i] == '\n')
						__atomic_add_fetch(&c->evrecords, 1, __ATOMIC_RELAXED);
				__atomic_add_fetch(&c->evreads, 1, __ATOMIC_RELAXED);
			} else if (!(n < 0 && (errno == EAGAIN || errno == EINVAL))) {
				printf("# event read: %zd %s\n", n, strerror(errno));
				__atomic_add_fetch(&c->fails, 1, __ATOMIC_RELAXED);
			}
		}
		close(fd);
	}
}

/*
 * A fork storm by a member: batches of 10 children exec'ing with an empty
 * environment, each batch checked to be listed as members by fork.
 */
static void stress_storm(struct stress_cnt *c, uint64_t end)
{
	const char *v = getenv(TAG);

	if (!v)
		die("stress: run me with " TAG " set");
	while (now_ns() < end) {
		int bad = fork_and_check(v, 10, true);

		__atomic_add_fetch(&c->storms, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->stormkids, 10, __ATOMIC_RELAXED);
		if (bad) {
			printf("# fork storm: %d of 10 children not listed as fork\n", bad);
			__atomic_add_fetch(&c->fails, 1, __ATOMIC_RELAXED);
		}
	}
}

/* stress SEC: 2 churners (tagged, untagged), 2 snapshot readers, a writer,
 * 2 event readers (blocking+poll, O_NONBLOCK) and a member's fork storm,
 * all at once for SEC seconds.  Run as a member (the tag set). */
static int cmd_stress(int argc, char **argv)
{
	struct stress_cnt *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t end = now_ns() + atoi(argv[2]) * 1000000000ULL;
	pid_t churn[2], w[6];
	int i, st, bad = 0;

	for (i = 0; i < 2; i++) {
		churn[i] = fork();
		if (churn[i] == 0) {
			char *av[] = { "/proc/self/exe", "churn", NULL };
			char *tagged[] = { TAG "=stress", NULL }, *plain[] = { "B=1", NULL };

			execve(av[0], av, i ? plain : tagged);
			_exit(127);
		}
	}
	for (i = 0; i < 6; i++) {
		w[i] = fork();
		if (w[i] == 0) {
			if (i < 2)
				stress_reader(c, end, i);
			else if (i == 2)
				stress_writer(c, end);
			else if (i < 5)
				stress_events(c, end, i - 3);
			else
				stress_storm(c, end);
			_exit(0);
		}
	}
	for (i = 0; i < 6; i++) {
		waitpid(w[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	for (i = 0; i < 2; i++) {
		kill(churn[i], SIGKILL);
		waitpid(churn[i], NULL, 0);
	}
	printf("# stress: %lu snapshots (%lu rows), %lu filter writes, %lu garbage writes, "
	       "%lu event fds, %lu event reads (%lu records), %lu fork-storm batches "
	       "(%lu children checked as fork), %d workers failed, %lu errors\n",
	       c->snaps, c->rows, c->filt, c->garbage, c->evopens, c->evreads, c->evrecords,
	       c->storms, c->stormkids, bad, c->fails);
	return bad || c->fails || !c->snaps || !c->evrecords || !c->storms;
}

/* The documented rules, in user space: 0 valid filter, 1 rescan, 2 events, -1 EINVAL */
static int ref_parse(const char *cmd, size_t len)
{
	if (len == 0 || len > 256)
		return -1;
	if (cmd[len - 1] == '\n')
		len--;
	if (memchr(cmd, 0, len))
		return -1;
	if ((len == 10 && !memcmp(cmd, "all-tagged", 10)) || (len == 3 && !memcmp(cmd, "all", 3)))
		return 0;
	if (len == 6 && !memcmp(cmd, "rescan", 6))
		return 1;
	if (len == 6 && !memcmp(cmd, "events", 6))
		return 2;
	if (len >= 6 && !memcmp(cmd, "value ", 6))
		return 0;
	return -1;
}

/* fuzz SEED N: N random writes to snapshot and event-mode fds */
static int cmd_fuzz(int argc, char **argv)
{
	static const char *words[] = { "all", "all-tagged", "rescan", "events", "value ",
				       "value", "ALL", "Rescan", "all-", "eventsx" };
	static char buf[4097];
	unsigned long n = strtoul(argv[3], NULL, 0), k, acc = 0, rej = 0, ev_w = 0, seeks = 0;
	int fds[4], i, snapfds = 0;

	rnd_seed(strtoull(argv[2], NULL, 0));
	for (i = 0; i < 4; i++)
		fds[i] = dev_open();
	dev_cmd(fds[3], "events");	/* fd 3 in event mode from the start */
	for (k = 0; k < n; k++) {
		int which = rnd() % 4, ev = which == 3 || (which == 2 && snapfds);
		size_t len;
		ssize_t r;
		int want, mode = rnd() % 8;

		if (mode < 3) {		/* random bytes, random length 0..4096 */
			len = rnd() % 4097;
			if (rnd() % 2)
				len = rnd() % 300;
			for (size_t j = 0; j < len; j++)
				buf[j] = (char)rnd();
		} else {		/* a word, random argument, maybe newline(s) */
			const char *w = words[rnd() % 10];
			size_t al = rnd() % 4 == 0 ? rnd() % 400 : rnd() % 12;

			len = strlen(w);
			memcpy(buf, w, len);
			if (rnd() % 3 == 0) {
				for (size_t j = 0; j < al && len < 4096; j++)
					buf[len++] = (char)(rnd() % 5 ? 0x21 + rnd() % 94 : rnd());
			}
			if (rnd() % 3 == 0)
				buf[len++] = '\n';
			if (rnd() % 10 == 0)
				buf[len++] = '\n';
		}
		want = ref_parse(buf, len);
		/* keep event-mode switches rare on snapshot fds: fd 2 only */
		if (want == 2 && which < 2)
			continue;
		errno = 0;
		r = write(fds[which], buf, len);
		if (ev && want != 2)
			want = -1;
		if (want >= 0 && r != (ssize_t)len)
			die("write %lu (fd %d, %zu bytes, kind %d): %zd %s", k, which, len, want, r, strerror(errno));
		if (want < 0 && !(r == -1 && errno == EINVAL))
			die("write %lu (fd %d, %zu bytes): want EINVAL, got %zd %s", k, which, len, r, strerror(errno));
		if (want < 0)
			rej++;
		else
			acc++;
		if (ev)
			ev_w++;
		if (want == 2 && which == 2)
			snapfds = 1;
		if ((want == 0 || want == 1) && !ev) {	/* the snapshot must still parse */
			struct snap s;
			size_t l;
			char *b = read_fd(fds[which], &l, 1 + rnd() % 65536);

			parse_snap(b, &s);
			free(b);
			free(s.rows);
		}
		if (rnd() % 16 == 0) {		/* lseek rules */
			int ev_now = which == 3 || (which == 2 && snapfds);
			off_t o = lseek(fds[which], ev_now ? (off_t)(rnd() % 100) : 0, SEEK_SET);

			seeks++;
			if (ev_now && !(o == -1 && errno == ESPIPE))
				die("lseek on event fd: %lld %s", (long long)o, strerror(errno));
			if (!ev_now && o != 0)
				die("lseek(0) on snapshot fd: %lld %s", (long long)o, strerror(errno));
		}
		if (rnd() % 500 == 0 && which == 2) {	/* reopen fd 2 in snapshot mode */
			close(fds[2]);
			fds[2] = dev_open();
			snapfds = 0;
		}
	}
	for (i = 0; i < 4; i++)
		close(fds[i]);
	printf("# fuzz: seed %s, %lu writes, %lu accepted, %lu rejected (EINVAL), "
	       "%lu to event-mode fds, %lu lseeks\n", argv[2], acc + rej, acc, rej, ev_w, seeks);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "threads"))
		return cmd_threads(argc, argv);
	if (!strcmp(c, "spin"))
		return cmd_spin();
	if (!strcmp(c, "spawn") && argc > 2)
		return cmd_spawn(argc, argv);
	if (!strcmp(c, "cmpproc"))
		return cmd_cmpproc(argc, argv);
	if (!strcmp(c, "reads"))
		return cmd_reads();
	if (!strcmp(c, "writes"))
		return cmd_writes();
	if (!strcmp(c, "readers") && argc > 3)
		return cmd_readers(argc, argv);
	if (!strcmp(c, "events"))
		return cmd_events();
	if (!strcmp(c, "evread") && argc > 2)
		return cmd_evread(argc, argv);
	if (!strcmp(c, "envtail"))
		return cmd_envtail();
	if (!strcmp(c, "bigenv") && argc > 2)
		return cmd_bigenv(argc, argv);
	if (!strcmp(c, "procscan"))
		return cmd_procscan(argc, argv);
	if (!strcmp(c, "leaderexit"))
		return cmd_leaderexit();
	if (!strcmp(c, "procbench") && argc > 2)
		return cmd_procbench(argc, argv);
	if (!strcmp(c, "devscan") && argc > 2)
		return cmd_devscan(argc, argv);
	if (!strcmp(c, "churn"))
		return cmd_churn(argc, argv);
	if (!strcmp(c, "stress") && argc > 2)
		return cmd_stress(argc, argv);
	if (!strcmp(c, "fuzz") && argc > 3)
		return cmd_fuzz(argc, argv);
	if (!strcmp(c, "name") && argc > 2)
		return cmd_name(argc, argv);
	if (!strcmp(c, "wipe") && argc > 2)
		return cmd_wipe(argc, argv);
	if (!strcmp(c, "daemon") && argc > 2)
		return cmd_daemon(argc, argv);
	if (!strcmp(c, "reuse") && argc > 2)
		return cmd_reuse(argc, argv);
	if (!strcmp(c, "forkcheck") && argc > 2)
		return cmd_forkcheck(argc, argv);
	fprintf(stderr, "usage: pwtest threads|spin|spawn|cmpproc|reads|writes|readers|events|evread|envtail|bigenv|procscan|devscan|name|churn|stress|fuzz|wipe|daemon|reuse|forkcheck ...\n");
	return 2;
}
