package io.pidwatcher.watchdog.internal;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which keys a module file may hold, so that a typo ({@code strategy.dealy=5s}, {@code usr=web})
 * marks the module invalid instead of being lost. The plain keys are read from
 * {@link ModuleConfig}, the Metatype definition that documents them, so a key added there is
 * known here; keys under a prefix are checked by their owner ({@code limit.} by
 * {@link ResourceLimit}, {@code strategy.} and {@code policy.} by {@link ParameterChecks} with
 * what the strategy or policy declares).
 */
final class KeyNames {

	/** Keys documented by ModuleConfig, e.g. "command", "stop.signal". */
	static final Set<String> PLAIN = plainKeys();

	/** The documented prefixes: env.VAR, strategy.KEY, policy.POLICY.KEY, limit.NAME. */
	static final List<String> PREFIXES = List.of("env.", "strategy.", "policy.", "limit.");

	private KeyNames() {
	}

	/**
	 * Whether Config Admin, FileInstall or SCR put the key there (service.pid,
	 * felix.fileinstall.filename, component.name, osgi.ds.satisfying.condition.target, private
	 * ".name" properties): not the user's, never an error.
	 */
	static boolean addedByTheFramework(String key) {
		return key.startsWith("service.") || key.startsWith("felix.fileinstall.") || key.startsWith("component.")
				|| key.startsWith("osgi.ds.") || key.startsWith(".") || key.startsWith(":org.apache.felix.");
	}

	/**
	 * @throws IllegalArgumentException for the first key (in sorted order) that is neither a plain
	 *                                  key, nor under a prefix, nor the framework's
	 */
	static void checkPlainKeys(Map<String, Object> properties) {
		for (String key : new TreeSet<>(properties.keySet())) {
			if (PLAIN.contains(key) || addedByTheFramework(key) || PREFIXES.stream().anyMatch(key::startsWith)) {
				continue;
			}
			Set<String> known = new TreeSet<>(PLAIN);
			for (String limit : ResourceLimit.NAMES.keySet()) {
				known.add("limit." + limit);
			}
			throw new IllegalArgumentException("unknown key '" + key + "'" + suggestion(key, known, ""));
		}
	}

	/** " (did you mean 'prefix+nearest'?)", or "" when no known key is near enough to be the intended one. */
	static String suggestion(String key, Collection<String> known, String prefix) {
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String k : known) {
			int d = distance(key, k);
			if (d < bestDistance) {
				best = k;
				bestDistance = d;
			}
		}
		// two edits, or a third of the key for long ones: beyond that a suggestion misleads
		int allowed = Math.max(2, key.length() / 3);
		return best != null && bestDistance <= allowed ? " (did you mean '" + prefix + best + "'?)" : "";
	}

	/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps ("dealy"). */
	static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

	private static Set<String> plainKeys() {
		Set<String> keys = new TreeSet<>();
		for (Method m : ModuleConfig.class.getDeclaredMethods()) {
			keys.add(attributeId(m.getName()));
		}
		return java.util.Collections.unmodifiableSet(keys);
	}

	/** The Metatype/DS name mapping (OSGi Compendium 105.15.2.2): $$ is $, $_$ is -, __ is _, _ is ., a lone $ goes. */
	static String attributeId(String method) {
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < method.length(); i++) {
			char c = method.charAt(i);
			if (c == '$') {
				if (method.startsWith("$$", i)) {
					out.append('$');
					i++;
				} else if (method.startsWith("$_$", i)) {
					out.append('-');
					i += 2;
				}
			} else if (c == '_') {
				if (method.startsWith("__", i)) {
					out.append('_');
					i++;
				} else {
					out.append('.');
				}
			} else {
				out.append(c);
			}
		}
		return out.toString();
	}
}
