package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/** The pw: module commands, through a real Gogo session, on real processes. */
class ModuleCommandsTest extends WatchdogTestBase {

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@InjectService
	io.pidwatcher.api.supervisor.RuntimeHome home;

	/** Output goes to var/log/NAME.log, rotated past log.size while the program keeps writing. */
	@Test
	void outputGoesToARotatedLogFile() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("log"), "command",
				"/bin/sh -c 'while :; do echo \"line $$ of output to fill the log\"; sleep 0.01; done'",
				"interval", "200ms", "log.size", "2k", "log.files", "2", "env.LC_ALL", "C");
		modules.awaitState(name, ModuleState.RUNNING);
		java.nio.file.Path log = home.var().resolve("log").resolve(name + ".log");
		java.nio.file.Path first = log.resolveSibling(name + ".log.1");
		Poll.until(Modules.WAIT, "a rotated log", () -> java.nio.file.Files.exists(first));
		assertThat(java.nio.file.Files.readString(first)).contains("line ").contains("of output to fill the log");
		// through a few more rotations, the rotated file is never seen empty or cut (it once was:
		// rotation copied into name.log.1 in place)
		long until = System.nanoTime() + 3_000_000_000L;
		int looks = 0;
		while (System.nanoTime() < until) {
			String rotated = java.nio.file.Files.readString(first);
			assertThat(rotated).as("name.log.1 at look %d", looks).contains("of output to fill the log");
			looks++;
		}
		Poll.until(Modules.WAIT, "the live log written again", () -> java.nio.file.Files.exists(log) && log.toFile().length() > 0);
		assertThat(java.nio.file.Files.readString(log)).contains("of output to fill the log");
	}

	@Test
	void stopStartRestartStatusAndEvents() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("gogo"), "command", Modules.pwtest("tree", "1", "2", "120"),
				"interval", "200ms", "autostart", "false");
		modules.awaitState(name, ModuleState.STOPPED);
		assertThat(modules.liveTree(name)).as("autostart=false starts nothing").isEmpty();

		assertThat(Gogo.run(gogo, "pw:start " + name)).contains(name + ": starting");
		ModuleStatus running = modules.await(name, "running with 3 tasks",
				s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 3);

		assertThat(Gogo.run(gogo, "pw:modules")).containsPattern(name + "\\s+running\\s+[0-9.]+m?s\\s+0\\s+3 ");
		String status = Gogo.run(gogo, "pw:status " + name);
		assertThat(status).contains("module " + name + ": running").contains("main       pid " + running.main().pid())
				.contains("strategy   backoff").contains("tree: 3 tasks").contains(" \\_ pwtest");

		assertThat(Gogo.run(gogo, "pw:restart " + name)).contains("stopped " + name + ": 3 tasks stopped, 0 of them with SIGKILL")
				.contains(name + ": starting");
		ModuleStatus again = modules.await(name, "running again", s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 3);
		assertThat(again.main()).isNotEqualTo(running.main());

		assertThat(Gogo.run(gogo, "pw:stop " + name)).contains("stopped " + name + ": 3 tasks stopped");
		assertThat(modules.liveTree(name)).isEmpty();

		String events = Gogo.run(gogo, "pw:events " + name);
		assertThat(events).contains("stopped -> starting").contains("starting -> running").contains("running -> stopping")
				.contains("stopping -> stopped");
		assertThat(Gogo.run(gogo, "pw:events")).contains(name);
		assertThat(Gogo.run(gogo, "pw:status no-such-module")).contains("no module named 'no-such-module'");
	}
}
