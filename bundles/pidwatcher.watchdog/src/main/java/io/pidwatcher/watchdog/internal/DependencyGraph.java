package io.pidwatcher.watchdog.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The requires= and after= edges between modules (issue 14 part 1): parsing the names, finding a
 * cycle, the order to start in and the dependents of a module. Pure: it knows only names, so the
 * engine's decisions (Dependencies) are tested apart from it.
 */
final class DependencyGraph {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:+-]{1,64}");

	/** One module's edges: what it requires (implies after) and what it is only ordered after. */
	record Edges(List<String> requires, List<String> after) {

		static final Edges NONE = new Edges(List.of(), List.of());

		Edges {
			requires = List.copyOf(requires);
			after = List.copyOf(after);
		}

		/** Parses requires= and after= of a module's properties; throws IllegalArgumentException naming the key. */
		static Edges parse(String module, Map<String, Object> props) {
			List<String> requires = names("requires", ModuleSpec.text(props, "requires", ""));
			List<String> after = names("after", ModuleSpec.text(props, "after", ""));
			if (requires.contains(module) || after.contains(module)) {
				String key = requires.contains(module) ? "requires" : "after";
				throw new IllegalArgumentException(key + " cycle: " + module + " -> " + module + " (a module cannot "
						+ key + " itself)");
			}
			List<String> onlyAfter = new ArrayList<>(after);
			onlyAfter.removeAll(requires); // requires= implies after=
			return new Edges(requires, onlyAfter);
		}

		/** Every module these edges name, requires first. */
		List<String> all() {
			List<String> all = new ArrayList<>(requires);
			all.addAll(after);
			return all;
		}

		String kindOf(String target) {
			return requires.contains(target) ? "requires" : "after";
		}
	}

	/** Module names separated by commas and/or white space, each a valid module name, no duplicates. */
	static List<String> names(String key, String text) {
		Set<String> out = new LinkedHashSet<>();
		for (String s : text.trim().split("[,\\s]+")) {
			if (s.isEmpty()) {
				continue;
			}
			if (!NAME.matcher(s).matches()) {
				throw new IllegalArgumentException(key + ": '" + s + "' is not a module name (1-64 letters, digits or "
						+ "_ . @ : + -; names are separated by commas or spaces)");
			}
			out.add(s);
		}
		return List.copyOf(out);
	}

	private final Map<String, Edges> edges;

	/** @param edges each defined module's edges, in the order modules were first defined */
	DependencyGraph(Map<String, Edges> edges) {
		this.edges = new LinkedHashMap<>(edges);
	}

	boolean defined(String module) {
		return edges.containsKey(module);
	}

	Edges of(String module) {
		return edges.getOrDefault(module, Edges.NONE);
	}

	/** The names module's edges name that no module defines. */
	List<String> unknown(String module) {
		return of(module).all().stream().filter(n -> !edges.containsKey(n)).toList();
	}

	/** The modules that require module directly, in definition order. */
	List<String> requiredBy(String module) {
		return edges.entrySet().stream().filter(x -> x.getValue().requires().contains(module)).map(Map.Entry::getKey)
				.toList();
	}

	/** The modules ordered after module (after= or requires=) directly, in definition order. */
	List<String> orderedAfter(String module) {
		return edges.entrySet().stream().filter(x -> x.getValue().all().contains(module)).map(Map.Entry::getKey)
				.toList();
	}

	/**
	 * Everything that requires module, directly or through others, in the order to stop them: a module
	 * comes before everything it requires (e before d before c).
	 */
	List<String> dependentsInStopOrder(String module) {
		Set<String> all = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>(List.of(module));
		while (!todo.isEmpty()) {
			for (String d : requiredBy(todo.pop())) {
				if (all.add(d)) {
					todo.push(d);
				}
			}
		}
		List<String> order = new ArrayList<>(startOrder());
		order.retainAll(all);
		Collections.reverse(order);
		return order;
	}

	/**
	 * The first cycle through requires= and after= edges, as the path that closes it, e.g.
	 * "requires cycle: a -> b -> a"; empty when there is none.
	 */
	Optional<String> cycle() {
		return cycleFrom(null);
	}

	/** As cycle(), looked for from first (a cycle through it is then named from it: "c -> a -> b -> c"). */
	Optional<String> cycleFrom(String first) {
		Map<String, Integer> mark = new HashMap<>(); // 1: on the path, 2: done
		List<String> starts = new ArrayList<>();
		if (first != null) {
			starts.add(first);
		}
		starts.addAll(edges.keySet());
		for (String start : starts) {
			List<String> path = new ArrayList<>();
			Optional<String> found = visit(start, mark, path);
			if (found.isPresent()) {
				return found;
			}
		}
		return Optional.empty();
	}

	private Optional<String> visit(String node, Map<String, Integer> mark, List<String> path) {
		Integer m = mark.get(node);
		if (m != null && m == 2) {
			return Optional.empty();
		}
		if (m != null && m == 1) {
			List<String> loop = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
			loop.add(node);
			return Optional.of(describe(loop));
		}
		mark.put(node, 1);
		path.add(node);
		for (String next : of(node).all()) {
			if (edges.containsKey(next)) {
				Optional<String> found = visit(next, mark, path);
				if (found.isPresent()) {
					return found;
				}
			}
		}
		path.remove(path.size() - 1);
		mark.put(node, 2);
		return Optional.empty();
	}

	/** "requires cycle: a -> b -> a", "after cycle: ...", or with both kinds each edge named. */
	private String describe(List<String> loop) {
		Set<String> kinds = new HashSet<>();
		for (int i = 0; i + 1 < loop.size(); i++) {
			kinds.add(of(loop.get(i)).kindOf(loop.get(i + 1)));
		}
		if (kinds.size() == 1) {
			return kinds.iterator().next() + " cycle: " + String.join(" -> ", loop);
		}
		StringBuilder out = new StringBuilder("requires/after cycle: ").append(loop.get(0));
		for (int i = 0; i + 1 < loop.size(); i++) {
			out.append(" -(").append(of(loop.get(i)).kindOf(loop.get(i + 1))).append(")-> ").append(loop.get(i + 1));
		}
		return out.toString();
	}

	/**
	 * Every defined module, each after what it requires or is ordered after (definition order
	 * otherwise); a module on a cycle comes where the cycle is entered.
	 */
	List<String> startOrder() {
		List<String> order = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (String m : edges.keySet()) {
			place(m, seen, order);
		}
		return order;
	}

	private void place(String m, Set<String> seen, List<String> order) {
		if (!seen.add(m)) {
			return;
		}
		for (String before : of(m).all()) {
			if (edges.containsKey(before)) {
				place(before, seen, order);
			}
		}
		order.add(m);
	}
}
