package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A running module's health: the CPU of its tree and the samples health policies judge, what came
 * through its notify socket (READY=1, WATCHDOG=1), and the verdict of each of its policies; an
 * unhealthy verdict is a failure for the lifecycle. Called with the engine's lock held, except
 * {@link #notified}, which takes it.
 */
final class HealthSampling {

	private final Engine e;

	HealthSampling(Engine e) {
		this.e = e;
	}

	/** CPU of the tree since the previous sample, and one more health sample. */
	void sample(Module m, ProcessSnapshot snapshot, List<TaskSnapshot> tree) {
		Map<TaskId, Long> cpu = new HashMap<>();
		long used = 0;
		for (TaskSnapshot t : tree) {
			cpu.put(t.id(), t.cpuTimeNanos());
			Long before = m.tree.lastCpu.get(t.id());
			used += before == null ? (m.tree.lastSampleNanos == 0 ? 0 : t.cpuTimeNanos()) : Math.max(0, t.cpuTimeNanos() - before);
		}
		long interval = snapshot.monotonicNanos() - m.tree.lastSampleNanos;
		m.tree.cpuPercent = m.tree.lastSampleNanos == 0 || interval <= 0 ? 0 : 100.0 * used / interval;
		m.tree.lastCpu = cpu;
		m.tree.lastSampleNanos = snapshot.monotonicNanos();
		if (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING) {
			m.health.addSample(new HealthSample(snapshot.monotonicNanos(), m.run.main, tree, m.tree.cpuPercent));
		}
	}

	void checkPolicies(Module m, long now) {
		if (m.health.samples.isEmpty()) {
			return;
		}
		String unhealthy = null;
		m.health.policyVerdicts.clear();
		HealthCheck.Heartbeat heartbeat = new HealthCheck.Heartbeat(m.health.notifySocket != null, m.run.startedNanos,
				m.health.lastWatchdogNanos == 0 ? OptionalLong.empty() : OptionalLong.of(m.health.lastWatchdogNanos),
				m.health.readyNanos == 0 ? OptionalLong.empty() : OptionalLong.of(m.health.readyNanos), m.health.watchdogTriggered);
		for (String name : m.spec.policies()) {
			HealthPolicy policy = e.policies.named(name);
			if (policy == null) {
				m.health.policyVerdicts.put(name, "unavailable (no pidwatcher.policy=" + name + " service)");
				continue;
			}
			try {
				HealthVerdict v = policy.evaluate(new HealthCheck(m.name, m.spec.policyParameters(name),
						List.copyOf(m.health.samples), heartbeat, now));
				m.health.policyVerdicts.put(name, (v instanceof HealthVerdict.Unhealthy ? "UNHEALTHY: " : "ok: ") + v.explanation());
				if (v instanceof HealthVerdict.Unhealthy && unhealthy == null) {
					unhealthy = name + ": " + v.explanation();
				}
			} catch (IllegalArgumentException x) {
				m.health.policyVerdicts.put(name, "misconfigured, ignored: " + x.getMessage());
			} catch (RuntimeException x) {
				m.health.policyVerdicts.put(name, "failed, ignored: " + x);
			}
		}
		if (unhealthy != null) {
			e.lifecycle.failure(m, Failure.Kind.UNHEALTHY, "unhealthy (" + unhealthy + ")", null, true);
		}
	}

	/** A message on a module's notify socket (called on the notify thread). */
	void notified(String module, String message) {
		synchronized (e) {
			Module m = e.modules.get(module);
			if (m == null) {
				return;
			}
			long now = e.nanos();
			for (String line : message.split("\n")) {
				if (line.equals("WATCHDOG=1")) {
					m.health.lastWatchdogNanos = now;
				} else if (line.equals("READY=1")) {
					if (m.health.readyNanos == 0) {
						m.health.readyNanos = now;
						e.loop.kick(m);
					}
				} else if (line.equals("WATCHDOG=trigger")) {
					m.health.watchdogTriggered = true;
					e.loop.kick(m);
				}
			}
		}
	}
}
