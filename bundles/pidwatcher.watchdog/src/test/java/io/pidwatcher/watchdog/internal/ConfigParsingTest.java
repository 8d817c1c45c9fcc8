package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.DurationText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Command quoting, durations and per-module config errors, as users write them. */
class ConfigParsingTest {

	@Test
	void commandsSplitLikeAShellSplitsASimpleCommand() {
		assertThat(CommandLine.split("/bin/sh -c 'echo \"hi there\"; exit 3'"))
				.containsExactly("/bin/sh", "-c", "echo \"hi there\"; exit 3");
		assertThat(CommandLine.split("prog \"a b\" c\\ d  \"x\\\"y\" ''")).containsExactly("prog", "a b", "c d", "x\"y", "");
		assertThat(CommandLine.split("  prog   --flag=1 ")).containsExactly("prog", "--flag=1");
		assertThatThrownBy(() -> CommandLine.split("prog 'open")).hasMessageContaining("unterminated single quote");
		assertThatThrownBy(() -> CommandLine.split("prog \"open")).hasMessageContaining("unterminated double quote");
	}

	@Test
	void durationsAsPeopleWriteThem() {
		assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
		assertThat(DurationText.parse("2s")).isEqualTo(Duration.ofSeconds(2));
		assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
		assertThat(DurationText.parse("3")).isEqualTo(Duration.ofSeconds(3));
		assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
		assertThatThrownBy(() -> DurationText.parse("fast")).hasMessageContaining("'fast' is not a duration");
		assertThatThrownBy(() -> DurationText.parse("-1s")).hasMessageContaining("not a duration");
	}

	@Test
	void aGoodConfigWithDefaults() {
		ModuleSpec spec = ModuleSpec.parse("web", Map.of("command", "sh -c 'sleep 1'", "env.FOO", "bar",
				"strategy.delay", "2s", "policies", "cpu, memory", "policy.cpu.limit", "80"), Path.of("/"));
		assertThat(spec.command()).containsExactly("sh", "-c", "sleep 1");
		assertThat(spec.environment()).containsEntry("FOO", "bar");
		assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(spec.autostart()).isTrue();
		assertThat(spec.strategy()).isEqualTo("backoff");
		assertThat(spec.defaultStrategy()).isTrue();
		assertThat(spec.exitRule()).isEqualTo(ExitRule.DEFAULT);
		assertThat(spec.strategyParameters()).containsEntry("delay", "2s");
		assertThat(spec.policies()).isEqualTo(List.of("cpu", "memory"));
		assertThat(spec.policyParameters("cpu")).containsEntry("limit", "80");
		assertThat(spec.stopSignal()).isEqualTo(Signals.SIGTERM);
		assertThat(spec.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(spec.log()).isEqualTo(LogPolicy.DEFAULT);
	}

	@Test
	void theGroupKeyNamesAGroupOrNone() {
		Path root = Path.of("/");
		assertThat(ModuleSpec.parse("m", Map.of("command", "sh"), root).group()).isEmpty();
		assertThat(ModuleSpec.parse("m", Map.of("command", "sh", "group", " backend "), root).group()).isEqualTo("backend");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "group", "a b"), root))
				.hasMessageContaining("group 'a b'");
	}

	@Test
	void badConfigsSayWhatIsWrong() {
		Path root = Path.of("/");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of(), root)).hasMessageContaining("no command");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "/no/such"), root))
				.hasMessageContaining("/no/such does not exist");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "interval", "10ms"), root))
				.hasMessageContaining("below the minimum");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "stop.signal", "STOP"), root))
				.hasMessageContaining("stop.signal 'STOP' is not a signal");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "autostart", "maybe"), root))
				.hasMessageContaining("autostart 'maybe'");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "env.1X", "y"), root))
				.hasMessageContaining("not an environment variable name");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "directory", "/no/dir"), root))
				.hasMessageContaining("directory /no/dir does not exist");
		assertThatThrownBy(() -> ModuleSpec.parse("has space", Map.of("command", "sh"), root))
				.hasMessageContaining("module name");
	}
}
