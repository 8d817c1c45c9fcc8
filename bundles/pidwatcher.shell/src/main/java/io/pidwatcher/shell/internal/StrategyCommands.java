package io.pidwatcher.shell.internal;

import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.Supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code pw:strategies}: every restart strategy service, which bundle provides it, and which modules use it. */
@Component(service = StrategyCommands.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=strategies"
})
public final class StrategyCommands {

	private final Map<ServiceReference<RestartStrategy>, Boolean> strategies = new ConcurrentSkipListMap<>(
			java.util.Comparator.reverseOrder());

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile Supervisor watchdog;

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addStrategy(ServiceReference<RestartStrategy> ref) {
		strategies.put(ref, Boolean.TRUE);
	}

	void removeStrategy(ServiceReference<RestartStrategy> ref) {
		strategies.remove(ref);
	}

	/** One line of the table; the first service of a name (highest ranking) is the one in use. */
	record Row(String name, String bundle, String version, boolean inUse, List<String> modules) {
	}

	List<Row> rows() {
		Map<String, List<String>> usedBy = new TreeMap<>();
		Supervisor s = watchdog;
		if (s != null) {
			for (ModuleStatus m : s.modules()) {
				if (m.strategy() != null) {
					usedBy.computeIfAbsent(m.strategy().name(), k -> new ArrayList<>()).add(m.name());
				}
			}
		}
		List<Row> rows = new ArrayList<>();
		List<String> seen = new ArrayList<>();
		for (ServiceReference<RestartStrategy> ref : strategies.keySet()) {
			String name = String.valueOf(ref.getProperty(RestartStrategy.NAME_PROPERTY));
			Bundle b = ref.getBundle();
			if (b == null) {
				continue; // unregistered meanwhile
			}
			boolean first = !seen.contains(name);
			seen.add(name);
			rows.add(new Row(name, b.getSymbolicName(), b.getVersion().toString(), first,
					first ? usedBy.getOrDefault(name, List.of()) : List.of()));
		}
		usedBy.forEach((name, modules) -> {
			if (!seen.contains(name)) {
				rows.add(new Row(name, "-", "-", false, modules));
			}
		});
		rows.sort(java.util.Comparator.comparing(Row::name));
		return rows;
	}

	@Descriptor("list the restart strategies: name, bundle, version and the modules using each")
	public void strategies(@Descriptor("(none)") Object... none) {
		try {
			CommandArguments.none("pw:strategies", none);
		} catch (CommandArguments.Problem e) {
			System.err.println(e.getMessage());
			return;
		}
		System.out.print(format(rows()));
	}

	static String format(List<Row> rows) {
		StringBuilder out = new StringBuilder(String.format("%-12s %-32s %-16s %s%n", "STRATEGY", "BUNDLE", "VERSION", "MODULES"));
		for (Row r : rows) {
			String modules = String.join(",", r.modules());
			String bundle = r.bundle().equals("-") ? "(not deployed: modules naming it wait for it)"
					: r.bundle() + (r.inUse() ? "" : " (shadowed)");
			out.append(String.format("%-12s %-32s %-16s %s%n", r.name(), bundle, r.version(),
					modules.isEmpty() ? "-" : modules));
		}
		return out.toString();
	}
}
