package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A module's {@link MainRule} applied to one run: after each scan it says which task is the main
 * process, whether the run is still starting, or that the main process died (the module has
 * failed even though other members live). One per run; it remembers what the run showed so far
 * (a hand-over to the daemon, a pid read from the pid file).
 */
final class MainProcess {

	/**
	 * How long a pid read from the pid file may be missing from the tree before that is a failure:
	 * the scan the judgement uses began before the file was read, so a daemon that forked and
	 * wrote its pid meanwhile is in the next scan.
	 */
	static final long STRANGER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

	/** What the watchdog knows of the run at one scan. */
	record Observation(long nowNanos, TaskId main, int startedPid, boolean ours, boolean startedAlive,
			Integer startedExit, OptionalInt mainWaitStatus, List<TaskSnapshot> alive, Duration startTimeout) {
	}

	/** The answer. */
	sealed interface Verdict {
	}

	/**
	 * The main process lives. {@code main} is the task to hold as main (null: not seen yet);
	 * {@code change} says in words why it changed (null when it did not).
	 */
	record Alive(TaskId main, String change) implements Verdict {
	}

	/** Not known yet (the pid file is not written): the run is still starting. */
	record Undecided(String why) implements Verdict {
	}

	/** The main process is gone (or cannot be known): the module has failed. */
	record Died(String reason, Integer exitStatus) implements Verdict {
	}

	private final MainRule rule;
	private final long startedNanos;
	private final Instant startedAt;
	/** The main pid came from the pid file (PIDFILE), or the started process handed over (DAEMON). */
	private boolean settled;
	private int strangerPid;
	private long strangerSinceNanos;

	MainProcess(MainRule rule, long startedNanos, Instant startedAt) {
		this.rule = rule;
		this.startedNanos = startedNanos;
		this.startedAt = startedAt;
	}

	MainRule rule() {
		return rule;
	}

	/** Judges one scan whose tree has living members (a tree all gone is a failure whatever the rule). */
	Verdict judge(Observation o) {
		boolean mainAlive = o.main() != null && o.alive().stream().anyMatch(t -> t.id().equals(o.main()));
		return switch (rule.kind()) {
			case NONE -> new Alive(o.main(), null);
			case STARTED -> started(o, mainAlive, false);
			case DAEMON -> started(o, mainAlive, true);
			case PIDFILE -> pidFile(o, mainAlive);
		};
	}

	private Verdict started(Observation o, boolean mainAlive, boolean handOver) {
		if (mainAlive) {
			return new Alive(o.main(), null);
		}
		boolean mainIsStarted = o.main() == null || o.main().pid() == o.startedPid();
		if (o.ours() && mainIsStarted && o.startedAlive()) {
			// not seen yet, or a zombie the JDK has not reaped: its exit status comes (onExit kicks the module)
			return new Alive(o.main(), null);
		}
		if (o.main() == null && !o.ours()) {
			return new Alive(null, null); // adopted without a main: nothing to judge by
		}
		if (handOver && !settled && o.ours() && mainIsStarted && Integer.valueOf(0).equals(o.startedExit())) {
			TaskSnapshot heir = heir(o.alive());
			settled = true;
			return new Alive(heir.id(), "the started process (pid " + o.startedPid() + ") exited with status 0 and left pid "
					+ heir.pid() + " (" + heir.comm() + ") behind: that is the main process now (main=daemon)");
		}
		int pid = o.main() != null ? o.main().pid() : o.startedPid();
		return new Died("main process pid " + pid + " " + exit(o, pid) + " (" + rule.describe() + ")", exitStatus(o, pid));
	}

	private Verdict pidFile(Observation o, boolean mainAlive) {
		PidFile.Reading reading = PidFile.read(rule.pidFile(), startedAt);
		if (reading instanceof PidFile.Malformed bad) {
			return new Died("pidfile: " + bad.why(), null);
		}
		if (reading instanceof PidFile.Pid read) {
			TaskSnapshot named = o.alive().stream().filter(t -> t.pid() == read.pid()).findFirst().orElse(null);
			if (named != null) {
				strangerPid = 0;
				boolean changed = o.main() == null || !o.main().equals(named.id()) || !settled;
				settled = true;
				return new Alive(named.id(), changed ? "main process pid " + named.pid() + " (" + named.comm()
						+ "), read from " + rule.pidFile() : null);
			}
			if (o.main() != null && o.main().pid() == read.pid()) {
				// the main we hold (read before, or adopted: a new runtime's first look) is gone
				return new Died("main process pid " + read.pid() + " (named by " + rule.pidFile() + ") "
						+ exit(o, read.pid()), exitStatus(o, read.pid()));
			}
			if (strangerPid != read.pid()) {
				strangerPid = read.pid();
				strangerSinceNanos = o.nowNanos();
			}
			if (o.nowNanos() - strangerSinceNanos >= STRANGER_GRACE_NANOS) {
				return new Died(rule.pidFile() + " names pid " + read.pid() + ", which is not a process of the module", null);
			}
			return new Undecided(rule.pidFile() + " names pid " + read.pid() + ", not seen in the module's tree yet");
		}
		String notYet = ((PidFile.NotYet) reading).why();
		if (settled) {
			if (mainAlive) {
				return new Alive(o.main(), null); // a daemon may remove its pid file; its pid is known
			}
			return new Died("main process pid " + o.main().pid() + " " + exit(o, o.main().pid()) + " (" + notYet
					+ ")", exitStatus(o, o.main().pid()));
		}
		if (o.ours() && !o.startedAlive() && o.startedExit() != null && o.startedExit() != 0) {
			return new Died("the started process (pid " + o.startedPid() + ") exited with status " + o.startedExit()
					+ " before writing " + rule.pidFile(), o.startedExit());
		}
		if (o.nowNanos() - startedNanos > o.startTimeout().toNanos()) {
			return new Died(rule.pidFile() + " not written within start.timeout " + DurationText.format(o.startTimeout())
					+ " (" + notYet + ")", null);
		}
		return new Undecided("waiting for the pid file: " + notYet);
	}

	/** The member the started process left behind: the oldest root of what lives. */
	private static TaskSnapshot heir(List<TaskSnapshot> alive) {
		Set<Integer> pids = alive.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
		return alive.stream().filter(t -> !pids.contains(t.ppid()))
				.min(Comparator.comparingLong(TaskSnapshot::startTimeNanos)).orElse(alive.get(0));
	}

	/**
	 * The main's exit status as the JDK reports one (128 + N for a death by signal N), from our
	 * child's exit value or a reader's wait status; null when neither knows. The restart= rule
	 * (issue 14 part 4) tells an unclean signal from an exit code by it.
	 */
	private static Integer exitStatus(Observation o, int pid) {
		if (pid == o.startedPid() && o.startedExit() != null) {
			return o.startedExit();
		}
		if (o.mainWaitStatus().isPresent()) {
			int w = o.mainWaitStatus().getAsInt();
			return (w & 0x7f) == 0 ? (w >> 8) & 0xff : 128 + (w & 0x7f);
		}
		return null;
	}

	private static String exit(Observation o, int pid) {
		if (o.ours() && pid == o.startedPid() && o.startedExit() != null) {
			int s = o.startedExit();
			return s > 128 && s < 128 + 65 ? "was killed by signal " + (s - 128) + " (exit status " + s + ")"
					: "exited with status " + s;
		}
		if (o.mainWaitStatus().isPresent()) {
			int w = o.mainWaitStatus().getAsInt();
			return (w & 0x7f) == 0 ? "exited with status " + ((w >> 8) & 0xff) : "was killed by signal " + (w & 0x7f);
		}
		return "exited";
	}
}
