package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A watched main's death is reported once, on a real process. */
class MainWatchTest {

	@Test
	void aDeathIsReportedOnceAndAnUnwatchedOneNever() throws Exception {
		Process a = new ProcessBuilder("sleep", "30").start();
		Process b = new ProcessBuilder("sleep", "30").start();
		try {
			MainWatch watch = new MainWatch();
			watch.watch("a", (int) a.pid(), 0);
			watch.watch("b", (int) b.pid(), 0);
			watch.unwatch("b");
			assertThat(watch.died()).isEmpty();
			a.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			b.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			assertThat(watch.died()).isEqualTo(List.of("a"));
			assertThat(watch.died()).isEmpty();
		} finally {
			a.destroyForcibly();
			b.destroyForcibly();
		}
	}
}
