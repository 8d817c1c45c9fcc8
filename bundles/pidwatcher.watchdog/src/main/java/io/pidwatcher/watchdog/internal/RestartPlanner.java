package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What follows a failure: the module's strategy decides (or, while it is absent or fails, the
 * failure stays pending), and the decision is carried out: a restart after a delay, a restart of
 * the group in its order, or giving up. Called with the engine's lock held; the stops and delays it
 * needs run on the stoppers and the scheduler, generation-checked against later changes.
 */
final class RestartPlanner {

	private final Engine e;

	RestartPlanner(Engine e) {
		this.e = e;
	}

	/** Asks the exit-code rule, then the strategy, about the module's pending failure. */
	void decide(Module m) {
		Failure f = m.history.pendingFailure;
		// exit-code rules (issue 14 part 4): whether to restart is restart='s call, made before any strategy says when
		ExitRule.Verdict rule = m.spec.exitRule().judge(f);
		if (!rule.restarts()) {
			endByRule(m, f, rule);
			return;
		}
		// end of exit-code rules
		RestartStrategy strategy = e.strategies.named(m.spec.strategy());
		if (strategy == null) {
			String why = "strategy " + m.spec.strategy() + " unavailable";
			if (!why.equals(m.history.lastDecision)) {
				m.history.lastDecision = why;
				if (m.history.pendingWithTree) {
					m.reason = f.reason() + "; " + why + ": decision pending, processes kept running";
				} else {
					m.reason = f.reason() + "; " + why + ": waiting for it to be deployed";
				}
				e.recorder.note(m, m.reason);
			}
			return;
		}
		List<Failure> history = new ArrayList<>(m.history.failures);
		history.remove(history.size() - 1);
		RestartDecision decided;
		try {
			Instant lastStarted = m.run.lastStartedAt != null ? m.run.lastStartedAt : f.at();
			decided = strategy.decide(new RestartRequest(m.name, f, history, lastStarted, Instant.now(),
					m.spec.strategyParameters(), groupOf(m)));
		} catch (RuntimeException x) {
			String why = "strategy " + m.spec.strategy() + " failed: " + x;
			if (!why.equals(m.history.lastDecision)) {
				m.history.lastDecision = why;
				e.recorder.note(m, why);
			}
			return;
		}
		m.history.pendingFailure = null;
		RestartDecision decision = annotate(m, decided, rule); // exit-code rules (issue 14 part 4)
		m.history.lastDecision = verdict(decision);
		e.recorder.note(m, "decision of strategy " + m.spec.strategy() + ": " + m.history.lastDecision);
		if (m.history.pendingWithTree) {
			m.wanted = true;
			stopTreeThen(m, f.reason() + ": stopping the tree; then " + decision.explanation(), outcome -> {
				e.recorder.transition(m, ModuleState.FAILED, f.reason() + "; " + outcome);
				apply(m, f, decision);
				e.loop.kick(m);
			});
		} else {
			apply(m, f, decision);
		}
	}

	// exit-code rules (issue 14 part 4)
	/**
	 * The rule says no restart: the module ends, stopped after a clean exit (it did its work, as a
	 * finished systemd unit is inactive) or gave up after a failure; a tree still running (a main
	 * process died, an unhealthy verdict) is stopped first. Stopped by the rule, the module is not
	 * wanted, so a runtime restart leaves it stopped as it leaves one that gave up.
	 */
	private void endByRule(Module m, Failure f, ExitRule.Verdict rule) {
		m.history.pendingFailure = null;
		m.history.lastDecision = rule.explanation();
		ModuleState end = rule.cause() == ExitCause.CLEAN ? ModuleState.STOPPED : ModuleState.GAVE_UP;
		if (!m.history.pendingWithTree) {
			finishByRule(m, f.reason() + "; " + rule.explanation(), end);
			return;
		}
		stopTreeThen(m, f.reason() + ": stopping the tree; " + rule.explanation(),
				outcome -> finishByRule(m, f.reason() + "; " + outcome + "; " + rule.explanation(), end));
	}

	/**
	 * A failed module whose tree still runs: STOPPING, its dependents stopped first, then its
	 * tree, on the stoppers' threads; then, unless something else happened to the module
	 * meanwhile, {@code then} gets the stop's outcome, with the lock held (as it is for this call).
	 */
	private void stopTreeThen(Module m, String stoppingReason, Consumer<String> then) {
		m.history.pendingWithTree = false;
		long generation = ++m.generation;
		e.recorder.transition(m, ModuleState.STOPPING, stoppingReason);
		ModuleSpec spec = m.specOfRun();
		e.stoppers.execute(() -> {
			String outcome;
			try {
				e.dependencies.awaitDependentsStopped(m); // dependencies (issue 14 part 1)
				outcome = Stops.describe(e.stops.stopTree(m, spec));
			} catch (InterruptedException x) {
				return;
			}
			synchronized (e) {
				if (m.generation != generation || !e.current(m)) {
					return;
				}
				m.run.startedAt = null;
				m.run.process = null;
				then.accept(outcome);
			}
		});
	}

	private void finishByRule(Module m, String reason, ModuleState end) {
		if (end == ModuleState.STOPPED) {
			m.wanted = false;
		}
		e.recorder.transition(m, end, reason);
	}

	/**
	 * What the decision says besides the strategy's words: the rule that let the restart happen when
	 * it is not the default ("killed by SIGKILL, an unclean signal; restart=on-abnormal"), and that
	 * the strategy is the default one when the module names none ("default strategy backoff").
	 */
	private static RestartDecision annotate(Module m, RestartDecision decision, ExitRule.Verdict rule) {
		String note = (rule.restart() == Restart.DEFAULT ? "" : "; " + rule.explanation())
				+ (m.spec.defaultStrategy() ? "; default strategy " + m.spec.strategy() + " (no strategy= set)" : "");
		if (note.isEmpty()) {
			return decision;
		}
		if (decision instanceof RestartDecision.RestartAfter r) {
			return new RestartDecision.RestartAfter(r.delay(), r.explanation() + note);
		}
		if (decision instanceof RestartDecision.RestartModules r) {
			return new RestartDecision.RestartModules(r.modules(), r.delay(), r.explanation() + note);
		}
		return new RestartDecision.GiveUp(decision.explanation() + note);
	}
	// end of exit-code rules

	/** The decision in words with what follows from it: when the restart is due, or why it gave up. */
	private static String verdict(RestartDecision decision) {
		if (decision instanceof RestartDecision.RestartAfter r) {
			return r.explanation() + " (next restart at " + Instant.now().plus(r.delay()) + ")";
		}
		if (decision instanceof RestartDecision.RestartModules r) {
			return r.explanation() + " (next restart of " + String.join(", ", r.modules()) + " at "
					+ Instant.now().plus(r.delay()) + ")";
		}
		String why = decision.explanation();
		return why.startsWith("gave up") ? why : "gave up: " + why;
	}

	/** The modules of m's group in start order (first definition), itself included; just m without a group. */
	private List<String> groupOf(Module m) {
		String group = m.spec.group();
		if (group.isEmpty()) {
			return List.of(m.name);
		}
		return e.modules.values().stream().filter(x -> x == m || x.spec != null && group.equals(x.spec.group()))
				.sorted(Comparator.comparingLong(x -> x.order)).map(x -> x.name).toList();
	}

	private void apply(Module m, Failure f, RestartDecision decision) {
		if (decision instanceof RestartDecision.RestartAfter r) {
			waitThenStart(m, r.delay(), f.reason() + "; " + verdict(r));
		} else if (decision instanceof RestartDecision.RestartModules r) {
			restartTogether(m, f, r);
		} else {
			e.recorder.transition(m, ModuleState.GAVE_UP, f.reason() + "; " + verdict(decision));
		}
	}

	/**
	 * one_for_all / rest_for_one: stop the trees of the other listed modules (the failed one is
	 * already down), wait the delay, then start them all in the listed order. Modules a user
	 * stopped stay stopped; unknown names are skipped.
	 */
	private void restartTogether(Module failed, Failure f, RestartDecision.RestartModules r) {
		List<Module> members = new ArrayList<>();
		for (String name : r.modules()) {
			Module x = e.modules.get(name);
			if (x != null && x.spec != null && (x == failed || x.wanted) && !members.contains(x)) {
				members.add(x);
			}
		}
		if (!members.contains(failed)) {
			members.add(0, failed);
		}
		String why = f.reason() + "; " + verdict(r);
		Map<Module, Long> generations = new HashMap<>();
		List<Module> toStop = new ArrayList<>();
		for (Module x : members) {
			x.history.pendingFailure = null;
			x.history.pendingWithTree = false;
			if (x == failed) {
				generations.put(x, ++x.generation);
				x.history.restartAt = Instant.now().plus(r.delay());
				e.recorder.transition(x, ModuleState.WAITING, why);
			} else if (x.state == ModuleState.STOPPING || x.launch != null) {
				continue; // someone else is stopping or starting it; it is not ours to restart
			} else {
				x.wanted = true;
				generations.put(x, ++x.generation);
				e.recorder.transition(x, ModuleState.STOPPING, "group restart, because " + failed.name + " failed: "
						+ verdict(r));
				toStop.add(x);
			}
		}
		List<Module> order = members.stream().filter(generations::containsKey).toList();
		e.stoppers.execute(() -> {
			for (Module x : toStop) {
				String outcome;
				try {
					outcome = Stops.describe(e.stops.stopTree(x, x.specOfRun()));
				} catch (InterruptedException ie) {
					return;
				}
				synchronized (e) {
					if (x.generation == generations.get(x) && e.current(x)) {
						x.run.startedAt = null;
						x.run.process = null;
						x.history.restartAt = Instant.now().plus(r.delay());
						e.recorder.transition(x, ModuleState.WAITING, "stopped for the group restart (" + outcome + "); "
								+ "starting again after " + DurationText.format(r.delay()) + " in the group's order");
					}
				}
			}
			afterDelay(r.delay(), () -> {
				synchronized (e) {
					for (Module x : order) {
						if (x.generation == generations.get(x) && x.state == ModuleState.WAITING
								&& e.current(x) && x.spec != null) {
							x.history.restarts++;
							e.launcher.startNow(x, "group restart #" + x.history.restarts + " (" + failed.name + " failed)");
						}
					}
				}
				e.launcher.runLaunches();
			});
		});
	}

	/** WAITING for delay, then the next restart, unless something else happened to the module meanwhile. */
	void waitThenStart(Module m, Duration delay, String reason) {
		m.history.restartAt = Instant.now().plus(delay);
		e.recorder.transition(m, ModuleState.WAITING, reason);
		long generation = m.generation;
		afterDelay(delay, () -> {
			synchronized (e) {
				if (m.generation == generation && m.state == ModuleState.WAITING && e.current(m) && m.spec != null) {
					m.history.restarts++;
					e.launcher.startNow(m, "restart #" + m.history.restarts);
				}
			}
			e.launcher.runLaunches();
		});
	}

	/**
	 * Runs a restart after its delay on the stoppers' threads, never on the scheduler's: that one
	 * thread also runs the scan passes, and a restart due while a scan of every process ran (700 ms
	 * with 5,000 processes on a loaded machine) waited for it: the peers benchmark's load session
	 * saw 635 ms from "waiting, restart after 0ms" to the fork. The timer only hands the start over.
	 */
	private void afterDelay(Duration delay, Runnable start) {
		if (delay.isZero() || delay.isNegative()) {
			e.stoppers.execute(start);
		} else {
			e.scheduler.schedule(() -> e.stoppers.execute(start), delay.toNanos(), TimeUnit.NANOSECONDS);
		}
	}
}
