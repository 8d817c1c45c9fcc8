package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

/**
 * main= (issue 11 part 3) and pw:release (part 4) with real processes: the main process's death is
 * the module's, its orphaned workers are stopped before the restart; main=none keeps the old meaning;
 * a released process outlives a stop of its module.
 */
class MainProcessAndReleaseTest extends WatchdogTestBase {

	private static final Duration WAIT = Duration.ofSeconds(30);
	/** A main process with two workers that outlive it when it dies. */
	private static final String THREE = "sh -c '" + Modules.pwtest("sleep", "600") + " & " + Modules.pwtest("sleep", "600")
			+ " & exec " + Modules.pwtest("sleep", "600") + "'";

	private final List<Integer> ours = new ArrayList<>();

	@AfterEach
	void killWhatWasReleased() {
		ours.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
	}

	@Test
	void aKilledMainProcessHasItsOrphanedWorkersStoppedBeforeTheRestart() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("mainkill"), "command", THREE, "stop.timeout", "2s");
		ModuleStatus s = modules.await(name, "running with 3 tasks", x -> x.state() == ModuleState.RUNNING
				&& x.tasks().size() == 3 && x.main() != null);
		TaskId main = s.main();
		List<TaskId> workers = s.tasks().stream().map(t -> t.id()).filter(id -> !id.equals(main)).toList();
		ProcessHandle.of(main.pid()).orElseThrow().destroyForcibly();
		ModuleStatus after = modules.await(name, "restarted with 3 new tasks", x -> x.restarts() == 1
				&& x.state() == ModuleState.RUNNING && x.tasks().size() == 3);
		assertThat(workers).as("the old workers").noneMatch(Modules::alive);
		assertThat(after.tasks()).extracting(t -> t.id()).doesNotContain(main).doesNotContainAnyElementsOf(workers);
		assertThat(supervisor.events(name, 50)).anyMatch(e -> e.reason().contains("main process pid " + main.pid()
				+ " was killed by signal 9"));
	}

	@Test
	void mainNoneKeepsAModuleWhoseMainProcessDiedRunningWhileAnythingLives() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("mainnone"), "command", THREE, "main", "none");
		ModuleStatus s = modules.await(name, "running with 3 tasks", x -> x.state() == ModuleState.RUNNING
				&& x.tasks().size() == 3 && x.main() != null);
		ProcessHandle.of(s.main().pid()).orElseThrow().destroyForcibly();
		Poll.until(WAIT, "main gone", () -> !Modules.alive(s.main()));
		Thread.sleep(1500); // a few scans at the default 1s interval
		ModuleStatus after = supervisor.status(name);
		assertThat(after.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(after.restarts()).isZero();
		assertThat(modules.liveTree(name)).hasSize(2);
	}

	@Test
	void aReleasedProcessOutlivesTheStopOfItsModuleAndTheJournalSaysWhoAsked() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("release"), "command", THREE);
		ModuleStatus s = modules.await(name, "running with 3 tasks", x -> x.state() == ModuleState.RUNNING
				&& x.tasks().size() == 3 && x.main() != null);
		int worker = s.tasks().stream().filter(t -> !t.id().equals(s.main())).findFirst().orElseThrow().pid();
		ours.add(worker);
		assertThat(release(name, s.main().pid())).startsWith("not released: pid " + s.main().pid() + " is the main process");
		assertThat(release(name, 1)).isEqualTo("not released: pid 1 is not a process of module " + name + " (pw:ps "
				+ name + " lists them)");
		assertThat(release(name, worker)).startsWith("released pid " + worker);
		modules.await(name, "2 tasks left", x -> x.tasks().size() == 2);
		supervisor.stop(name);
		assertThat(Proc.task(worker)).as("the released worker after pw:stop").isNotNull();
		assertThat(modules.liveTree(name)).extracting(Proc.Task::pid).containsExactly(worker); // it keeps its tag
		assertThat(supervisor.events(name, 50)).anyMatch(e -> e.reason().startsWith("released pid " + worker)
				&& e.reason().contains("on request of pw:release at the prompt"));
	}

	/** pw:release as Gogo calls it: the command service's method, its printed answer. */
	private static String release(String module, int pid) throws Exception {
		BundleContext context = FrameworkUtil.getBundle(MainProcessAndReleaseTest.class).getBundleContext();
		ServiceReference<?>[] refs = context.getServiceReferences((String) null,
				"(&(osgi.command.scope=pw)(osgi.command.function=release))");
		assertThat(refs).as("the pw:release command service").isNotNull().hasSize(1);
		Object command = context.getService(refs[0]);
		PrintStream out = System.out;
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
		try {
			command.getClass().getMethod("release", String.class, int.class).invoke(command, module, pid);
		} finally {
			System.setOut(out);
			context.ungetService(refs[0]);
		}
		return buffer.toString(StandardCharsets.UTF_8).trim();
	}
}
