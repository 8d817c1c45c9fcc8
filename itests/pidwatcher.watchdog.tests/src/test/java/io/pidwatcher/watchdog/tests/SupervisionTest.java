package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Poll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Acceptance 1, 2, 3, 4 and 7: restarts, daemons, whole-tree stop, lost tags. Real processes. */
class SupervisionTest extends WatchdogTestBase {

	/** 1. A program that crashes every few hundred ms is restarted each time, by a new process. */
	@Test
	void aCrashingProgramIsRestartedEachTime() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("crash"), "command", Modules.pwtest("crash", "400", "3"),
				"interval", "200ms");
		Set<Integer> pids = new HashSet<>();
		ModuleStatus s = modules.await(name, "3 restarts", s1 -> {
			if (s1.main() != null) {
				pids.add(s1.main().pid());
			}
			return s1.restarts() >= 3;
		});
		List<Failure> exits = s.failures().stream().filter(f -> f.kind() == Failure.Kind.EXITED).toList();
		assertThat(exits).hasSizeGreaterThanOrEqualTo(3);
		assertThat(exits).allSatisfy(f -> assertThat(f.exitStatus()).hasValue(3));
		List<JournalEntry> starts = supervisor.events(name, 1000).stream()
				.filter(e -> e.to() == ModuleState.STARTING).toList();
		assertThat(starts).hasSizeGreaterThanOrEqualTo(4);
		assertThat(starts.stream().map(JournalEntry::instance).distinct().count()).isEqualTo(starts.size());
		assertThat(pids).as("every run is a new process").hasSizeGreaterThanOrEqualTo(3);
	}

	/** 2. A double-forking setsid daemon whose parent exits stays running, and is restarted when it dies. */
	@Test
	void aDaemonThatDoubleForksStaysRunningAndIsRestartedWhenItDies() throws Exception {
		Path pidFile = Files.createTempFile("daemon", ".pid");
		Files.delete(pidFile);
		String name = modules.define(TestPrograms.uniqueModule("daemon"), "command",
				Modules.pwtest("daemon", pidFile.toString(), "120"), "interval", "200ms");
		Poll.until(Modules.WAIT, "daemon pid file", () -> Files.exists(pidFile) && pidFile.toFile().length() > 0);
		int daemon = Integer.parseInt(Files.readString(pidFile).trim());
		ModuleStatus running = modules.await(name, "running with the daemon only",
				s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 1 && s.tasks().get(0).pid() == daemon);
		assertThat(running.tasks().get(0).ppid()).as("the daemon escaped its parent, the runtime's child")
				.isNotEqualTo((int) ProcessHandle.current().pid());
		Thread.sleep(1000); // several intervals: it must stay running although its main process is gone
		ModuleStatus still = supervisor.status(name);
		assertThat(still.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(still.restarts()).isZero();

		Files.delete(pidFile);
		ProcessHandle.of(daemon).orElseThrow().destroyForcibly();
		modules.await(name, "restarted", s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
		Poll.until(Modules.WAIT, "new daemon pid file", () -> Files.exists(pidFile) && pidFile.toFile().length() > 0);
		int second = Integer.parseInt(Files.readString(pidFile).trim());
		assertThat(second).isNotEqualTo(daemon);
		modules.await(name, "tracking the new daemon", s -> s.tasks().stream().anyMatch(t -> t.pid() == second));
	}

	/** 3. A program that ignores SIGTERM is killed with SIGKILL after the timeout; no tagged task is left. */
	@Test
	void aProgramIgnoringSigtermIsKilledAfterTheTimeout() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("noterm"), "command",
				Modules.pwtest("ignore-term", "120"), "stop.timeout", "1s", "interval", "200ms");
		ModuleStatus running = modules.awaitState(name, ModuleState.RUNNING);
		TaskSnapshot main = running.tasks().get(0);
		Poll.until(Modules.WAIT, "SIGTERM ignored", () -> io.pidwatcher.testing.Proc.ignores(main.pid(), 15));
		StopReport report = supervisor.stop(name);
		assertThat(report.stopped()).isEqualTo(1);
		assertThat(report.killed()).isEqualTo(1);
		assertThat(report.remaining()).isZero();
		assertThat(report.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(modules.liveTree(name)).isEmpty();
		assertThat(Modules.alive(main)).isFalse();
		assertThat(supervisor.status(name).state()).isEqualTo(ModuleState.STOPPED);
		Thread.sleep(600);
		assertThat(supervisor.status(name).state()).as("a stopped module is not restarted").isEqualTo(ModuleState.STOPPED);
		assertThat(modules.liveTree(name)).isEmpty();
	}

	/** 4. A program forking a child every 10 ms while it is being stopped is stopped completely. */
	@Test
	void aForkingProgramIsStoppedCompletely() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("forker"), "command", Modules.pwtest("forker", "10", "120"),
				"stop.timeout", "2s", "interval", "200ms");
		modules.await(name, "many children", s -> s.state() == ModuleState.RUNNING && s.tasks().size() >= 10);
		StopReport report = supervisor.stop(name);
		assertThat(report.remaining()).isZero();
		assertThat(report.stopped()).isGreaterThanOrEqualTo(10);
		assertThat(modules.liveTree(name)).isEmpty();
		Thread.sleep(300); // nothing forked late
		assertThat(modules.liveTree(name)).isEmpty();
	}

	/** 7. A child that cleared its environment (no tag) is still part of the module and stopped with it. */
	@Test
	void aChildWithAClearedEnvironmentIsStoppedWithItsModule() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("clearenv"), "command", Modules.pwtest("clearenv", "120"),
				"interval", "200ms");
		// Tracked either by the reader's lineage (the kernel's process events as root: a FORK member
		// with the inherited value) or, where that cannot be had, by the watchdog's own ancestry.
		ModuleStatus s = modules.await(name, "the child that cleared its environment tracked",
				st -> st.state() == ModuleState.RUNNING && st.tasks().stream().anyMatch(SupervisionTest::lostItsTag));
		TaskSnapshot untagged = s.tasks().stream().filter(SupervisionTest::lostItsTag).findFirst().orElseThrow();
		if (untagged.membership() == io.pidwatcher.api.reader.Membership.FORK) {
			assertThat(reader.scan(io.pidwatcher.api.reader.ScanScope.module(name)).tasks())
					.as("the reader lists it by lineage").anyMatch(t -> t.pid() == untagged.pid());
		} else {
			assertThat(reader.scan(io.pidwatcher.api.reader.ScanScope.module(name)).tasks())
					.as("the reader alone no longer sees it").noneMatch(t -> t.pid() == untagged.pid());
		}
		assertThat(io.pidwatcher.testing.Proc.tagged(name)).as("nor does /proc: it carries no tag")
				.noneMatch(t -> t.pid() == untagged.pid());
		assertThat(modules.liveTree(name)).as("/proc: it descends from the module's tagged tasks")
				.anyMatch(t -> t.pid() == untagged.pid());
		StopReport report = supervisor.stop(name);
		assertThat(report.stopped()).isEqualTo(2);
		assertThat(Modules.alive(untagged)).isFalse();
		assertThat(modules.liveTree(name)).isEmpty();
	}

	private static boolean lostItsTag(TaskSnapshot t) {
		return t.tagValue() == null || t.membership() == io.pidwatcher.api.reader.Membership.FORK;
	}

	/** Editing a running module's config restarts nothing; the new command applies at the next start. */
	@Test
	void editingTheConfigDoesNotRestartAHealthyModule() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("edit"), "command", Modules.pwtest("sleep", "120"),
				"interval", "200ms");
		ModuleStatus before = modules.awaitState(name, ModuleState.RUNNING);
		modules.define(name, "command", Modules.pwtest("sleep", "121"), "interval", "300ms");
		ModuleStatus after = modules.await(name, "edit noticed", s -> !s.configProblem().isEmpty());
		assertThat(after.configProblem()).contains("next restart");
		Thread.sleep(700);
		after = supervisor.status(name);
		assertThat(after.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(after.main()).isEqualTo(before.main());
		assertThat(after.command()).last().isEqualTo("120");
		supervisor.restart(name);
		ModuleStatus restarted = modules.await(name, "running the new command",
				s -> s.state() == ModuleState.RUNNING && s.command().get(s.command().size() - 1).equals("121"));
		assertThat(restarted.main()).isNotEqualTo(before.main());
	}
}
