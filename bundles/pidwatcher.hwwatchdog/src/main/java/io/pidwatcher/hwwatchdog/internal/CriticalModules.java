package io.pidwatcher.hwwatchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides whether the critical modules still allow pinging: not once one of them has been
 * 'gave up' for longer than the grace period. A name that is not a defined module is reported
 * (once, by the caller) and otherwise ignored: a typo must not reset the machine.
 */
final class CriticalModules {

	private final Set<String> names;
	private final Duration grace;
	/** module -> when it was first seen gave up (monotonic nanos); only touched by the feeding thread */
	private final Map<String, Long> gaveUpSince = new HashMap<>();

	CriticalModules(Set<String> names, Duration grace) {
		this.names = Set.copyOf(names);
		this.grace = grace;
	}

	/** The critical names that are not modules in {@code modules}, sorted. */
	Set<String> undefined(List<ModuleStatus> modules) {
		Set<String> defined = modules.stream().map(ModuleStatus::name).collect(Collectors.toSet());
		Set<String> missing = new TreeSet<>(names);
		missing.removeAll(defined);
		return missing;
	}

	/** Why pings must stop now, or empty while they may go on. */
	Optional<String> reasonToStop(List<ModuleStatus> modules, long nowNanos) {
		Map<String, ModuleStatus> byName = modules.stream()
				.collect(Collectors.toMap(ModuleStatus::name, Function.identity(), (a, b) -> a));
		Set<String> gaveUp = new HashSet<>();
		String reason = null;
		for (String name : new TreeSet<>(names)) {
			ModuleStatus m = byName.get(name);
			if (m == null || m.state() != ModuleState.GAVE_UP) {
				continue;
			}
			gaveUp.add(name);
			long since = gaveUpSince.computeIfAbsent(name, n -> nowNanos);
			if (reason == null && nowNanos - since >= grace.toNanos()) {
				reason = "critical module " + name + " gave up (" + m.reason() + ") and stayed so for the grace period of "
						+ DurationText.format(grace);
			}
		}
		gaveUpSince.keySet().retainAll(gaveUp);
		return Optional.ofNullable(reason);
	}
}
