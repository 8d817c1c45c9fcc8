package io.pidwatcher.strategy.fixed.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.testing.FailureScript;

import java.lang.annotation.Annotation;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class FixedDelayStrategyTest {

	private final FixedDelayStrategy strategy = new FixedDelayStrategy();

	FixedDelayStrategyTest() {
		strategy.configure(new FixedDelayConfig() {
			@Override
			public Class<? extends Annotation> annotationType() {
				return FixedDelayConfig.class;
			}

			@Override
			public String delay() {
				return "100ms";
			}
		});
	}

	@Test
	void sameDelayEveryTime() {
		FailureScript life = new FailureScript("web");
		for (int i = 0; i < 10; i++) {
			RestartDecision decision = strategy.decide(life.runFor(Duration.ofMillis(50), 1));
			assertThat(decision).isEqualTo(new RestartDecision.RestartAfter(Duration.ofMillis(100), "restart after 100ms"));
			life.restartedAfter(Duration.ofMillis(100));
		}
	}

	@Test
	void moduleConfigOverridesTheDelay() {
		FailureScript life = new FailureScript("web").parameter("delay", "2s");
		assertThat(strategy.decide(life.runFor(Duration.ofSeconds(1), 1)))
				.isInstanceOfSatisfying(RestartDecision.RestartAfter.class, r -> assertThat(r.delay()).hasSeconds(2));
	}

	@Test
	void aCleanExitIsRestartedToo() {
		// whether to restart is the watchdog's restart= rule, asked before any strategy (issue 14 part 4)
		FailureScript life = new FailureScript("job");
		assertThat(strategy.decide(life.runFor(Duration.ofSeconds(1), 0))).isInstanceOf(RestartDecision.RestartAfter.class);
	}

	@Test
	void aBadDelayStillRestartsAndSaysWhy() {
		FailureScript life = new FailureScript("web").parameter("delay", "soon");
		RestartDecision decision = strategy.decide(life.runFor(Duration.ofSeconds(1), 1));
		assertThat(decision).isInstanceOfSatisfying(RestartDecision.RestartAfter.class,
				r -> assertThat(r.delay()).isEqualTo(Duration.ofMillis(100)));
		assertThat(decision.explanation()).contains("strategy.delay").contains("'soon' is not a duration");
	}
}
