package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells of the exit of every tagged process the reader's scans have seen, as it happens: one
 * pidfd per process (pidfd_open, Linux 5.3+) and one poll() over all of them. Where pidfds are not
 * available it polls /proc instead, every 100 ms after a change, slowing down to once a second
 * while nothing happens.
 *
 * <p>A pid alone is never trusted: after pidfd_open the process's start time is read again, so a
 * pid reused between the scan and the open is seen as the exit it is. Each exit is delivered once.
 */
final class ExitTracker implements Runnable {

	static final long MIN_POLL_MILLIS = 100;
	static final long MAX_POLL_MILLIS = 1000;

	/** What pw:source shows about the last exit delivered. */
	record LastExit(int pid, String module, Instant deliveredAt) {
	}

	private record Tracked(TaskId id, String value, int pidfd) {
	}

	private final Path procRoot;
	private final Consumer<ExitEvent> sink;
	private final Map<Integer, Tracked> tracked = new ConcurrentHashMap<>();
	private final boolean pidfd;
	private final String pidfdUnavailable;
	private final WakeUpFd wake = new WakeUpFd(); // without eventfd, new tasks are watched from the next poll timeout on
	private final Thread thread;
	private volatile boolean running = true;
	private volatile long pollMillis = MIN_POLL_MILLIS;
	private volatile long delivered;
	private volatile LastExit last;
	private final byte[] statBuffer = new byte[4096];
	/**
	 * Exits already reported, so that a scan result taken before an exit and handed in after it
	 * does not report the same exit again. Bounded: the oldest are forgotten first. Under the lock.
	 */
	private final Map<TaskId, Boolean> reported = new java.util.LinkedHashMap<>(256, 0.75f, false) {
		private static final long serialVersionUID = 1L;

		@Override
		protected boolean removeEldestEntry(Map.Entry<TaskId, Boolean> eldest) {
			return size() > 8192;
		}
	};

	/**
	 * @param usePidfd false forces /proc polling (tests of the fallback); true uses pidfds when
	 *                 the kernel has them
	 */
	ExitTracker(Path procRoot, Consumer<ExitEvent> sink, boolean usePidfd) {
		this.procRoot = procRoot;
		this.sink = sink;
		String why = usePidfd ? probePidfd() : "disabled";
		this.pidfd = why == null;
		this.pidfdUnavailable = why;
		this.thread = new Thread(this, "pidwatcher-procfs-exits");
		thread.setDaemon(true);
	}

	private static String probePidfd() {
		try {
			int fd = (int) LinuxCalls.INSTANCE.syscall(LinuxCalls.SYS_PIDFD_OPEN, (int) ProcessHandle.current().pid(), 0);
			LinuxCalls.INSTANCE.close(fd);
			return null;
		} catch (LastErrorException e) {
			return e.getErrorCode() == LinuxCalls.ENOSYS ? "pidfd_open is not in this kernel (Linux 5.3+)"
					: "pidfd_open failed: " + e.getMessage();
		} catch (UnsatisfiedLinkError | RuntimeException e) {
			return "cannot call pidfd_open through JNA: " + e;
		}
	}

	void start() {
		thread.start();
	}

	void stop() {
		running = false;
		wake.signal();
		try {
			thread.join(2000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		forgetAll();
		wake.close();
	}

	/** Drops every tracked task without reporting it (e.g. the tag name changed). */
	synchronized void forgetAll() {
		tracked.values().forEach(t -> close(t.pidfd()));
		tracked.clear();
		reported.clear();
	}

	/** Starts watching every tagged task of a scan not watched yet. */
	void track(List<TaskSnapshot> tasks) {
		boolean added = false;
		for (TaskSnapshot t : tasks) {
			if (t.isTagged()) {
				added |= track(t);
			}
		}
		if (added) {
			pollMillis = MIN_POLL_MILLIS;
			wake.signal();
		}
	}

	private synchronized boolean track(TaskSnapshot t) {
		if (!running) {
			// Stopped: a scan still in flight through the deactivated reader must not open pidfds
			// that nothing will close (stop() closed the ones it had, under this lock).
			return false;
		}
		Tracked old = tracked.get(t.pid());
		if (old != null && old.id().equals(t.id()) || reported.containsKey(t.id())) {
			return false;
		}
		if (old != null) {
			// The pid now belongs to another process: the one we watched has exited.
			exited(old);
		}
		int fd = -1;
		if (pidfd) {
			try {
				fd = (int) LinuxCalls.INSTANCE.syscall(LinuxCalls.SYS_PIDFD_OPEN, t.pid(), 0);
			} catch (LastErrorException e) {
				if (e.getErrorCode() == LinuxCalls.ESRCH) {
					deliver(t.id(), t.tagValue()); // gone since the scan saw it
					return false;
				}
				// e.g. out of fds: this one is polled instead
			}
		}
		if (startTime(t.pid()) != t.startTimeNanos()) {
			close(fd);
			deliver(t.id(), t.tagValue()); // exited, maybe the pid is already reused
			return false;
		}
		tracked.put(t.pid(), new Tracked(t.id(), t.tagValue(), fd));
		return true;
	}

	@Override
	public void run() {
		while (running) {
			List<Tracked> watched = new ArrayList<>(tracked.values());
			int[] fds = new int[2 * (watched.size() + 1)];
			int n = 0;
			if (wake.fd() >= 0) {
				fds[2 * n] = wake.fd();
				fds[2 * n++ + 1] = LinuxCalls.POLLIN;
			}
			List<Tracked> byFd = new ArrayList<>();
			boolean anyPolled = false;
			for (Tracked t : watched) {
				if (t.pidfd() >= 0) {
					fds[2 * n] = t.pidfd();
					fds[2 * n++ + 1] = LinuxCalls.POLLIN;
					byFd.add(t);
				} else {
					anyPolled = true;
				}
			}
			long timeout = anyPolled ? pollMillis : MAX_POLL_MILLIS;
			try {
				LinuxCalls.INSTANCE.poll(fds, n, (int) timeout);
			} catch (LastErrorException e) {
				if (e.getErrorCode() != LinuxCalls.EINTR) {
					sleep(timeout);
				}
				continue;
			} catch (RuntimeException | UnsatisfiedLinkError e) {
				sleep(timeout);
			}
			int first = 0;
			if (wake.fd() >= 0) {
				if ((fds[1] >>> 16) != 0) {
					wake.drain();
				}
				first = 1;
			}
			boolean sawExit = false;
			for (int i = first; i < n; i++) {
				if ((fds[2 * i + 1] >>> 16) != 0) {
					sawExit |= exitedIfStill(byFd.get(i - first));
				}
			}
			if (anyPolled) {
				for (Tracked t : watched) {
					if (t.pidfd() < 0 && startTime(t.id().pid()) != t.id().startTimeNanos()) {
						sawExit |= exitedIfStill(t);
					}
				}
				pollMillis = sawExit ? MIN_POLL_MILLIS : Math.min(MAX_POLL_MILLIS, pollMillis * 2);
			}
		}
	}

	private synchronized boolean exitedIfStill(Tracked t) {
		if (tracked.get(t.id().pid()) != t) {
			return false; // replaced or already reported
		}
		exited(t);
		return true;
	}

	/** Caller holds the lock. */
	private void exited(Tracked t) {
		tracked.remove(t.id().pid(), t);
		close(t.pidfd());
		deliver(t.id(), t.value());
	}

	/** Caller holds the lock. */
	private void deliver(TaskId id, String value) {
		if (reported.put(id, Boolean.TRUE) != null) {
			return;
		}
		ExitEvent event = new ExitEvent(id, value, OptionalInt.empty(), System.nanoTime(), "procfs");
		delivered++;
		last = new LastExit(id.pid(), value, Instant.now());
		sink.accept(event);
	}

	/** Start time of a live pid in ns (clock ticks, as scans report it), or -1 when it is gone. */
	private long startTime(int pid) {
		synchronized (statBuffer) {
			try (var in = Files.newInputStream(procRoot.resolve(Integer.toString(pid)).resolve("stat"))) {
				int len = in.readNBytes(statBuffer, 0, statBuffer.length);
				StatFields stat = StatFields.parse(statBuffer, len);
				return stat.state() == 'Z' || stat.state() == 'X' ? -1 : stat.startTicks() * ProcfsScanner.NANOS_PER_TICK;
			} catch (IOException | RuntimeException e) {
				return -1;
			}
		}
	}

	private static void close(int fd) {
		if (fd >= 0) {
			try {
				LinuxCalls.INSTANCE.close(fd);
			} catch (LastErrorException e) {
				// gone either way
			}
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	int trackedCount() {
		return tracked.size();
	}

	/** The event mode in force, for pw:source. */
	String mode() {
		return pidfd ? "pidfd (poll on one pidfd per tracked task, instant)"
				: "polling /proc every " + pollMillis + " ms (adaptive " + MIN_POLL_MILLIS + "-" + MAX_POLL_MILLIS
						+ " ms); " + pidfdUnavailable;
	}

	boolean usesPidfd() {
		return pidfd;
	}

	List<String> facts() {
		LastExit l = last;
		return List.of("event mode: " + mode(),
				l == null ? "exit events delivered: 0 (" + trackedCount() + " tasks tracked)"
						: String.format("exit events delivered: %d (%d tasks tracked); last: pid %d module %s, at %d us since the epoch",
								delivered, trackedCount(), l.pid(), l.module(),
								l.deliveredAt().getEpochSecond() * 1_000_000L + l.deliveredAt().getNano() / 1000));
	}
}
