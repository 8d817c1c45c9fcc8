package io.pidwatcher.strategy.intensity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.testing.FailureScript;

import java.lang.annotation.Annotation;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class IntensityStrategyTest {

	private final IntensityStrategy strategy = new IntensityStrategy();

	IntensityStrategyTest() {
		strategy.configure(new IntensityConfig() {
			public Class<? extends Annotation> annotationType() {
				return IntensityConfig.class;
			}

			public int max$_$restarts() {
				return 5;
			}

			public String period() {
				return "10s";
			}

			public String delay() {
				return "100ms";
			}
		});
	}

	@Test
	void givesUpAfterMoreThanNFailuresInT() {
		FailureScript life = new FailureScript("db");
		for (int i = 1; i <= 5; i++) {
			RestartDecision decision = strategy.decide(life.runFor(Duration.ofMillis(500), 1));
			assertThat(decision).as("failure %d", i).isInstanceOf(RestartDecision.RestartAfter.class);
			assertThat(decision.explanation()).contains("restart " + i + " of at most 5 restarts in 10s");
			life.restartedAfter(Duration.ofMillis(100));
		}
		RestartDecision sixth = strategy.decide(life.runFor(Duration.ofMillis(500), 1));
		assertThat(sixth).isInstanceOf(RestartDecision.GiveUp.class);
		assertThat(sixth.explanation()).isEqualTo("gave up: 6 failures within 10s exceed the limit of 5 restarts in 10s"
				+ " (strategy.max-restarts, strategy.period); last failure: exited with status 1");
	}

	@Test
	void failuresOutsideTheWindowDoNotCount() {
		FailureScript life = new FailureScript("db").parameter("max-restarts", "2").parameter("period", "5s");
		for (int i = 0; i < 10; i++) {
			assertThat(strategy.decide(life.runFor(Duration.ofSeconds(3), 1))).isInstanceOf(RestartDecision.RestartAfter.class);
			life.restartedAfter(Duration.ofMillis(100));
		}
		// Failures 3.1s apart keep two in any 5s window: within the limit forever. A quick third gives up.
		assertThat(strategy.decide(life.runFor(Duration.ofMillis(100), 1))).isInstanceOf(RestartDecision.GiveUp.class)
				.extracting(RestartDecision::explanation).asString().startsWith("gave up: 3 failures within 5s");
	}
}
