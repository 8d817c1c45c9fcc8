package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** requires= and after= in the engine, on the fake machine (see EngineFixture). */
class DependenciesTest {

	@TempDir
	Path home;
	private EngineFixture f;

	@BeforeEach
	void engine() {
		f = new EngineFixture(home);
		f.treesExitWhenStopped();
		f.strategy("test", r -> new RestartDecision.RestartAfter(Duration.ofMillis(100), "restart after 100ms"));
	}

	@AfterEach
	void close() {
		f.close();
		assertThat(f.errors).as("errors the engine logged").isEmpty();
	}

	/** Steps and 20 ms advances until nothing changes (each level of a chain takes one). */
	private void settle() {
		for (int i = 0; i < 20; i++) {
			f.step();
			f.advance(Duration.ofMillis(20));
		}
	}

	private void chain() {
		// defined from the end, as FileInstall might: each requires the one before
		f.define("e", "strategy", "test", "requires", "d");
		f.define("d", "strategy", "test", "requires", "c");
		f.define("c", "strategy", "test", "requires", "b");
		f.define("b", "strategy", "test", "requires", "a");
		f.define("a", "strategy", "test");
		settle();
		for (String m : List.of("a", "b", "c", "d", "e")) {
			assertThat(f.state(m)).as(m).isEqualTo(ModuleState.RUNNING);
		}
	}

	/** The journal's changes of state of every module, as "module:FROM->TO", oldest first. */
	private List<String> changes() {
		return f.engine.journal.recent(null, 1000).stream().filter(j -> j.from() != j.to())
				.map(j -> j.module() + ":" + j.from() + "->" + j.to()).toList();
	}

	private static List<String> only(List<String> changes, String... kinds) {
		return changes.stream().filter(c -> List.of(kinds).stream().anyMatch(c::endsWith)).toList();
	}

	@Test
	void aChainStartsInDependencyOrderWhateverTheOrderOfDefinition() {
		f.define("b", "strategy", "test", "requires", "a");
		f.step();
		assertThat(f.state("b")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("b").reason()).isEqualTo("waiting for a (requires): not defined yet");
		chain();
		assertThat(f.startOrder()).containsExactly("a", "b", "c", "d", "e");
		assertThat(f.engine.dependencies.describe("b")).isEqualTo("requires: a; after: -; required by: c");
	}

	@Test
	void aFailureInTheMiddleStopsWhatRequiresItDeepestFirstAndStartsThemAgainOnceItRuns() {
		chain();
		int before = changes().size();
		f.exit("c", 1);
		f.step();
		assertThat(f.state("d")).isIn(ModuleState.STOPPING, ModuleState.WAITING);
		settle();
		List<String> after = changes().subList(before, changes().size());
		assertThat(only(after, "->STOPPING", "->FAILED", "->STARTING", "->RUNNING")).containsExactly(
				"c:RUNNING->FAILED", "e:RUNNING->STOPPING", "d:RUNNING->STOPPING",
				"c:WAITING->STARTING", "c:STARTING->RUNNING", "d:WAITING->STARTING", "d:STARTING->RUNNING",
				"e:WAITING->STARTING", "e:STARTING->RUNNING");
		assertThat(after.indexOf("e:STOPPING->WAITING")).as("e stopped before d").isLessThan(after.indexOf("d:STOPPING->WAITING"));
		assertThat(after.indexOf("d:STOPPING->WAITING")).as("before c restarts").isLessThan(after.indexOf("c:WAITING->STARTING"));
		assertThat(f.startOrder()).containsExactly("a", "b", "c", "d", "e", "c", "d", "e");
		assertThat(List.of(f.state("a"), f.state("b"), f.state("c"), f.state("d"), f.state("e"))).containsOnly(ModuleState.RUNNING);
		assertThat(f.status("c").restarts()).isEqualTo(1);
		assertThat(f.status("d").restarts()).as("restarted with c, not for a failure of its own").isZero();
		assertThat(f.journal("d")).anyMatch(r -> r.startsWith("stopping: c, which it requires, failed (all tasks exited"));
	}

	@Test
	void whenWhatItRequiresGivesUpADependentSaysSo() {
		f.strategy("never", r -> new RestartDecision.GiveUp("gave up: no restarts"));
		f.define("db", "strategy", "never");
		f.define("web", "strategy", "test", "requires", "db");
		settle();
		f.exit("db", 1);
		settle();
		assertThat(f.state("db")).isEqualTo(ModuleState.GAVE_UP);
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").reason()).isEqualTo("waiting for db (requires) to start again: gave up");

		f.engine.launcher.startByRequest("db");
		settle();
		assertThat(f.state("web")).as("starts again once db runs").isEqualTo(ModuleState.RUNNING);
	}

	@Test
	void aStopByRequestStopsDependentsFirstInReverseOrderAndTheyStayStopped() {
		chain();
		int before = changes().size();
		f.engine.stops.stop("b", true);
		List<String> after = changes().subList(before, changes().size());
		assertThat(only(after, "->STOPPED")).containsExactly("e:STOPPING->STOPPED", "d:STOPPING->STOPPED",
				"c:STOPPING->STOPPED", "b:STOPPING->STOPPED");
		assertThat(after.indexOf("e:STOPPING->STOPPED")).isLessThan(after.indexOf("d:RUNNING->STOPPING"));
		assertThat(f.status("d").reason()).startsWith("stopped (b, which it requires, is stopping): ");
		assertThat(f.state("a")).isEqualTo(ModuleState.RUNNING);

		f.engine.launcher.startByRequest("b");
		settle();
		assertThat(f.state("b")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.state("c")).as("a start of b starts nothing that requires it (systemd, s6-rc)")
				.isEqualTo(ModuleState.STOPPED);

		f.engine.stops.stop("a", true);
		f.engine.launcher.startByRequest("d");
		settle();
		assertThat(f.startOrder()).as("a start of d starts what it requires first").endsWith("a", "b", "c", "d");
		assertThat(f.state("e")).isEqualTo(ModuleState.STOPPED);
	}

	@Test
	void afterOrdersStartsOnlyAndNeverStopsAnything() {
		f.define("web", "strategy", "test", "after", "db");
		f.define("db", "strategy", "test");
		f.step();
		assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").reason()).isEqualTo("waiting for db (after): starting");
		settle();
		assertThat(f.startOrder()).containsExactly("db", "web");
		f.exit("db", 1);
		settle();
		assertThat(f.transitions("web")).containsExactly("STOPPED->WAITING", "WAITING->STARTING", "STARTING->RUNNING");
		f.engine.stops.stop("db", true);
		assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
	}

	@Test
	void anAfterOnAModuleThatIsStoppedOrAbsentDoesNotHoldTheStart() {
		f.define("db", "strategy", "test", "autostart", "false");
		f.define("web", "strategy", "test", "after", "db");
		settle();
		assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.state("db")).isEqualTo(ModuleState.STOPPED);
	}

	@Test
	void aCycleMakesANewConfigInvalidAndLeavesAChangedOneInForce() {
		f.define("a", "strategy", "test", "requires", "b");
		f.define("b", "strategy", "test", "requires", "c");
		f.define("c", "strategy", "test", "requires", "a");
		assertThat(f.state("c")).isEqualTo(ModuleState.INVALID);
		assertThat(f.status("c").reason()).startsWith("invalid config: requires cycle: c -> a -> b -> c");
		assertThat(f.state("b")).isNotEqualTo(ModuleState.INVALID);

		f.define("c", "strategy", "test"); // fixed: the chain starts
		settle();
		assertThat(f.startOrder()).containsExactly("c", "b", "a");

		f.define("c", "strategy", "test", "after", "a"); // a change that closes a cycle through after=
		assertThat(f.status("c").configProblem()).startsWith("config change rejected, the previous config stays in force: "
				+ "requires/after cycle: c -(after)-> a -(requires)-> b -(requires)-> c");
		assertThat(f.engine.dependencies.describe("c")).isEqualTo("requires: -; after: -; required by: b");
		assertThat(List.of(f.state("a"), f.state("b"), f.state("c"))).containsOnly(ModuleState.RUNNING);
		f.errors.clear(); // the rejections were logged as errors, as they should be
	}

	@Test
	void anUndefinedNameWaitsForItsGraceThenMakesTheConfigInvalidUntilItIsDefined() {
		f.define("web", "strategy", "test", "requires", "db");
		settle();
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		f.advance(DependencyConfigs.UNKNOWN_GRACE);
		assertThat(f.state("web")).isEqualTo(ModuleState.INVALID);
		assertThat(f.status("web").reason()).isEqualTo("invalid config: requires names module 'db', which no config "
				+ "defines: not defined within 10s of this config (read again when it is defined)");
		assertThat(f.starts).isEmpty();

		f.define("db", "strategy", "test");
		settle();
		assertThat(f.startOrder()).containsExactly("db", "web");
		f.errors.clear();
	}

	@Test
	void aChangeNamingAnUndefinedModuleIsTurnedDownUntilItIsDefined() {
		f.define("web", "strategy", "test");
		settle();
		f.define("web", "strategy", "test", "requires", "db");
		assertThat(f.status("web").configProblem()).endsWith("requires names module 'db', which no config defines "
				+ "(read again when it is defined)");
		assertThat(f.engine.dependencies.describe("web")).startsWith("requires: -");
		f.define("db", "strategy", "test");
		assertThat(f.status("web").configProblem()).isEmpty();
		assertThat(f.engine.dependencies.describe("web")).startsWith("requires: db;");
		assertThat(f.engine.dependencies.describe("db")).endsWith("required by: web");
		f.errors.clear();
	}

	@Test
	void aRemovedModuleStopsWhatRequiresItFirst() {
		chain();
		f.engine.definitions.undefine("c", true);
		settle();
		List<String> stopped = only(changes(), "STOPPING->STOPPED");
		assertThat(stopped).containsExactly("e:STOPPING->STOPPED", "d:STOPPING->STOPPED", "c:STOPPING->STOPPED");
		assertThat(f.status("d").reason()).startsWith("stopped (c, which it requires, was removed)");
		assertThatThrownBy(() -> f.engine.launcher.startByRequest("d")).hasMessage("module d requires c, which is not defined");
	}

	@Test
	void aModuleDoesNotRestartWhileWhatRequiresItIsStillStopping() {
		f.define("db", "strategy", "test");
		f.define("web", "strategy", "test", "requires", "db");
		settle();
		f.exit("db", 1);
		f.step(); // db failed, web STOPPING
		assertThat(f.state("web")).isIn(ModuleState.STOPPING, ModuleState.WAITING);
		settle();
		List<JournalEntry> all = f.engine.journal.recent(null, 1000);
		int webStopped = indexOf(all, "web", ModuleState.STOPPING, ModuleState.WAITING);
		int dbStarted = indexOf(all, "db", ModuleState.WAITING, ModuleState.STARTING);
		assertThat(webStopped).isNotNegative().isLessThan(dbStarted);
	}

	/** Failed before the hold waited for the next run: d started again while c's old run was still up. */
	@Test
	void aRestartStopsWhatRequiresItFirstAndStartsItAgainOnlyAfterTheNextRun() throws Exception {
		chain();
		// pw:restart's stop waits for the dependents' stops, which run on the (fake) stoppers: step them
		Thread stop = new Thread(() -> f.engine.stops.stop("c", false));
		stop.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (stop.isAlive() && System.nanoTime() < deadline) {
			f.step();
			Thread.sleep(5);
		}
		assertThat(stop.isAlive()).as("the restart's stop returned").isFalse();
		settle();
		assertThat(f.state("c")).isEqualTo(ModuleState.STOPPED);
		assertThat(List.of(f.state("d"), f.state("e"))).containsOnly(ModuleState.WAITING);
		assertThat(f.status("d").reason()).isEqualTo("waiting for c (requires) to start again: stopped");
		assertThat(f.startOrder()).as("nothing started while c is down").containsExactly("a", "b", "c", "d", "e");

		f.engine.launcher.startByRequest("c");
		settle();
		assertThat(f.startOrder()).containsExactly("a", "b", "c", "d", "e", "c", "d", "e");
		assertThat(List.of(f.state("c"), f.state("d"), f.state("e"))).containsOnly(ModuleState.RUNNING);
	}

	private static int indexOf(List<JournalEntry> all, String module, ModuleState from, ModuleState to) {
		for (int i = 0; i < all.size(); i++) {
			JournalEntry j = all.get(i);
			if (j.module().equals(module) && j.from() == from && j.to() == to) {
				return i;
			}
		}
		return -1;
	}
}
