package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's pulse (LoopListener) on a fake machine: systemd's WatchdogSec= and the hardware
 * watchdog take a loop that has not passed for half their timeout for hung, so the loop must pass
 * at least every {@link ScanLoop#MAX_PASS_GAP_NANOS} however long its modules' intervals are.
 */
class LoopPulseTest {

	@TempDir
	Path home;
	private EngineFixture f;
	private final List<Long> passes = new CopyOnWriteArrayList<>();

	@BeforeEach
	void engine() {
		f = new EngineFixture(home);
		f.engine.loopListeners.add("test", passes::add);
	}

	@AfterEach
	void close() {
		f.close();
		assertThat(f.errors).as("errors the engine logged").isEmpty();
	}

	/** The largest gap between two passes (and from the last pass to now) while the clock ran for d. */
	private Duration largestGapOver(Duration d) {
		f.step();
		passes.clear();
		long from = f.machine.nanos();
		for (long t = 0; t < d.toMillis(); t += 50) {
			f.advance(Duration.ofMillis(50));
		}
		List<Long> seen = new ArrayList<>(passes);
		seen.add(0, from);
		seen.add(f.machine.nanos());
		long largest = 0;
		for (int i = 1; i < seen.size(); i++) {
			largest = Math.max(largest, seen.get(i) - seen.get(i - 1));
		}
		return Duration.ofNanos(largest);
	}

	@Test
	void withNoModulesTheLoopStillPasses() {
		assertThat(largestGapOver(Duration.ofSeconds(10))).isLessThanOrEqualTo(Duration.ofNanos(ScanLoop.MAX_PASS_GAP_NANOS));
	}

	/** A module checked once a minute: the loop still passes every second, and checks it once a minute. */
	@Test
	void aLongIntervalDoesNotStretchTheGapBetweenPasses() {
		f.define("slow", "interval", "60s");
		f.step();
		f.advance(Duration.ofMillis(20));
		assertThat(largestGapOver(Duration.ofSeconds(30))).isLessThanOrEqualTo(Duration.ofNanos(ScanLoop.MAX_PASS_GAP_NANOS));
		assertThat(f.starts).hasSize(1);
	}
}
