package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.StrategyStatus;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * Bad configs are shown as invalid with their reason and touch nothing else; a truncated or
 * binary .cfg file (through the real FileInstall) changes nothing that is running.
 */
class BadInputTest extends WatchdogTestBase {

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@InjectService
	RuntimeHome home;

	@Test
	void badConfigsAreInvalidWithTheirReasonAndEveryOtherModuleKeepsRunning() throws Exception {
		String healthy = modules.define(TestPrograms.uniqueModule("healthy"), "command", Modules.pwtest("sleep", "120"),
				"interval", "200ms");
		ModuleStatus before = modules.awaitState(healthy, ModuleState.RUNNING);

		String noCommand = modules.define(TestPrograms.uniqueModule("nocmd"), "interval", "1s");
		String missing = modules.define(TestPrograms.uniqueModule("missing"), "command", "/nonexistent/program --flag");
		String notOnPath = modules.define(TestPrograms.uniqueModule("nopath"), "command", "no-such-program-here");
		String badInterval = modules.define(TestPrograms.uniqueModule("interval"), "command",
				Modules.pwtest("sleep", "1"), "interval", "fast");
		String badQuote = modules.define(TestPrograms.uniqueModule("quote"), "command", "/bin/sh -c 'unterminated");
		String unknownStrategy = modules.define(TestPrograms.uniqueModule("strategy"), "command",
				Modules.pwtest("crash", "100", "1"), "strategy", "nosuchstrategy", "interval", "200ms");

		assertThat(modules.awaitState(noCommand, ModuleState.INVALID).reason()).contains("no command");
		assertThat(modules.awaitState(missing, ModuleState.INVALID).reason()).contains("/nonexistent/program does not exist");
		assertThat(modules.awaitState(notOnPath, ModuleState.INVALID).reason()).contains("not found on PATH");
		assertThat(modules.awaitState(badInterval, ModuleState.INVALID).reason()).contains("interval").contains("fast");
		assertThat(modules.awaitState(badQuote, ModuleState.INVALID).reason()).contains("unterminated single quote");
		ModuleStatus waiting = modules.await(unknownStrategy, "failure recorded, waiting for the strategy",
				s -> s.state() == ModuleState.FAILED && s.reason().contains("strategy nosuchstrategy unavailable"));
		assertThat(waiting.strategy()).isEqualTo(new StrategyStatus("nosuchstrategy", false));
		assertThat(waiting.failures()).isNotEmpty();

		String table = Gogo.run(gogo, "pw:modules");
		assertThat(table).containsPattern(noCommand + "\\s+invalid .*no command");
		assertThat(table).containsPattern(missing + "\\s+invalid .*does not exist");
		assertThat(table).containsPattern(badInterval + "\\s+invalid .*interval");
		assertThat(table).containsPattern(unknownStrategy + "\\s+failed .*strategy nosuchstrategy unavailable");
		assertThat(table).containsPattern(healthy + "\\s+running ");

		ModuleStatus after = supervisor.status(healthy);
		assertThat(after.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(after.main()).isEqualTo(before.main());
		assertThat(after.restarts()).isZero();

		// an invalid module becomes valid when its config is fixed
		modules.define(missing, "command", Modules.pwtest("sleep", "120"));
		modules.awaitState(missing, ModuleState.RUNNING);
	}

	@Test
	void aTruncatedOrBinaryCfgFileChangesNothingThatIsRunning() throws Exception {
		String name = TestPrograms.uniqueModule("file");
		Path cfg = home.etc().resolve("pidwatcher.module-" + name + ".cfg");
		String good = "command=" + Modules.pwtest("sleep", "120") + "\ninterval=200ms\nstop.timeout=2s\n";
		try {
			Files.writeString(cfg, good);
			ModuleStatus before = modules.awaitState(name, ModuleState.RUNNING);

			Files.writeString(cfg, good.substring(0, good.indexOf("pwtest") + 3)); // cut in the middle of the path
			modules.await(name, "truncated file rejected", s -> s.configProblem().contains("does not exist"));
			assertRunningUnchanged(name, before);

			byte[] garbage = new byte[4096];
			new Random(42).nextBytes(garbage);
			Files.write(cfg, garbage);
			modules.await(name, "binary file rejected",
					s -> s.configProblem().contains("rejected") && !s.configProblem().contains("does not exist"));
			assertRunningUnchanged(name, before);

			Files.write(cfg, new byte[0]);
			modules.await(name, "empty file rejected", s -> s.configProblem().contains("no command"));
			assertRunningUnchanged(name, before);

			Files.writeString(cfg, good.replace("stop.timeout=2s", "stop.timeout=3s"), StandardCharsets.UTF_8);
			modules.await(name, "good file accepted again", s -> s.configProblem().isEmpty());
			assertRunningUnchanged(name, before);
		} finally {
			Files.deleteIfExists(cfg);
		}
		Poll.until(Modules.WAIT, "deleting the file removes the module", () -> {
			try {
				supervisor.status(name);
				return false;
			} catch (NoSuchModuleException e) {
				return true;
			}
		});
		assertThat(modules.aliveTagged(name)).as("deleting the file stopped the tree").isEmpty();
	}

	private void assertRunningUnchanged(String name, ModuleStatus before) throws InterruptedException {
		Thread.sleep(300);
		ModuleStatus now = supervisor.status(name);
		assertThat(now.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(now.main()).isEqualTo(before.main());
		assertThat(now.command()).isEqualTo(before.command());
		assertThat(modules.aliveTagged(name)).hasSize(1);
	}
}
