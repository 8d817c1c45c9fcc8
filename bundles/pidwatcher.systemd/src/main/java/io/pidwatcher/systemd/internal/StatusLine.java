package io.pidwatcher.systemd.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The STATUS= text systemctl shows: "12 modules, 11 running, 1 waiting" (states in life order). */
final class StatusLine {

	private StatusLine() {
	}

	static String of(List<ModuleStatus> modules) {
		Map<ModuleState, Integer> counts = new EnumMap<>(ModuleState.class);
		for (ModuleStatus m : modules) {
			counts.merge(m.state(), 1, Integer::sum);
		}
		StringBuilder line = new StringBuilder();
		line.append(modules.size()).append(modules.size() == 1 ? " module" : " modules");
		counts.forEach((state, n) -> line.append(", ").append(n).append(' ').append(state.label()));
		return line.toString();
	}
}
