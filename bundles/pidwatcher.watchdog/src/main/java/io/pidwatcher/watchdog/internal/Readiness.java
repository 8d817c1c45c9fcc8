package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Whether a starting module is ready (issue 14 part 2): at once ({@code ready=running}), at
 * {@code READY=1} ({@code notify=true}), or when its probe passes ({@code ready=tcp:},
 * {@code exec:}, {@code file:}), within {@code start.timeout}. The lifecycle asks at each scan of
 * a starting module, with the lock held; probes run on the machine's probe threads, never under
 * the lock, and a passed probe is recorded under it and kicks the module, so the next scan makes
 * it running at once. A result for an earlier run (the module stopped, restarted or adopted
 * meanwhile) is dropped.
 *
 * <p>Probes repeat every {@value #PERIOD_MILLIS} ms, timed by a timer of their own, so that a
 * pass (whose thread a scan of every process holds for a while on a loaded machine) never delays
 * them: a connect to a closed loopback port or a
 * look at a file costs microseconds, and this bounds what readiness adds to a start (and so to a
 * dependent's start) at a tenth of a second, the default restart delay's size. An exec probe
 * forks a program each try, so the next try waits {@value #EXEC_PAUSE_MILLIS} ms after the
 * previous one ended: at most four forks a second per starting module.
 */
final class Readiness {

	static final long PERIOD_MILLIS = 100;
	static final long EXEC_PAUSE_MILLIS = 250;
	/** One connect waits at most this long (a host that drops packets): the next try comes after it. */
	static final long TCP_BOUND_NANOS = TimeUnit.SECONDS.toNanos(1);
	/** One exec try runs at most this long (or what is left of start.timeout), then it is killed. */
	static final long EXEC_BOUND_NANOS = TimeUnit.SECONDS.toNanos(5);
	/**
	 * A try with less than this left of start.timeout is not made: bounded by what is left, a
	 * connect to a closed loopback port timed out in 1 ms on a loaded machine before the refusal
	 * came, and "no answer within 1ms" became the reason of the failure instead of "connection refused".
	 */
	static final long MIN_TRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

	/** Why a starting module is not running yet; timedOut: start.timeout ran out (a failure). */
	record NotReady(String reason, boolean timedOut) {
	}

	private final Engine e;

	Readiness(Engine e) {
		this.e = e;
	}

	/**
	 * Whether the starting module's run is ready; the lock is held. Starts its probe on the first
	 * call of a run, and has the module checked again when start.timeout runs out.
	 *
	 * @return null when ready
	 */
	NotReady check(Module m, long now) {
		ModuleSpec spec = m.specOfRun();
		ReadyRule rule = spec == null ? ReadyRule.RUNNING : spec.ready();
		if (rule.kind() == ReadyRule.Kind.RUNNING || m.health.readyNanos != 0) {
			return null;
		}
		ReadinessRecord r = m.readiness;
		if (rule.probed() && !r.probes(m)) {
			r.begin(m);
		}
		Duration timeout = spec.startTimeout();
		long deadline = m.run.startedNanos + timeout.toNanos();
		if (now - deadline > 0) {
			String last = r.lastResult;
			r.end();
			return new NotReady(rule.kind() == ReadyRule.Kind.NOTIFY
					? "no READY=1 within start.timeout " + DurationText.format(timeout)
					: rule.describe() + " not ready within start.timeout " + DurationText.format(timeout) + ": " + last,
					true);
		}
		m.nextCheckNanos = Math.min(m.nextCheckNanos, deadline + 1); // the timeout is judged when it runs out
		if (rule.kind() == ReadyRule.Kind.NOTIFY) {
			return new NotReady("waiting for READY=1 on the notify socket", false);
		}
		if (!r.probing) {
			submit(m, spec);
		}
		return new NotReady(waiting(m, rule), false);
	}

	/** "waiting for ready=tcp:127.0.0.1:5432 since 16:10:01 UTC (12 probes, last: connection refused)" */
	private static String waiting(Module m, ReadyRule rule) {
		ReadinessRecord r = m.readiness;
		String since = m.run.startedAt != null ? " since " + TIME.format(m.run.startedAt) + " UTC" : "";
		return "waiting for " + rule.describe() + since + " (" + r.probes + (r.probes == 1 ? " probe" : " probes")
				+ ", last: " + r.lastResult + ")";
	}

	/** What the transition to running says of readiness: "", ", READY=1 received", ", ready=tcp:... passed after 1.6s ...". */
	String passed(Module m) {
		ModuleSpec spec = m.specOfRun();
		ReadyRule rule = spec == null ? ReadyRule.RUNNING : spec.ready();
		if (m.health.readyNanos == 0) {
			return "";
		}
		if (rule.kind() == ReadyRule.Kind.NOTIFY) {
			return ", READY=1 received";
		}
		ReadinessRecord r = m.readiness;
		return ", " + rule.describe() + " passed after "
				+ DurationText.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(r.passedNanos - m.run.startedNanos)))
				+ " (" + r.probes + (r.probes == 1 ? " probe" : " probes") + ": " + r.lastResult + ")";
	}

	/** Queues one try of the module's probe; the lock is held. */
	private void submit(Module m, ModuleSpec spec) {
		ReadinessRecord r = m.readiness;
		long generation = r.generation;
		long runStarted = r.runStartedNanos;
		ReadinessProbe.Target target = target(m, spec);
		long deadline = runStarted + spec.startTimeout().toNanos();
		long bound = spec.ready().kind() == ReadyRule.Kind.EXEC ? EXEC_BOUND_NANOS : TCP_BOUND_NANOS;
		if (tryBound(bound, deadline - e.nanos()) == 0) {
			return; // start.timeout is about to run out: the last try's result stands
		}
		r.probing = true;
		try {
			e.machine.probes().execute(() -> {
				long tryBound = tryBound(bound, deadline - e.nanos());
				ReadinessProbe.Result result;
				try {
					result = tryBound == 0 ? null : ReadinessProbe.run(target, tryBound);
				} catch (RuntimeException x) {
					result = new ReadinessProbe.Result(false, "the probe failed: " + x);
				}
				synchronized (e) {
					if (result != null) {
						probed(m, generation, runStarted, result);
					} else if (r.generation == generation && r.runStartedNanos == runStarted) {
						r.probing = false; // waited for a probe thread until start.timeout was nearly out: no try
					}
				}
			});
		} catch (RejectedExecutionException closing) {
			r.probing = false; // the engine is closing
		}
	}

	/** How long a try may take with left of start.timeout: its own bound, or what is left; 0: no try. */
	static long tryBound(long bound, long left) {
		return left < MIN_TRY_NANOS ? 0 : Math.min(bound, left);
	}

	/** A try's result; the lock is held. */
	private void probed(Module m, long generation, long runStarted, ReadinessProbe.Result result) {
		ReadinessRecord r = m.readiness;
		if (!e.current(m) || r.generation != generation || r.runStartedNanos != runStarted || !r.probes(m)
				|| m.state != ModuleState.STARTING) {
			return; // an earlier run's, or the module stopped, restarted or gave up meanwhile
		}
		r.probes++;
		r.lastResult = result.detail();
		if (result.passed()) {
			r.probing = false;
			r.passedNanos = e.nanos();
			m.health.readyNanos = r.passedNanos;
			e.loop.kick(m); // running at the next scan, now
			return;
		}
		ModuleSpec spec = m.specOfRun();
		m.reason = "started, " + waiting(m, spec.ready()); // pw:status shows each try's result, not the last scan's
		e.status.publish(m);
		long pause = spec.ready().kind() == ReadyRule.Kind.EXEC ? EXEC_PAUSE_MILLIS : PERIOD_MILLIS;
		if (!e.active) {
			r.probing = false;
			return;
		}
		try {
			e.machine.probeTimer().schedule(() -> {
			synchronized (e) {
				if (e.current(m) && r.generation == generation && r.runStartedNanos == runStarted && r.probes(m)
						&& m.state == ModuleState.STARTING && m.health.readyNanos == 0) {
					ModuleSpec now = m.specOfRun();
					submit(m, now);
				} else if (r.generation == generation && r.runStartedNanos == runStarted) {
					r.probing = false;
				}
			}
			}, pause, TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException closing) {
			r.probing = false; // the engine is closing
		}
	}

	/** What the probe needs of the module, copied now (the lock is held). */
	private ReadinessProbe.Target target(Module m, ModuleSpec spec) {
		ProcessReader reader = e.readers.first();
		String tag = reader != null ? reader.tagName() : ProcessReader.DEFAULT_TAG_NAME;
		Map<String, String> env = new HashMap<>(spec.identity().environment());
		env.putAll(spec.environment());
		List<String> without = List.of(tag, ProcessReader.DEFAULT_TAG_NAME, Launcher.INSTANCE_VARIABLE, "NOTIFY_SOCKET",
				"WATCHDOG_USEC", "WATCHDOG_PID");
		return new ReadinessProbe.Target(spec.ready(), spec.directory(), env, spec.identity(), without, m.run.startedAt,
				e.home.var().resolve("run").resolve("ready").resolve(m.name + ".out"));
	}
}
