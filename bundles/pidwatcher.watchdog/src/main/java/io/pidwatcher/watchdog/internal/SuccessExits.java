package io.pidwatcher.watchdog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The exit statuses and signals that count as a clean end of a run, like systemd's
 * {@code SuccessExitStatus=}: status 0 and the signals HUP, INT, TERM and PIPE always do (as in
 * systemd for every service type but oneshot), and {@code success.exit=} adds to them, e.g.
 * {@code success.exit=3 75 SIGUSR1}. A signal is named with or without its SIG prefix, in any case.
 *
 * <p>A signal death reaches us as the JDK reports it, status 128 + the signal's number (a
 * program that itself exits with 129-192 looks the same, as it does to a shell); statuses listed
 * here are matched first.
 */
record SuccessExits(Set<Integer> statuses, Set<Integer> signals) {

	/** systemd's clean signals (systemd.service(5), SuccessExitStatus=). */
	static final Set<Integer> CLEAN_SIGNALS = Set.of(1, 2, 13, 15);

	static final SuccessExits DEFAULT = new SuccessExits(Set.of(0), CLEAN_SIGNALS);

	SuccessExits {
		statuses = Set.copyOf(statuses);
		signals = Set.copyOf(signals);
	}

	/**
	 * The value of success.exit: numbers 0-255 and signal names, separated by spaces or commas.
	 *
	 * @throws IllegalArgumentException naming the key and the first word it cannot use
	 */
	static SuccessExits parse(String text) {
		Set<Integer> statuses = new TreeSet<>(DEFAULT.statuses);
		Set<Integer> signals = new TreeSet<>(DEFAULT.signals);
		for (String word : text.trim().split("[,\\s]+")) {
			if (word.isEmpty()) {
				continue;
			}
			if (word.chars().allMatch(Character::isDigit)) {
				int status = word.length() > 3 ? 256 : Integer.parseInt(word);
				if (status > 255) {
					throw new IllegalArgumentException("success.exit: " + word + " is not an exit status (0 to 255)");
				}
				statuses.add(status);
				continue;
			}
			Integer signal = Signals.byName(word);
			if (signal == null) {
				throw new IllegalArgumentException("success.exit: '" + word + "' is neither an exit status (0 to 255) "
						+ "nor a signal name (SIGTERM or TERM, SIGUSR1, ...)");
			}
			signals.add(signal);
		}
		return new SuccessExits(statuses, signals);
	}

	/** The signal of a JDK exit value (128 + N for a death by signal N), or 0 for an exit. */
	static int signalOf(int exitValue) {
		return exitValue > 128 && exitValue <= 128 + 64 ? exitValue - 128 : 0;
	}

	/** For pw:status: "0, 3, SIGHUP, SIGINT, SIGPIPE, SIGTERM". */
	String describe() {
		List<String> words = new ArrayList<>();
		new TreeSet<>(statuses).forEach(s -> words.add(String.valueOf(s)));
		new TreeSet<>(signals).forEach(s -> words.add(Signals.name(s)));
		return String.join(", ", words);
	}
}
