package io.pidwatcher.contract.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * Bundles built against API 1.0.0 (itests/pidwatcher.fixture.*, compiled against the release in
 * api-baseline/repo, not this build's API) dropped into deploy/ of the current exported runtime
 * work unchanged: the policy judges its module, the strategy decides its module's restarts.
 */
class CompatibilityTest extends RuntimeTestBase {

	static final Path POLICY = Path.of(System.getProperty("fixture.policy.jar"));
	static final Path STRATEGY = Path.of(System.getProperty("fixture.strategy.jar"));

	@Test
	void theFixturesWereBuiltAgainstTheFirstReleaseAndImportEveryOneX() throws Exception {
		assertThat(importPackage(POLICY)).contains("io.pidwatcher.api.policy;version=\"[1.0,2)\"");
		assertThat(importPackage(STRATEGY)).contains("io.pidwatcher.api.strategy;version=\"[1.0,2)\"");
	}

	@Test
	void aPolicyBuiltAgainstApi100JudgesItsModuleInTheCurrentRuntime() throws Exception {
		Path flag = home.resolve("unhealthy.flag");
		deploy(POLICY, "flagfile-policy.jar");
		String judged = module("flag", "policies=flagfile", "policy.flagfile.file=" + flag, "strategy=fixed", "strategy.delay=100ms");
		runtime.start();
		awaitState(judged, "running");
		Proc.Task first = onlyTask(judged);
		ExportedRuntime.until(WAIT, "the fixture's verdict in pw:status", () -> {
			try {
				return status(judged).contains("flagfile 1.1.0.SNAPSHOT: no " + flag);
			} catch (Exception e) {
				return false;
			}
		});
		Thread.sleep(1000); // five intervals: healthy, so left alone
		assertThat(Proc.alive(first)).as("a healthy module is not touched").isTrue();

		Files.writeString(flag, "");
		awaitJournal(judged, "flagfile 1.1.0.SNAPSHOT: " + flag + " exists");
		Files.delete(flag);
		ExportedRuntime.until(WAIT, "restarted under a new process", () -> {
			java.util.List<Proc.Task> now = Proc.tagged(judged);
			return now.size() == 1 && !now.get(0).equals(first) && "running".equals(runtime.state(judged));
		});
		assertThat(Proc.alive(first)).as("the unhealthy run was stopped").isFalse();
	}

	@Test
	void aStrategyBuiltAgainstApi100DecidesItsModulesRestarts() throws Exception {
		deploy(STRATEGY, "counting-strategy.jar");
		String decided = module("count", "strategy=counting", "strategy.delay=100ms", "strategy.limit=1");
		runtime.start();
		awaitState(decided, "running");
		Proc.Task first = onlyTask(decided);

		ProcessHandle.of(first.pid()).ifPresent(ProcessHandle::destroyForcibly);
		awaitJournal(decided, "counting 1.1.0.SNAPSHOT: failure 1 of 1, restart after 100ms");
		ExportedRuntime.until(WAIT, "restarted", () -> {
			java.util.List<Proc.Task> now = Proc.tagged(decided);
			return now.size() == 1 && !now.get(0).equals(first) && "running".equals(runtime.state(decided));
		});

		// the second failure is over the fixture's limit: it gives up, and the watchdog obeys
		ProcessHandle.of(onlyTask(decided).pid()).ifPresent(ProcessHandle::destroyForcibly);
		awaitJournal(decided, "counting 1.1.0.SNAPSHOT: failure 2 of a limit of 1");
		ExportedRuntime.until(WAIT, "gave up", () -> runtime.state(decided).startsWith("gave"));
		assertThat(Proc.tagged(decided)).isEmpty();
	}

	private static String importPackage(Path jar) throws Exception {
		try (JarFile j = new JarFile(jar.toFile())) {
			return j.getManifest().getMainAttributes().getValue("Import-Package");
		}
	}
}
