package io.pidwatcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** procps' {@code ps} as the oracle: what the product's readers say is checked against it. */
public final class Ps {

	private Ps() {
	}

	/**
	 * The pids {@code ps} lists for a selection (e.g. {@code "--ppid", "42"} or {@code "-s", "42"}),
	 * zombies left out: they are dead, only not yet reaped.
	 */
	public static Set<Integer> pids(String... selection) {
		return select(false, selection);
	}

	/** The zombies {@code ps} lists for a selection: exited, their parent has not reaped them. */
	public static Set<Integer> zombies(String... selection) {
		return select(true, selection);
	}

	private static Set<Integer> select(boolean zombies, String... selection) {
		List<String> command = new ArrayList<>(List.of("ps", "-o", "pid=,stat="));
		command.addAll(List.of(selection));
		try {
			Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
			String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!ps.waitFor(10, TimeUnit.SECONDS)) {
				ps.destroyForcibly();
				throw new IllegalStateException("ps did not end within 10 s: " + command);
			}
			Set<Integer> pids = new TreeSet<>();
			for (String line : out.strip().split("\n")) {
				String[] f = line.strip().split("\\s+");
				if (f.length == 2 && f[1].startsWith("Z") == zombies) {
					pids.add(Integer.parseInt(f[0]));
				}
			}
			return pids;
		} catch (IOException e) {
			throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while running ps", e);
		}
	}
}
