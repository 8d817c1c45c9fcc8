package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** main= and pidfile=: the default, the implication, and contradictions refused with the key named. */
class MainRuleTest {

	private static final Path DIR = Path.of("/srv/app");

	@Test
	void withoutEitherKeyTheStartedProcessHandsOverToItsDaemon() {
		assertThat(MainRule.parse(Map.of(), DIR)).isEqualTo(new MainRule(MainRule.Kind.DAEMON, null));
	}

	@Test
	void aPidFileImpliesMainPidfileAndIsResolvedAgainstTheDirectory() {
		assertThat(MainRule.parse(Map.of("pidfile", "run/nginx.pid"), DIR))
				.isEqualTo(new MainRule(MainRule.Kind.PIDFILE, Path.of("/srv/app/run/nginx.pid")));
		assertThat(MainRule.parse(Map.of("main", "pidfile", "pidfile", "/run/x.pid"), DIR).pidFile())
				.isEqualTo(Path.of("/run/x.pid"));
	}

	@Test
	void everyValueIsAccepted() {
		assertThat(MainRule.parse(Map.of("main", "started"), DIR).kind()).isEqualTo(MainRule.Kind.STARTED);
		assertThat(MainRule.parse(Map.of("main", " Daemon "), DIR).kind()).isEqualTo(MainRule.Kind.DAEMON);
		assertThat(MainRule.parse(Map.of("main", "none"), DIR).kind()).isEqualTo(MainRule.Kind.NONE);
	}

	@Test
	void badCombinationsAreRefusedNamingTheKey() {
		assertThatThrownBy(() -> MainRule.parse(Map.of("main", "pidfile"), DIR)).hasMessageContaining("pidfile=PATH");
		assertThatThrownBy(() -> MainRule.parse(Map.of("main", "daemon", "pidfile", "/run/x.pid"), DIR))
				.hasMessageContaining("contradicts main=daemon");
		assertThatThrownBy(() -> MainRule.parse(Map.of("main", "forking"), DIR))
				.hasMessageContaining("main 'forking' is not one of started, pidfile, daemon, none");
		assertThatThrownBy(() -> MainRule.parse(Map.of("pidfile", " "), DIR)).hasMessageContaining("pidfile is empty");
		assertThatThrownBy(() -> MainRule.parse(Map.of("main", ""), DIR)).hasMessageContaining("main is empty");
	}
}
