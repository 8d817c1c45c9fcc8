package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, part 6, against the exported runtime jar: a module failed and waiting for a strategy
 * nobody deployed, and one that gave up, are still so after kill -9 of the runtime and a new
 * runtime; neither is started again as "autostart".
 */
class LifecycleAcrossRuntimeRestartTest {

	private static final Duration WAIT = RuntimeHome.WAIT;

	private RuntimeHome home;
	private ExportedRuntime runtime;

	@BeforeEach
	void setUp() throws Exception {
		home = new RuntimeHome("pw-lifecycle");
		runtime = home.runtime;
	}

	@AfterEach
	void tearDown() throws Exception {
		home.close();
	}

	private String module(String prefix, String config) throws IOException {
		String name = home.name(prefix);
		home.define(name, config);
		return name;
	}

	private long starts(String module) throws IOException {
		return home.journal(module).stream().filter(l -> l.contains("\"to\":\"starting\"")).count();
	}

	private boolean journalSays(String module, String text) {
		try {
			return home.journal(module).stream().anyMatch(l -> l.contains(text));
		} catch (IOException e) {
			return false;
		}
	}

	@Test
	void failedAndGaveUpModulesStaySoAcrossARuntimeRestart() throws Exception {
		String crash = TestPrograms.pwtest() + " crash 200 3";
		String waiting = module("waits", "command=" + crash + "\ninterval=100ms\nstrategy=nosuch\n");
		String gaveUp = module("gaveup", "command=" + crash + "\ninterval=100ms\nstrategy=intensity\n"
				+ "strategy.max-restarts=2\nstrategy.period=10min\nstrategy.delay=0\n");
		runtime.start();
		ExportedRuntime.until(WAIT, waiting + " failed, " + gaveUp + " gave up",
				() -> runtime.state(waiting).equals("failed") && runtime.state(gaveUp).equals("gave"));
		long waitingStarts = starts(waiting);
		long gaveUpStarts = starts(gaveUp);
		assertThat(waitingStarts).isEqualTo(1);
		assertThat(gaveUpStarts).isEqualTo(3);

		runtime.kill9();
		runtime.start();
		ExportedRuntime.until(WAIT, "the new runtime answers", runtime::answers);
		ExportedRuntime.until(WAIT, "the new runtime's first scan", () -> journalSays(gaveUp, "before this watchdog started"));
		Thread.sleep(1000); // several scans of the new runtime
		assertThat(runtime.state(waiting)).isEqualTo("failed");
		assertThat(runtime.state(gaveUp)).isEqualTo("gave");
		assertThat(starts(waiting)).as("not started again as autostart").isEqualTo(waitingStarts);
		assertThat(starts(gaveUp)).as("not started again as autostart").isEqualTo(gaveUpStarts);
		assertThat(runtime.request("status", gaveUp).out()).contains("restarts").containsPattern("restarts\\D+2");
	}
}
