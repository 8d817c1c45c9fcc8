package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * Issue 7, "Gogo commands with wrong arguments": every pw:* command through the real Gogo
 * CommandProcessor with missing arguments, too many, unknown names, an undefined variable (null),
 * a list where a name is expected, empty, very long and odd strings, from a seeded table. Each must
 * answer with a short error naming the problem, never a stack trace, an exception's class name or a
 * bare "null", and leave everything else alone: a running module keeps the same process (pid and
 * start time) and the shell keeps answering.
 */
class GogoWrongArgumentsTest extends WatchdogTestBase {

	private static final long SEED = Long.getLong("pidwatcher.seed", 20261125L);
	/** The commands and how many arguments each takes at most; the first four need exactly one. */
	private static final Map<String, Integer> COMMANDS = new LinkedHashMap<>();
	static {
		COMMANDS.put("start", 1);
		COMMANDS.put("stop", 1);
		COMMANDS.put("restart", 1);
		COMMANDS.put("status", 1);
		COMMANDS.put("events", 1);
		COMMANDS.put("ps", 1);
		COMMANDS.put("modules", 0);
		COMMANDS.put("source", 0);
		COMMANDS.put("strategies", 0);
	}
	private static final Pattern UNCLEAR = Pattern.compile(
			"Exception|\\tat |(?<![\\w'])null(?![\\w'])|Cannot coerce|^\\s*$");

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	/** One generated call: the command line, what is wrong with it, and words a clear answer contains. */
	record Case(String kind, String commandLine, List<String> expected) {
	}

	static String quote(String s) {
		return "'" + s + "'";
	}

	private static List<Case> cases(String running, Random random) {
		List<Case> out = new ArrayList<>();
		String longName = "x".repeat(20_000 + random.nextInt(10_000));
		List<String> odd = List.of("a b", "ünïcödé", "名前", "a;b", "a|b", "../../etc/passwd", "a=b", "-h", "--help",
				"*", "%s%n%x", "${x}", "a\\b", " ", "\t", "(x)", "[x]", "{x}", "#x", "~", "0", "-1", "1e9");
		for (Map.Entry<String, Integer> c : COMMANDS.entrySet()) {
			String cmd = "pw:" + c.getKey();
			int max = c.getValue();
			boolean needsName = List.of("start", "stop", "restart", "status").contains(c.getKey());
			if (needsName) {
				out.add(new Case("missing argument", cmd, List.of(cmd, "module name")));
				out.add(new Case("undefined variable (null)", cmd + " $nosuchvariable", List.of(cmd, "module name")));
			}
			// Too many, the running module's name first: must not act on it.
			out.add(new Case("too many arguments", cmd + " " + running + " extra", List.of(cmd, "too many")));
			out.add(new Case("too many arguments", cmd + " " + running + " " + running + " a b", List.of(cmd, "too many")));
			if (max == 0) {
				out.add(new Case("too many arguments", cmd + " x", List.of(cmd, "too many")));
				continue;
			}
			String unknown = "nosuch" + Integer.toString(random.nextInt(1 << 20), 36);
			out.add(new Case("unknown module", cmd + " " + unknown, List.of(unknown)));
			out.add(new Case("empty string", cmd + " ''", List.of(cmd, "empty")));
			out.add(new Case("very long string", cmd + " " + quote(longName), List.of(cmd, "characters")));
			out.add(new Case("a list where a name is expected", cmd + " [" + running + " b]", List.of(cmd, "module name")));
			for (int i = 0; i < 4; i++) {
				String s = odd.get(random.nextInt(odd.size()));
				out.add(new Case("odd characters", cmd + " " + quote(s), List.of(s.isBlank() ? "empty" : s)));
			}
		}
		java.util.Collections.shuffle(out, random);
		return out;
	}

	@Test
	void everyPwCommandAnswersWrongArgumentsWithAClearErrorAndDisturbsNothing() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("gogoargs"), "command",
				Modules.pwtest("tree", "1", "1", "600"), "interval", "200ms");
		ModuleStatus before = modules.await(name, "running with 2 tasks",
				s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 2);
		Proc.Task main = Proc.task(before.main().pid());
		assertThat(main).isNotNull();

		List<Case> cases = cases(name, new Random(SEED));
		List<String> unclear = new ArrayList<>();
		int disturbed = 0;
		int shellBroken = 0;
		Map<String, Integer> byKind = new LinkedHashMap<>();
		for (Case c : cases) {
			byKind.merge(c.kind(), 1, Integer::sum);
			String answer = answer(c.commandLine());
			String shown = answer.length() > 300 ? answer.substring(0, 300) + "..." : answer;
			boolean named = c.expected().stream().allMatch(answer::contains);
			if (UNCLEAR.matcher(answer).find() || !named || answer.length() > 2000) {
				unclear.add(c.kind() + ": " + abbreviate(c.commandLine()) + " -> " + shown.strip());
			}
			ModuleStatus now = supervisor.status(name);
			if (now.state() != ModuleState.RUNNING || !now.main().equals(before.main()) || !Proc.alive(main)) {
				disturbed++;
				unclear.add("DISTURBED by " + abbreviate(c.commandLine()) + ": " + now.state() + " " + now.main());
				break; // the rest would measure nothing
			}
			String modulesTable;
			try {
				modulesTable = Gogo.run(gogo, "pw:modules");
			} catch (Exception e) {
				modulesTable = e.toString();
			}
			if (!modulesTable.contains(name)) {
				shellBroken++;
				unclear.add("shell broken after " + abbreviate(c.commandLine()) + ": " + modulesTable);
			}
		}
		System.out.printf("RELIABILITY gogo-args: seed=%d cases=%d %s clear=%d unclear=%d disturbed=%d shell broken=%d"
				+ " (module %s main pid %d same start time: %b)%n", SEED, cases.size(), byKind,
				cases.size() - unclear.size(), unclear.size() - disturbed - shellBroken, disturbed, shellBroken, name,
				main.pid(), Proc.alive(main));
		unclear.forEach(u -> System.out.println("GOGO unclear: " + u));
		assertThat(unclear).as("answers that are not a clear error, or that disturbed something").isEmpty();
		assertThat(Gogo.run(gogo, "pw:status " + name)).contains("module " + name + ": running")
				.contains("pid " + before.main().pid());
		assertThat(supervisor.status(name).restarts()).isZero();
	}

	/** What the session printed, or what it threw (as the shell would print it). */
	private String answer(String commandLine) {
		try {
			return Gogo.run(gogo, commandLine);
		} catch (Exception e) {
			return "(thrown) " + e;
		}
	}

	private static String abbreviate(String commandLine) {
		return commandLine.length() > 120 ? commandLine.substring(0, 60) + "...(" + commandLine.length() + " chars)"
				: commandLine;
	}
}
