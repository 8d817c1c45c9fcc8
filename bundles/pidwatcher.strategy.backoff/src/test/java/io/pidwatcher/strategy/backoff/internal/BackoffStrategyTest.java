package io.pidwatcher.strategy.backoff.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.testing.FailureScript;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BackoffStrategyTest {

	private final BackoffStrategy strategy = new BackoffStrategy();

	BackoffStrategyTest() {
		strategy.configure(new BackoffConfig() {
			public Class<? extends Annotation> annotationType() {
				return BackoffConfig.class;
			}

			public String preset() {
				return "none";
			}

			public String initial() {
				return "100ms";
			}

			public double factor() {
				return 2.0;
			}

			public String max() {
				return "30s";
			}

			public String reset() {
				return "10min";
			}

			public double jitter() {
				return 0.0;
			}

			public int steps() {
				return 5;
			}
		});
	}

	/** Crashes after {@code uptime} each time, restarts after whatever delay was decided; returns the delays. */
	private List<Duration> crashLoop(FailureScript life, int failures, Duration uptime) {
		List<Duration> delays = new ArrayList<>();
		for (int i = 0; i < failures; i++) {
			RestartRequest request = life.runFor(uptime, 1);
			Duration delay = ((RestartDecision.RestartAfter) strategy.decide(request)).delay();
			delays.add(delay);
			life.restartedAfter(delay);
		}
		return delays;
	}

	@Test
	void delaysDoubleAndCap() {
		List<Duration> delays = crashLoop(new FailureScript("web"), 12, Duration.ofSeconds(1));
		assertThat(delays).extracting(Duration::toMillis)
				.containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 30000L, 30000L, 30000L);
	}

	@Test
	void aStableRunResetsTheLoop() {
		FailureScript life = new FailureScript("web");
		crashLoop(life, 5, Duration.ofSeconds(1));
		List<Duration> afterStableRun = crashLoop(life, 3, Duration.ofMinutes(11));
		assertThat(afterStableRun.get(0)).isEqualTo(Duration.ofMillis(100));
		assertThat(crashLoop(life, 2, Duration.ofSeconds(1))).extracting(Duration::toMillis).containsExactly(200L, 400L);
	}

	@Test
	void crashLoopPresetIsKubernetes() {
		FailureScript life = new FailureScript("pod").parameter("preset", "crashloop");
		List<Duration> delays = crashLoop(life, 8, Duration.ofSeconds(1));
		assertThat(delays).extracting(Duration::toSeconds).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L);
		// Running 10 minutes resets it, as the kubelet does.
		assertThat(crashLoop(life, 1, Duration.ofMinutes(10))).containsExactly(Duration.ofSeconds(10));
	}

	@Test
	void systemdPresetGrowsFromRestartSecToMaxInSteps() {
		FailureScript life = new FailureScript("unit").parameter("preset", "systemd").parameter("initial", "1s")
				.parameter("max", "32s").parameter("steps", "5");
		List<Duration> delays = crashLoop(life, 7, Duration.ofSeconds(1));
		assertThat(delays).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 32L);
	}

	@Test
	void jitterSpreadsDelaysWithinBoundsAndIsReproducible() {
		FailureScript a = new FailureScript("web").parameter("jitter", "0.5").parameter("initial", "10s");
		RestartRequest request = a.runFor(Duration.ofSeconds(1), 1);
		Duration first = ((RestartDecision.RestartAfter) strategy.decide(request)).delay();
		Duration again = ((RestartDecision.RestartAfter) strategy.decide(request)).delay();
		assertThat(first).isEqualTo(again).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(15));
	}

	@Test
	void badParametersStillRestartAndSayWhy() {
		FailureScript life = new FailureScript("web").parameter("factor", "0.5");
		RestartDecision decision = strategy.decide(life.runFor(Duration.ofSeconds(1), 1));
		assertThat(decision).isInstanceOf(RestartDecision.RestartAfter.class);
		assertThat(decision.explanation()).contains("factor >= 1");
		assertThat(strategy.decide(new FailureScript("x").parameter("preset", "fast").runFor(Duration.ofSeconds(1), 1))
				.explanation()).contains("'fast' is not none, crashloop or systemd");
	}
}
