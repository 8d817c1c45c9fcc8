/*
 * pwtest: the real processes pidwatcher's tests watch. One static binary with a mode per
 * behaviour, so every test suite (Surefire, in-framework, QEMU guests) runs the same programs.
 *
 *   pwtest sleep SECS                 sleep, then exit 0
 *   pwtest threads N SECS             N extra threads that sleep, then exit
 *   pwtest spin SECS                  burn one CPU, then exit
 *   pwtest daemon PIDFILE SECS        double-fork + setsid; the grandchild writes its pid and sleeps
 *   pwtest tree DEPTH WIDTH SECS      a tree of sleeping descendants
 *   pwtest crash MS CODE              sleep MS milliseconds, then exit with CODE
 *   pwtest ignore-term SECS           ignore SIGTERM, sleep
 *   pwtest forker INTERVAL_MS SECS    fork a short-lived sleeper every INTERVAL_MS
 *   pwtest leak MB_PER_SEC SECS       touch MB_PER_SEC MiB more memory each second
 *   pwtest clearenv SECS              fork a child that exec's itself with an empty environment
 *   pwtest storm CAP SECS             fork a child every millisecond, up to CAP live children, each
 *                                     sleeping SECS: a bounded fork storm
 *   pwtest zombies N SECS             fork N children that exit at once, never reap them, sleep SECS
 *   pwtest vfork SECS                 vfork a child that sleeps SECS before _exit: the parent waits
 *                                     in state D (killable) the whole time
 *   pwtest wipeenv PIDFILE SECS       zero its own environment area in place (as setproctitle does),
 *                                     fork a child, write "MAINPID CHILDPID" to PIDFILE, sleep SECS
 *   pwtest heartbeat MS BEATS SECS    sd_notify READY=1, then WATCHDOG=1 every MS ms BEATS times,
 *                                     then fall silent (but stay alive) for SECS
 *   pwtest crashtree N MS CODE LOG    fork N children that sleep a day, sleep MS, append one line
 *                                     "PID crash" to LOG, exit with CODE: a program that dies on
 *                                     its own and leaves its children behind; LOG counts the deaths.
 *                                     While a file LOG.calm exists it does not crash (sleeps on)
 *   pwtest wipedaemon PIDFILE WORKERS SECS
 *                                     as nginx with "daemon on": fork, setsid, fork; the grandchild
 *                                     waits until its parent has exited, copies its environment away,
 *                                     wipes the environment area and clears environ (setproctitle),
 *                                     forks WORKERS workers, writes its pid to PIDFILE, sleeps SECS
 *   pwtest wipestorm N SECS           fork N children back to back; each wipes its environment at
 *                                     once and sleeps SECS: found by lineage only, never by tag
 *   pwtest forktimes N MS SECS        fork N children MS apart (each sleeps SECS); print one line
 *                                     "CHILDPID NANOS" per fork, NANOS = CLOCK_MONOTONIC just before
 *                                     fork(2) (the clock of Java's System.nanoTime)
 *   pwtest listen MS PORT SECS        sleep MS milliseconds, then listen on 127.0.0.1:PORT and accept
 *                                     (and close) connections for SECS: a server that is ready late
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *sleeper(void *arg)
{
	sleep_ms((long)arg * 1000);
	return NULL;
}

static void tree(int depth, int width, int secs)
{
	for (int i = 0; depth > 0 && i < width; i++) {
		if (fork() == 0) {
			tree(depth - 1, width, secs);
			_exit(0);
		}
	}
	sleep_ms(secs * 1000L);
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET ('@' = abstract namespace). */
static void notify(const char *message)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;
	socklen_t len;

	if (!path || !*path || strlen(path) >= sizeof(addr.sun_path))
		return;
	strcpy(addr.sun_path, path);
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (path[0] == '@')
		addr.sun_path[0] = 0;
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, message, strlen(message), 0, (struct sockaddr *)&addr, len);
	close(fd);
}

extern char **environ;

/* Zeroes the environment strings where the kernel put them: /proc/PID/environ then reads NULs. */
static void wipe_environ(void)
{
	char *first = NULL, *end = NULL;

	for (char **e = environ; *e; e++) {
		if (!first || *e < first)
			first = *e;
		if (*e + strlen(*e) + 1 > end)
			end = *e + strlen(*e) + 1;
	}
	if (first)
		memset(first, 0, end - first);
}

/*
 * What nginx's ngx_init_setproctitle does, then clearenv: the environment strings move to the heap
 * (so getenv still works), the kernel's environment area is overwritten (a title, then NULs) and
 * environ is emptied. /proc/PID/environ then holds no tag at all.
 */
static void setproctitle_wipe(const char *title)
{
	char *first = NULL, *end = NULL;

	for (char **e = environ; *e; e++) {
		if (!first || *e < first)
			first = *e;
		if (*e + strlen(*e) + 1 > end)
			end = *e + strlen(*e) + 1;
		*e = strdup(*e);
	}
	if (first) {
		memset(first, 0, end - first);
		strncpy(first, title, end - first - 1);
	}
	clearenv();
}

static long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: pwtest sleep|threads|spin|daemon|tree|crash|ignore-term|forker|leak|clearenv|heartbeat|storm|wipeenv|zombies|vfork|crashtree|wipedaemon|wipestorm|forktimes|listen ARGS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *mode = argv[1];

	if (!strcmp(mode, "sleep")) {
		sleep_ms(atol(argv[2]) * 1000);
	} else if (!strcmp(mode, "threads") && argc >= 4) {
		int n = atoi(argv[2]);
		long secs = atol(argv[3]);
		pthread_t t;

		for (int i = 0; i < n; i++)
			pthread_create(&t, NULL, sleeper, (void *)secs);
		sleep_ms(secs * 1000);
	} else if (!strcmp(mode, "spin")) {
		time_t end = time(NULL) + atol(argv[2]);
		volatile unsigned long x = 0;

		while (time(NULL) < end)
			x++;
	} else if (!strcmp(mode, "daemon") && argc >= 4) {
		/* The classic daemon(3) dance: fork, setsid, fork again, parents exit. */
		pid_t child = fork();

		if (child > 0) {
			waitpid(child, NULL, 0);
			return 0;
		}
		setsid();
		if (fork() > 0)
			_exit(0);
		FILE *f = fopen(argv[2], "w");

		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		}
		sleep_ms(atol(argv[3]) * 1000);
	} else if (!strcmp(mode, "tree") && argc >= 5) {
		tree(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(mode, "crash") && argc >= 4) {
		sleep_ms(atol(argv[2]));
		return atoi(argv[3]);
	} else if (!strcmp(mode, "ignore-term")) {
		signal(SIGTERM, SIG_IGN);
		sleep_ms(atol(argv[2]) * 1000);
	} else if (!strcmp(mode, "forker") && argc >= 4) {
		long interval = atol(argv[2]);
		time_t end = time(NULL) + atol(argv[3]);

		signal(SIGCHLD, SIG_IGN);
		while (time(NULL) < end) {
			if (fork() == 0) {
				sleep_ms(interval * 20);
				_exit(0);
			}
			sleep_ms(interval);
		}
	} else if (!strcmp(mode, "leak") && argc >= 4) {
		long per_sec = atol(argv[2]);
		long secs = atol(argv[3]);

		for (long s = 0; s < secs; s++) {
			char *p = malloc(per_sec << 20);

			if (p)
				memset(p, 1, per_sec << 20);
			sleep_ms(1000);
		}
	} else if (!strcmp(mode, "clearenv")) {
		if (fork() == 0) {
			char *args[] = { argv[0], "sleep", argv[2], NULL };
			char *empty[] = { NULL };

			execve("/proc/self/exe", args, empty);
			_exit(127);
		}
		sleep_ms(atol(argv[2]) * 1000);
	} else if (!strcmp(mode, "storm") && argc >= 4) {
		long cap = atol(argv[2]);

		signal(SIGCHLD, SIG_IGN);
		for (long i = 0; i < cap; i++) {
			if (fork() == 0) {
				sleep_ms(atol(argv[3]) * 1000);
				_exit(0);
			}
			sleep_ms(1);
		}
		sleep_ms(atol(argv[3]) * 1000);
	} else if (!strcmp(mode, "zombies") && argc >= 4) {
		for (long i = 0; i < atol(argv[2]); i++) {
			if (fork() == 0)
				_exit(0);
		}
		sleep_ms(atol(argv[3]) * 1000);
	} else if (!strcmp(mode, "vfork") && argc >= 3) {
		struct timespec ts = { .tv_sec = atol(argv[2]) };

		/* the child only calls async-signal-safe nanosleep and _exit, as vfork allows in practice */
		if (vfork() == 0) {
			nanosleep(&ts, NULL);
			_exit(0);
		}
	} else if (!strcmp(mode, "wipeenv") && argc >= 4) {
		long secs = atol(argv[3]);
		pid_t child;
		FILE *f;

		wipe_environ();
		child = fork();
		if (child == 0) {
			sleep_ms(secs * 1000);
			_exit(0);
		}
		f = fopen(argv[2], "w");
		if (f) {
			fprintf(f, "%d %d\n", (int)getpid(), (int)child);
			fclose(f);
		}
		sleep_ms(secs * 1000);
	} else if (!strcmp(mode, "crashtree") && argc >= 6) {
		long children = atol(argv[2]);
		FILE *f;

		for (long i = 0; i < children; i++) {
			if (fork() == 0) {
				sleep_ms(86400 * 1000L);
				_exit(0);
			}
		}
		char calm[4096];

		snprintf(calm, sizeof(calm), "%s.calm", argv[5]);
		do
			sleep_ms(atol(argv[3]));
		while (access(calm, F_OK) == 0);
		/* one write(2) of a short line with O_APPEND: lines of concurrent crashers never mix */
		f = fopen(argv[5], "a");
		if (f) {
			fprintf(f, "%d crash\n", (int)getpid());
			fclose(f);
		}
		return atoi(argv[4]);
	} else if (!strcmp(mode, "wipedaemon") && argc >= 5) {
		long workers = atol(argv[3]);
		long secs = atol(argv[4]);
		pid_t child = fork();
		pid_t middle;
		FILE *f;

		if (child > 0) {
			waitpid(child, NULL, 0);
			return 0;
		}
		setsid();
		middle = getpid();
		if (fork() > 0)
			_exit(0);
		while (getppid() == middle)
			sleep_ms(1);
		setproctitle_wipe("pwtest: master process");
		signal(SIGCHLD, SIG_IGN);
		for (long i = 0; i < workers; i++) {
			if (fork() == 0) {
				sleep_ms(secs * 1000);
				_exit(0);
			}
		}
		f = fopen(argv[2], "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
		sleep_ms(secs * 1000);
	} else if (!strcmp(mode, "wipestorm") && argc >= 4) {
		long n = atol(argv[2]);
		long secs = atol(argv[3]);

		signal(SIGCHLD, SIG_IGN);
		for (long i = 0; i < n; i++) {
			if (fork() == 0) {
				setproctitle_wipe("pwtest: storm child");
				sleep_ms(secs * 1000);
				_exit(0);
			}
		}
		sleep_ms(secs * 1000);
	} else if (!strcmp(mode, "forktimes") && argc >= 5) {
		long n = atol(argv[2]);
		long ms = atol(argv[3]);
		long secs = atol(argv[4]);

		signal(SIGCHLD, SIG_IGN);
		setvbuf(stdout, NULL, _IOLBF, 0);
		for (long i = 0; i < n; i++) {
			long before = monotonic_ns();
			pid_t child = fork();

			if (child == 0) {
				sleep_ms(secs * 1000);
				_exit(0);
			}
			printf("%d %ld\n", (int)child, before);
			sleep_ms(ms);
		}
		sleep_ms(secs * 1000);
	} else if (!strcmp(mode, "heartbeat") && argc >= 5) {
		long ms = atol(argv[2]);
		long beats = atol(argv[3]);

		notify("READY=1");
		for (long i = 0; i < beats; i++) {
			notify("WATCHDOG=1");
			sleep_ms(ms);
		}
		sleep_ms(atol(argv[4]) * 1000);
	} else if (!strcmp(mode, "listen") && argc >= 5) {
		/* readiness (issue 14 part 2): ready=tcp: passes only once this listens */
		struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
		struct timespec end;
		int one = 1, fd;

		sleep_ms(atol(argv[2]));
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 64)) {
			perror("pwtest listen");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += atol(argv[4]);
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec >= end.tv_sec)
				break;
			if (poll(&p, 1, 500) > 0) {
				int c = accept(fd, NULL, NULL);

				if (c >= 0)
					close(c);
			}
		}
	} else {
		return usage();
	}
	return 0;
}
