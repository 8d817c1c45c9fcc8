package io.pidwatcher.watchdog.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Sends signals to arbitrary pids with kill(2) through JNA. ProcessHandle can only TERM and KILL,
 * and forking /bin/kill per batch costs milliseconds and processes exactly when a fork bomb is
 * being stopped; one system call per pid costs microseconds.
 *
 * <p>The numbers are those of x86, x86-64, ARM and arm64 Linux (the targets Debian ships for
 * pidwatcher); MIPS, Alpha and SPARC number some of them differently.
 */
final class Signals {

	static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15,
			SIGCONT = 18, SIGSTOP = 19;

	private static final Map<String, Integer> BY_NAME = Map.of("HUP", SIGHUP, "INT", SIGINT, "QUIT", SIGQUIT,
			"KILL", SIGKILL, "USR1", SIGUSR1, "USR2", SIGUSR2, "TERM", SIGTERM);

	/** The few libc calls the watchdog needs. */
	interface LibC extends Library {
		int kill(int pid, int sig);
	}

	private static volatile LibC libc;

	private Signals() {
	}

	private static LibC libc() {
		LibC l = libc;
		if (l == null) {
			// Loaded with our class loader so JNA's bundle resolves it inside OSGi.
			l = Native.load("c", LibC.class);
			libc = l;
		}
		return l;
	}

	/** Sends {@code signal} to {@code pid}; false when the process is gone (ESRCH) or not ours. */
	static boolean send(int pid, int signal) {
		if (pid <= 1) {
			return false; // never init, never "every process" (-1) or our process group (0)
		}
		return libc().kill(pid, signal) == 0;
	}

	/** Sends {@code signal} to every pid; returns how many were delivered. */
	static int send(Collection<Integer> pids, int signal) {
		int n = 0;
		for (int pid : pids) {
			if (send(pid, signal)) {
				n++;
			}
		}
		return n;
	}

	/** TERM, SIGTERM, term or 15. */
	static int number(String name) {
		String n = name.trim().toUpperCase(Locale.ROOT);
		if (n.startsWith("SIG")) {
			n = n.substring(3);
		}
		Integer byName = BY_NAME.get(n);
		if (byName != null) {
			return byName;
		}
		try {
			int number = Integer.parseInt(n);
			if (number > 0 && number < 65 && number != SIGSTOP && number != SIGCONT) {
				return number;
			}
		} catch (NumberFormatException e) {
			// fall through
		}
		throw new IllegalArgumentException("stop.signal '" + name + "' is not a signal (TERM, INT, HUP, QUIT, USR1, USR2, KILL or 1-64)");
	}
}
