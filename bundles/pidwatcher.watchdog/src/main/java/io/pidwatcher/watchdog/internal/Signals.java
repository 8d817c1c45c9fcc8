package io.pidwatcher.watchdog.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

	/** Linux's signal names and numbers on x86, x86-64, ARM and arm64, as signal(7) lists them. */
	private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
			Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6),
			Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
			Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
			Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
			Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
			Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
			Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));
	/** Aliases that name a signal another name names first (signalName gives the other). */
	private static final Set<String> ALIASES = Set.of("IOT", "POLL");
	/** The names stop.signal takes; any other signal it takes by number. */
	private static final Set<String> STOP_SIGNAL_NAMES = Set.of("HUP", "INT", "QUIT", "KILL", "USR1", "USR2", "TERM");

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
		if (STOP_SIGNAL_NAMES.contains(n)) {
			return NUMBERS.get(n);
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

	/** Any signal Linux names: SIGTERM, TERM or term gives 15; null for a name Linux does not have. */
	static Integer byName(String name) {
		String n = name.toUpperCase(Locale.ROOT);
		return NUMBERS.get(n.startsWith("SIG") ? n.substring(3) : n);
	}

	/** "SIGTERM" for 15, "signal 40" for one without a name (real-time signals). */
	static String name(int number) {
		return NUMBERS.entrySet().stream().filter(e -> e.getValue() == number && !ALIASES.contains(e.getKey()))
				.map(e -> "SIG" + e.getKey()).findFirst().orElse("signal " + number);
	}
}
