package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 part 4, against the exported runtime jar: a module that names no strategy backs off.
 * A real program that crashes 50 ms after each start runs for 30 s beside the same program under
 * strategy=fixed (the old default); each run appends a line to its own log, so the count of
 * runs comes from the program, not from the runtime's answers. The numbers are printed for
 * docs/benchmarks.md.
 */
class DefaultStrategyTest {

	private RuntimeHome rt;

	@AfterEach
	void tearDown() throws Exception {
		if (rt != null) {
			rt.close();
		}
	}

	@Test
	void aCrashLoopUnderTheDefaultStrategyBacksOff() throws Exception {
		rt = new RuntimeHome("pw-dfltstrat");
		rt.start();
		String dflt = rt.name("dflt");
		String fixed = rt.name("fixed");
		Path dfltLog = rt.home.resolve("dflt.runs");
		Path fixedLog = rt.home.resolve("fixed.runs");
		rt.define(dflt, "command=PWTEST crashtree 0 50 1 " + dfltLog + "\ninterval=200ms\n");
		rt.define(fixed, "command=PWTEST crashtree 0 50 1 " + fixedLog + "\ninterval=200ms\nstrategy=fixed\n");
		ExportedRuntime.until(RuntimeHome.WAIT, "both ran once", () -> Files.exists(dfltLog) && Files.exists(fixedLog));
		Instant from = Instant.now();
		long dfltBefore = runs(dfltLog);
		long fixedBefore = runs(fixedLog);
		Thread.sleep(30_000);
		long dfltRuns = runs(dfltLog) - dfltBefore;
		long fixedRuns = runs(fixedLog) - fixedBefore;
		String status = rt.request("status", dflt).out();
		System.out.println("restarts of a program crashing 50 ms after each start, in 30 s from " + from
				+ ": default strategy (backoff) " + dfltRuns + ", strategy=fixed " + fixedRuns);

		// 100ms doubling to 30s: 8 restarts by 25.5 s of waiting, plus the runs themselves
		assertThat(dfltRuns).as("restarts in 30 s under the default").isBetween(5L, 10L);
		assertThat(fixedRuns).as("restarts in 30 s under strategy=fixed").isGreaterThan(5 * dfltRuns);
		assertThat(status).contains("default strategy backoff").contains("backing off: restart");
	}

	private static long runs(Path log) throws java.io.IOException {
		return Files.exists(log) ? Files.readAllLines(log).size() : 0;
	}
}
