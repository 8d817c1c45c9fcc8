package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.TestPrograms;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 12, part 5: one grammar for durations and sizes. One table of inputs goes through a
 * module key, a strategy key and a policy key each; every key accepts and rejects the same texts,
 * and a rejected text makes the module invalid with the key named, whoever parses it (the
 * watchdog, the fixed strategy, a health policy).
 */
class OneGrammarTest extends WatchdogTestBase {

	/** Texts every duration key accepts, then texts every one rejects. */
	private static final List<String> DURATIONS_OK = List.of("500ms", "2s", "1.5s", "2sec", "1min", "10m", "1h", "3");
	private static final List<String> DURATIONS_BAD = List.of("fast", "-1s", "2 hours", "1e3", "5d", "");

	private static final List<String> SIZES_OK = List.of("4096", "512k", "10M", "1.5G", "64MiB", "64MB", "100B");
	private static final List<String> SIZES_BAD = List.of("big", "-1M", "10X", "1e6", "");

	/** Each key with the keys its module needs beside it. */
	private record Key(String key, String... context) {
	}

	private static final List<Key> DURATION_KEYS = List.of(new Key("interval"), new Key("stop.timeout"),
			new Key("strategy.delay", "strategy", "fixed"), new Key("strategy.period", "strategy", "intensity"),
			new Key("strategy.initial", "strategy", "backoff", "strategy.max", "2h"),
			new Key("policy.stuck.limit", "policies", "stuck"));

	private static final List<Key> SIZE_KEYS = List.of(new Key("log.size"), new Key("log.max"),
			new Key("policy.memory.limit", "policies", "memory"));

	@Test
	void everyDurationKeyAcceptsAndRejectsTheSameTexts() throws Exception {
		table(DURATION_KEYS, DURATIONS_OK, DURATIONS_BAD);
	}

	@Test
	void everySizeKeyAcceptsAndRejectsTheSameTexts() throws Exception {
		table(SIZE_KEYS, SIZES_OK, SIZES_BAD);
	}

	private void table(List<Key> keys, List<String> ok, List<String> bad) throws Exception {
		List<String> wrong = new ArrayList<>();
		for (Key k : keys) {
			for (String text : ok) {
				ModuleStatus s = define(k, text);
				if (s.state() != ModuleState.STOPPED || !s.configProblem().isEmpty()) {
					wrong.add(k.key() + "=" + text + " should be accepted: " + s.state().label() + " " + s.configProblem());
				}
			}
			for (String text : bad) {
				ModuleStatus s = define(k, text);
				if (s.state() != ModuleState.INVALID || !s.configProblem().contains(k.key())) {
					wrong.add(k.key() + "='" + text + "' should be invalid, naming the key: " + s.state().label() + " "
							+ s.configProblem());
				}
			}
		}
		assertThat(wrong).isEmpty();
	}

	/** A module that never starts (autostart=false), with the key set to text; its status once the config is read. */
	private ModuleStatus define(Key k, String text) throws Exception {
		List<String> kv = new ArrayList<>(List.of("command", Modules.pwtest("sleep", "60"), "autostart", "false"));
		for (int i = 0; i < k.context().length; i++) {
			kv.add(k.context()[i]);
		}
		kv.add(k.key());
		kv.add(text);
		String name = modules.define(TestPrograms.uniqueModule("grammar"), kv.toArray(String[]::new));
		return modules.await(name, "config read", s -> s.state() == ModuleState.STOPPED || s.state() == ModuleState.INVALID);
	}
}
