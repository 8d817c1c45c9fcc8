package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The dependency graph alone: names, cycles, orders. */
class DependencyGraphTest {

	private static DependencyGraph.Edges edges(String module, String requires, String after) {
		Map<String, Object> props = new LinkedHashMap<>();
		if (requires != null) {
			props.put("requires", requires);
		}
		if (after != null) {
			props.put("after", after);
		}
		return DependencyGraph.Edges.parse(module, props);
	}

	private static DependencyGraph graph(String... moduleRequiresAfter) {
		Map<String, DependencyGraph.Edges> edges = new LinkedHashMap<>();
		for (int i = 0; i < moduleRequiresAfter.length; i += 3) {
			edges.put(moduleRequiresAfter[i], edges(moduleRequiresAfter[i], moduleRequiresAfter[i + 1],
					moduleRequiresAfter[i + 2]));
		}
		return new DependencyGraph(edges);
	}

	@Test
	void namesAreSeparatedByCommasOrSpacesAndRequiresImpliesAfter() {
		DependencyGraph.Edges e = edges("web", " db,cache  queue ,, db", "db log");
		assertThat(e.requires()).containsExactly("db", "cache", "queue");
		assertThat(e.after()).as("db is already required").containsExactly("log");
		assertThat(e.all()).containsExactly("db", "cache", "queue", "log");
		assertThat(edges("web", "", " ")).isEqualTo(DependencyGraph.Edges.NONE);
	}

	@Test
	void aBadNameOrTheModuleItselfIsRefusedNamingTheKey() {
		assertThatThrownBy(() -> edges("web", "db;rm", null)).hasMessageStartingWith("requires: 'db;rm' is not a module name");
		assertThatThrownBy(() -> edges("web", null, "web")).hasMessageStartingWith("after cycle: web -> web");
		assertThatThrownBy(() -> edges("web", "db web", null)).hasMessageStartingWith("requires cycle: web -> web");
	}

	@Test
	void aCycleIsNamedAlongItsPath() {
		assertThat(graph("a", "b", null, "b", "a", null).cycle()).hasValue("requires cycle: a -> b -> a");
		assertThat(graph("a", null, "c", "b", null, "a", "c", null, "b").cycle()).hasValue("after cycle: a -> c -> b -> a");
		assertThat(graph("a", "b", null, "b", null, "c", "c", "a", null).cycle())
				.hasValue("requires/after cycle: a -(requires)-> b -(after)-> c -(requires)-> a");
		assertThat(graph("a", null, null, "b", "a", null, "c", "a b", "x").cycle()).as("a diamond, an unknown name").isEmpty();
	}

	@Test
	void startOrderPutsEachModuleAfterWhatItNamesAndStopOrderIsTheReverseOfItsDependents() {
		// defined from the end of the chain: e requires d requires c requires b requires a; x requires b; y after a
		DependencyGraph g = graph("e", "d", null, "d", "c", null, "x", "b", null, "c", "b", null, "b", "a", null,
				"a", null, null, "y", null, "a");
		assertThat(g.startOrder()).containsExactly("a", "b", "c", "d", "e", "x", "y");
		assertThat(g.dependentsInStopOrder("b")).containsExactly("x", "e", "d", "c");
		assertThat(g.dependentsInStopOrder("a")).as("after= is no dependency to stop").containsExactly("x", "e", "d", "c", "b");
		assertThat(g.dependentsInStopOrder("e")).isEmpty();
		assertThat(g.requiredBy("b")).containsExactly("x", "c");
		assertThat(g.orderedAfter("a")).containsExactly("b", "y");
		assertThat(g.unknown("e")).isEmpty();
		assertThat(graph("w", "db", "log").unknown("w")).isEqualTo(List.of("db", "log"));
	}
}
