package io.pidwatcher.strategy.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.testing.FailureScript;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class GroupStrategyTest {

	private final GroupStrategy strategy = new GroupStrategy();

	GroupStrategyTest() {
		strategy.configure(new GroupConfig() {
			public Class<? extends Annotation> annotationType() {
				return GroupConfig.class;
			}

			public String mode() {
				return "one_for_all";
			}

			public String delay() {
				return "100ms";
			}
		});
	}

	@Test
	void oneForAllRestartsTheWholeGroupInStartOrder() {
		RestartDecision decision = strategy.decide(new FailureScript("api").group("db", "api", "web")
				.runFor(Duration.ofSeconds(1), 1));
		assertThat(decision).isInstanceOfSatisfying(RestartDecision.RestartModules.class, r -> {
			assertThat(r.modules()).containsExactly("db", "api", "web");
			assertThat(r.delay()).isEqualTo(Duration.ofMillis(100));
		});
	}

	@Test
	void restForOneRestartsTheFailedModuleAndThoseStartedAfterIt() {
		RestartDecision decision = strategy.decide(new FailureScript("api").group("db", "api", "web", "cache")
				.parameter("mode", "rest_for_one").runFor(Duration.ofSeconds(1), 1));
		assertThat(decision).isInstanceOfSatisfying(RestartDecision.RestartModules.class,
				r -> assertThat(r.modules()).isEqualTo(List.of("api", "web", "cache")));
		assertThat(decision.explanation()).contains("rest_for_one: api failed, restarting api, web, cache in that order");
	}

	@Test
	void aModuleWithoutAGroupRestartsAlone() {
		assertThat(strategy.decide(new FailureScript("solo").runFor(Duration.ofSeconds(1), 1)))
				.isInstanceOf(RestartDecision.RestartAfter.class);
	}

	@Test
	void anUnknownModeRestartsTheModuleAloneAndSaysWhy() {
		RestartDecision decision = strategy.decide(new FailureScript("api").group("db", "api")
				.parameter("mode", "all_for_one").runFor(Duration.ofSeconds(1), 1));
		assertThat(decision).isInstanceOf(RestartDecision.RestartAfter.class);
		assertThat(decision.explanation()).contains("'all_for_one' is not one_for_all or rest_for_one");
	}
}
