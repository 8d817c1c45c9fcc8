package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartStrategy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Unknown keys are errors that name the key and the nearest known one; the framework's own keys are not. */
class KeyNamesTest {

	private static final Path ROOT = Path.of("/");
	/** A strategy that accepts every value: only the names are under test. */
	private static final RestartStrategy ANY_STRATEGY = request -> new RestartDecision.GiveUp("test");

	@Test
	void thePlainKeysAreTheMetatypeAttributes() {
		assertThat(KeyNames.PLAIN).contains("command", "stop.signal", "notify", "log.files", "user", "user.group",
				"user.groups", "umask", "nice", "no_new_privs");
		assertThat(KeyNames.attributeId("max$_$restarts")).isEqualTo("max-restarts");
		assertThat(KeyNames.attributeId("notify$")).isEqualTo("notify");
		assertThat(KeyNames.attributeId("a$$b")).isEqualTo("a$b");
	}

	@Test
	void anUnknownKeyIsNamedWithTheNearestKnownOne() {
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "intervall", "1s"), ROOT))
				.hasMessage("unknown key 'intervall' (did you mean 'interval'?)");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "stop.sginal", "INT"), ROOT))
				.hasMessage("unknown key 'stop.sginal' (did you mean 'stop.signal'?)");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "limits.nofile", "10"), ROOT))
				.hasMessage("unknown key 'limits.nofile' (did you mean 'limit.nofile'?)");
		// nothing near: no guess
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "colour", "blue"), ROOT))
				.hasMessage("unknown key 'colour'");
	}

	@Test
	void keysOfConfigAdminFileInstallAndScrAreNotErrors() {
		ModuleSpec spec = ModuleSpec.parse("m", Map.of("command", "sh", "service.pid", "pidwatcher.module~m",
				"service.factoryPid", "pidwatcher.module", "felix.fileinstall.filename", "file:/x.cfg",
				"component.name", "io.pidwatcher.watchdog.internal.ModuleFile", "component.id", "7",
				"osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)"), ROOT);
		assertThat(spec.command()).containsExactly("sh");
	}

	@Test
	void strategyKeysAreCheckedAgainstWhatTheStrategyDeclares() {
		ModuleSpec spec = ModuleSpec.parse("m", Map.of("command", "sh", "strategy", "backoff", "strategy.dealy", "5s"), ROOT);
		ParameterChecks declaring = new ParameterChecks(
				name -> new ParameterChecks.Found<>(ANY_STRATEGY, Optional.of(Set.of("delay", "restart"))),
				name -> null);
		assertThatThrownBy(() -> declaring.check(spec)).hasMessage("unknown key 'strategy.dealy' (did you mean 'strategy.delay'?)");
		// a strategy that declares nothing, or one not deployed: accepted until it is
		new ParameterChecks(name -> new ParameterChecks.Found<>(ANY_STRATEGY, Optional.empty()), name -> null)
				.check(spec);
		new ParameterChecks(name -> null, name -> null).check(spec);
	}

	@Test
	void policyKeysNeedThePolicyInPolicies() {
		ModuleSpec spec = ModuleSpec.parse("m", Map.of("command", "sh", "policies", "cpu", "policy.cpuu.limit", "90"), ROOT);
		assertThatThrownBy(() -> new ParameterChecks(name -> null, name -> null).check(spec))
				.hasMessage("unknown key 'policy.cpuu.limit': policy cpuu is not in policies (did you mean 'policy cpu'?) "
						+ "(policies: cpu)");
	}

	@Test
	void distanceCountsASwapAsOneEdit() {
		assertThat(KeyNames.distance("dealy", "delay")).isEqualTo(1);
		assertThat(KeyNames.distance("", "abc")).isEqualTo(3);
		assertThat(KeyNames.distance("kitten", "sitting")).isEqualTo(3);
	}
}
