package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.supervisor.Failure;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/**
 * The exit-code rule (issue 14 part 4): every failure pidwatcher can see mapped onto a column of
 * systemd.service(5)'s Restart= table, and every cell of the table for every restart= value.
 */
class ExitRuleTest {

	/** One failure and the column it must land in; success.exit as the module says. */
	private record Case(String name, Failure failure, String successExit, ExitCause column) {
	}

	private static Failure exited(Integer status) {
		return new Failure(Instant.EPOCH, Failure.Kind.EXITED, "exited",
				status == null ? OptionalInt.empty() : OptionalInt.of(status));
	}

	private static final List<Case> CASES = List.of(
			new Case("exit 0", exited(0), "", ExitCause.CLEAN),
			new Case("exit 0, success.exit lists others", exited(0), "3 SIGUSR1", ExitCause.CLEAN),
			new Case("exit 3", exited(3), "", ExitCause.UNCLEAN_EXIT_CODE),
			new Case("exit 3, success.exit=3", exited(3), "3", ExitCause.CLEAN),
			new Case("exit 1, success.exit=3", exited(1), "3", ExitCause.UNCLEAN_EXIT_CODE),
			new Case("SIGKILL (137)", exited(137), "", ExitCause.UNCLEAN_SIGNAL),
			new Case("SIGSEGV (139)", exited(139), "", ExitCause.UNCLEAN_SIGNAL),
			new Case("SIGTERM (143)", exited(143), "", ExitCause.CLEAN),
			new Case("SIGHUP (129)", exited(129), "", ExitCause.CLEAN),
			new Case("SIGINT (130)", exited(130), "", ExitCause.CLEAN),
			new Case("SIGPIPE (141)", exited(141), "", ExitCause.CLEAN),
			new Case("SIGUSR1 (138), success.exit=SIGUSR1", exited(138), "SIGUSR1", ExitCause.CLEAN),
			new Case("SIGUSR1 (138), success.exit=usr1", exited(138), "usr1", ExitCause.CLEAN),
			new Case("SIGKILL, success.exit=137 (as a status)", exited(137), "137", ExitCause.CLEAN),
			new Case("main process died, status unknown", exited(null), "", ExitCause.UNKNOWN_STATUS),
			new Case("start failed or timed out",
					new Failure(Instant.EPOCH, Failure.Kind.START_FAILED, "no READY=1", OptionalInt.empty()), "",
					ExitCause.TIMEOUT),
			new Case("unhealthy", new Failure(Instant.EPOCH, Failure.Kind.UNHEALTHY, "cpu", OptionalInt.empty()), "",
					ExitCause.WATCHDOG));

	/** systemd.service(5)'s table, column by column; UNKNOWN_STATUS is ours, restarted as abnormal. */
	private static final Map<ExitCause, List<Restart>> RESTARTED_BY = Map.of(
			ExitCause.CLEAN, List.of(Restart.ALWAYS, Restart.ON_SUCCESS),
			ExitCause.UNCLEAN_EXIT_CODE, List.of(Restart.ALWAYS, Restart.ON_FAILURE),
			ExitCause.UNCLEAN_SIGNAL, List.of(Restart.ALWAYS, Restart.ON_FAILURE, Restart.ON_ABNORMAL),
			ExitCause.UNKNOWN_STATUS, List.of(Restart.ALWAYS, Restart.ON_FAILURE, Restart.ON_ABNORMAL),
			ExitCause.TIMEOUT, List.of(Restart.ALWAYS, Restart.ON_FAILURE, Restart.ON_ABNORMAL),
			ExitCause.WATCHDOG, List.of(Restart.ALWAYS, Restart.ON_FAILURE, Restart.ON_ABNORMAL));

	@Test
	void everyCellOfTheTable() {
		List<String> wrong = new ArrayList<>();
		int cells = 0;
		for (Case c : CASES) {
			for (Restart restart : Restart.values()) {
				ExitRule rule = rule(restart.label(), c.successExit());
				ExitRule.Verdict v = rule.judge(c.failure());
				boolean expected = RESTARTED_BY.get(c.column()).contains(restart);
				cells++;
				if (v.cause() != c.column() || v.restarts() != expected) {
					wrong.add(c.name() + " x restart=" + restart.label() + ": got " + v.cause() + "/"
							+ (v.restarts() ? "restart" : "no restart") + ", want " + c.column() + "/"
							+ (expected ? "restart" : "no restart"));
				}
			}
		}
		assertThat(cells).isEqualTo(CASES.size() * 5);
		assertThat(wrong).isEmpty();
	}

	@Test
	void theVerdictNamesTheRule() {
		assertThat(rule("on-failure", "").judge(exited(0)).explanation())
				.isEqualTo("status 0 is a clean exit; restart=on-failure: not restarted");
		assertThat(rule("on-failure", "3").judge(exited(3)).explanation())
				.isEqualTo("status 3 counts as success (success.exit); restart=on-failure: not restarted");
		assertThat(rule("on-abnormal", "").judge(exited(137)).explanation())
				.isEqualTo("killed by SIGKILL, an unclean signal; restart=on-abnormal");
		assertThat(rule("never", "").judge(exited(1)).explanation())
				.isEqualTo("status 1 is an unclean exit; restart=never: not restarted");
	}

	@Test
	void theDefaultRestartsEverything() {
		ExitRule rule = ExitRule.parse(Map.of());
		assertThat(rule).isEqualTo(ExitRule.DEFAULT);
		assertThat(CASES).allSatisfy(c -> assertThat(rule.judge(c.failure()).restarts()).as(c.name()).isTrue());
	}

	@Test
	void badValuesNameTheKey() {
		assertThatThrownBy(() -> rule("sometimes", "")).hasMessage(
				"restart 'sometimes' is not one of always, on-failure, on-abnormal, on-success, never");
		assertThatThrownBy(() -> rule("no", "")).hasMessageContaining("systemd's 'no' is 'never' here");
		assertThatThrownBy(() -> rule("always", "SIGFOO")).hasMessage(
				"success.exit: 'SIGFOO' is neither an exit status (0 to 255) nor a signal name (SIGTERM or TERM, SIGUSR1, ...)");
		assertThatThrownBy(() -> rule("always", "300")).hasMessage("success.exit: 300 is not an exit status (0 to 255)");
		assertThatThrownBy(() -> rule("always", "99999999999")).hasMessageContaining("is not an exit status");
		assertThatThrownBy(() -> rule("always", "-1")).hasMessageContaining("'-1' is neither");
	}

	@Test
	void successExitTakesNumbersAndSignalsWithOrWithoutSig() {
		SuccessExits s = SuccessExits.parse("3, 75 SIGUSR1 term usr2");
		assertThat(s.statuses()).containsExactlyInAnyOrder(0, 3, 75);
		assertThat(s.signals()).containsExactlyInAnyOrder(1, 2, 10, 12, 13, 15);
		assertThat(s.describe()).isEqualTo("0, 3, 75, SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGTERM");
	}

	@Test
	void theLeftoverStrategyRestartPointsAtRestart() {
		Map<String, Object> props = new LinkedHashMap<>();
		props.put("command", "sh");
		props.put("strategy", "fixed");
		props.put("strategy.restart", "on-failure");
		assertThatThrownBy(() -> ModuleSpec.parse("job", props, Path.of("/"))).hasMessage(
				"'strategy.restart' is no longer a strategy parameter: use restart=on-failure (restart= and success.exit= "
						+ "apply to every strategy)");
	}

	@Test
	void aModuleSpecCarriesItsRule() {
		ModuleSpec spec = ModuleSpec.parse("job", Map.of("command", "sh", "restart", "on-abnormal", "success.exit", "3",
				"strategy", "fixed"), Path.of("/"));
		assertThat(spec.exitRule().restart()).isEqualTo(Restart.ON_ABNORMAL);
		assertThat(spec.exitRule().success().statuses()).contains(3);
		assertThat(spec.defaultStrategy()).isFalse();
		assertThatThrownBy(() -> ModuleSpec.parse("job", Map.of("command", "sh", "restart", "sometimes"), Path.of("/")))
				.hasMessageStartingWith("restart 'sometimes'");
	}

	private static ExitRule rule(String restart, String successExit) {
		return ExitRule.parse(Map.of("restart", restart, "success.exit", successExit));
	}
}
