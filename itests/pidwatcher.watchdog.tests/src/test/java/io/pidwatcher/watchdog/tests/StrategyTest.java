package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.StrategyStatus;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;

/**
 * Issue 6: the strategy bundles against real crashing processes, in real time with short
 * parameters, and the hot swap of a strategy bundle while modules run.
 */
@ExtendWith(BundleContextExtension.class)
class StrategyTest extends WatchdogTestBase {

	private static final Pattern DELAY = Pattern.compile("backoff: restart after (\\d+)ms");

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@InjectBundleContext
	BundleContext context;

	private List<JournalEntry> decisions(String name) {
		return supervisor.events(name, 1000).stream().filter(e -> e.reason().startsWith("decision of strategy")).toList();
	}

	private static List<Long> delays(List<JournalEntry> decisions) {
		List<Long> out = new ArrayList<>();
		for (JournalEntry e : decisions) {
			Matcher m = DELAY.matcher(e.reason());
			if (m.find()) {
				out.add(Long.parseLong(m.group(1)));
			}
		}
		return out;
	}

	private List<Instant> starts(String name) {
		return supervisor.events(name, 1000).stream().filter(e -> e.to() == ModuleState.STARTING).map(JournalEntry::at)
				.toList();
	}

	/** backoff: 200ms doubling to a cap of 800ms, in real time; a run longer than reset starts again at 200ms. */
	@Test
	void backoffDelaysGrowCapAndResetAfterAStableRun() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("backoff"), "command", Modules.pwtest("crash", "50", "3"),
				"interval", "100ms", "strategy", "backoff", "strategy.initial", "200ms", "strategy.factor", "2", "strategy.max", "800ms",
				"strategy.reset", "1s");
		modules.await(name, "5 decisions", Duration.ofSeconds(30), s -> decisions(name).size() >= 5);
		List<Long> delays = delays(decisions(name));
		assertThat(delays.subList(0, 5)).containsExactly(200L, 400L, 800L, 800L, 800L);
		List<Instant> starts = starts(name);
		assertThat(starts).hasSizeGreaterThanOrEqualTo(5);
		for (int i = 0; i < 4; i++) {
			assertThat(Duration.between(starts.get(i), starts.get(i + 1)).toMillis())
					.as("real time between start %d and %d", i, i + 1).isGreaterThanOrEqualTo(delays.get(i));
		}
		// A stable run (1.5s > reset 1s) ends the loop: the next delay is the initial one again.
		modules.define(name, "command", Modules.pwtest("crash", "1500", "3"), "interval", "100ms", "strategy",
				"backoff", "strategy.initial", "200ms", "strategy.factor", "2", "strategy.max", "800ms", "strategy.reset", "1s");
		int before = decisions(name).size();
		modules.await(name, "a decision after a stable run", Duration.ofSeconds(30), s -> decisions(name).stream()
				.skip(before).anyMatch(e -> e.reason().contains("first failure of a loop")));
		JournalEntry reset = decisions(name).stream().skip(before)
				.filter(e -> e.reason().contains("first failure of a loop")).findFirst().orElseThrow();
		assertThat(reset.reason()).contains("restart after 200ms").contains("next restart at");
	}

	/** intensity: at most 2 restarts in 10s; the third failure gives up and says why in status and journal. */
	@Test
	void intensityGivesUpAfterNRestartsInTAndSaysWhy() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("intensity"), "command",
				Modules.pwtest("crash", "50", "3"), "interval", "100ms", "strategy", "intensity",
				"strategy.max-restarts", "2", "strategy.period", "10s", "strategy.delay", "100ms");
		ModuleStatus s = modules.awaitState(name, ModuleState.GAVE_UP);
		assertThat(s.restarts()).isEqualTo(2);
		assertThat(s.failures()).hasSize(3);
		assertThat(s.reason()).contains("gave up: 3 failures within 10s exceed the limit of 2 restarts in 10s");
		assertThat(s.lastDecision()).startsWith("gave up").contains("strategy.max-restarts");
		assertThat(supervisor.events(name, 100)).anySatisfy(e -> {
			assertThat(e.to()).isEqualTo(ModuleState.GAVE_UP);
			assertThat(e.reason()).contains("exceed the limit of 2 restarts in 10s");
		});
		assertThat(Gogo.run(gogo, "pw:status " + name)).contains("gave up: 3 failures within 10s");
		Thread.sleep(500);
		assertThat(supervisor.status(name).state()).isEqualTo(ModuleState.GAVE_UP);
		assertThat(modules.liveTree(name)).isEmpty();
	}

	/** group rest_for_one: b fails, so b and c (started after it) restart in that order; a keeps running. */
	@Test
	void groupRestForOneRestartsTheFailedModuleAndThoseStartedAfterItInOrder() throws Exception {
		String group = TestPrograms.uniqueModule("g");
		String[] names = { TestPrograms.uniqueModule("a"), TestPrograms.uniqueModule("b"), TestPrograms.uniqueModule("c") };
		for (String n : names) {
			modules.define(n, "command", Modules.pwtest("sleep", "120"), "interval", "100ms", "group", group,
					"strategy", "group", "strategy.mode", "rest_for_one", "strategy.delay", "200ms", "stop.timeout", "2s");
			modules.awaitState(n, ModuleState.RUNNING);
		}
		ModuleStatus a = supervisor.status(names[0]);
		ModuleStatus c = supervisor.status(names[2]);
		ModuleStatus b = supervisor.status(names[1]);
		ProcessHandle.of(b.main().pid()).orElseThrow().destroyForcibly();
		ModuleStatus b2 = modules.await(names[1], "restarted", s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
		ModuleStatus c2 = modules.await(names[2], "restarted with b", s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
		assertThat(b2.lastDecision()).contains("rest_for_one").contains(names[1] + ", " + names[2]);
		assertThat(c2.main()).isNotEqualTo(c.main());
		assertThat(b2.startedAt()).as("b starts before c").isBeforeOrEqualTo(c2.startedAt());
		assertThat(b2.main().startTimeNanos()).isLessThanOrEqualTo(c2.main().startTimeNanos());
		ModuleStatus a2 = supervisor.status(names[0]);
		assertThat(a2.restarts()).isZero();
		assertThat(a2.main()).as("a started before b: untouched").isEqualTo(a.main());
		assertThat(Modules.alive(a.main())).isTrue();
		assertThat(Modules.alive(c.main())).isFalse();
	}

	/** group one_for_all: the second module fails, both restart, the first one first. */
	@Test
	void groupOneForAllRestartsTheWholeGroupInOrder() throws Exception {
		String group = TestPrograms.uniqueModule("g");
		String first = TestPrograms.uniqueModule("first");
		String second = TestPrograms.uniqueModule("second");
		for (String n : new String[] { first, second }) {
			modules.define(n, "command", Modules.pwtest("sleep", "120"), "interval", "100ms", "group", group,
					"strategy", "group", "strategy.delay", "200ms", "stop.timeout", "2s");
			modules.awaitState(n, ModuleState.RUNNING);
		}
		ModuleStatus firstBefore = supervisor.status(first);
		ProcessHandle.of(supervisor.status(second).main().pid()).orElseThrow().destroyForcibly();
		ModuleStatus firstAfter = modules.await(first, "restarted with the group",
				s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
		ModuleStatus secondAfter = modules.await(second, "restarted", s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
		assertThat(firstAfter.lastDecision()).isEmpty(); // it did not fail; the group restarted it
		assertThat(secondAfter.lastDecision()).contains("one_for_all").contains(first + ", " + second);
		assertThat(firstAfter.main()).isNotEqualTo(firstBefore.main());
		assertThat(firstAfter.main().startTimeNanos()).isLessThanOrEqualTo(secondAfter.main().startTimeNanos());
		assertThat(Modules.alive(firstBefore.main())).isFalse();
	}

	/** A strategy nobody deployed is reported, in status and in pw:strategies; the failure waits for it. */
	@Test
	void anUnknownStrategyIsReportedAndTheFailureWaitsForIt() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("nosuch"), "command", Modules.pwtest("crash", "100", "3"),
				"interval", "100ms", "strategy", "nosuch");
		ModuleStatus s = modules.await(name, "failed, waiting for the strategy",
				x -> x.state() == ModuleState.FAILED && x.reason().contains("strategy nosuch unavailable"));
		assertThat(s.strategy()).isEqualTo(new StrategyStatus("nosuch", false));
		assertThat(s.failures()).hasSize(1);
		assertThat(Gogo.run(gogo, "pw:status " + name)).contains("strategy nosuch unavailable");
		String table = Gogo.run(gogo, "pw:strategies");
		assertThat(table).containsPattern("nosuch\\s+\\(not deployed[^\\n]*" + name);
		// the fixed bundle answers to 'fixed', and only it: the watchdog has no built-in of its own
		assertThat(table).containsPattern("fixed\\s+pidwatcher.strategy.fixed\\s+1.1.0")
				.doesNotContain("pidwatcher.watchdog");
		assertThat(supervisor.events(name, 100)).anySatisfy(e -> assertThat(e.reason()).contains("strategy nosuch unavailable"));
	}

	/**
	 * Issue 12 part 4, as issue 14 part 4 changed it: whether to restart is the module's restart=
	 * rule, which the watchdog applies before asking any strategy. While the fixed bundle is away
	 * (stopped, as in the middle of its update), a module of restart=on-failure that exits 0 is
	 * stopped at once, saying so, and stays stopped once fixed is back.
	 */
	@Test
	void anOnFailureModuleThatExitsCleanlyWhileFixedIsAwayIsStoppedByTheRule() throws Exception {
		Bundle fixed = bundle("pidwatcher.strategy.fixed");
		String name = modules.define(TestPrograms.uniqueModule("onfailure"), "command", Modules.pwtest("crash", "5000", "0"),
				"interval", "100ms", "strategy", "fixed", "restart", "on-failure", "strategy.delay", "100ms");
		modules.await(name, "running", s -> s.state() == ModuleState.RUNNING && s.main() != null);
		fixed.stop();
		Instant stopped = Instant.now();
		try {
			ModuleStatus ended = modules.await(name, "exited 0 while fixed is away, stopped by the rule",
					s -> s.failures().size() == 1 && s.state() == ModuleState.STOPPED);
			assertThat(ended.failures().get(0).exitStatus()).hasValue(0);
			assertThat(ended.failures().get(0).at()).as("the exit came after fixed stopped (5s after the start)")
					.isAfter(stopped);
			assertThat(ended.state()).isEqualTo(ModuleState.STOPPED);
			assertThat(ended.reason()).endsWith("status 0 is a clean exit; restart=on-failure: not restarted");
			assertThat(ended.strategy()).isEqualTo(new StrategyStatus("fixed", false));
		} finally {
			fixed.start();
		}
		Thread.sleep(500); // a restart after the 100ms delay would have happened by now
		assertThat(supervisor.status(name).state()).isEqualTo(ModuleState.STOPPED);
		assertThat(supervisor.status(name).restarts()).isZero();
		assertThat(starts(name)).hasSize(1);
	}

	/** A Config Admin change from fixed to backoff applies at the next failure, without a restart. */
	@Test
	void changingTheStrategyFromFixedToBackoffAppliesAtTheNextFailureWithoutARestart() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("cm"), "command", Modules.pwtest("sleep", "120"),
				"interval", "100ms", "strategy", "fixed", "strategy.delay", "100ms");
		ModuleStatus before = modules.awaitState(name, ModuleState.RUNNING);
		modules.define(name, "command", Modules.pwtest("sleep", "120"), "interval", "100ms", "strategy", "backoff",
				"strategy.initial", "700ms");
		modules.await(name, "config in force", s -> s.strategy().equals(new StrategyStatus("backoff", true)));
		Thread.sleep(300);
		ModuleStatus after = supervisor.status(name);
		assertThat(after.main()).isEqualTo(before.main());
		assertThat(after.startedAt()).isEqualTo(before.startedAt());
		assertThat(after.restarts()).isZero();
		ProcessHandle.of(before.main().pid()).orElseThrow().destroyForcibly();
		ModuleStatus waiting = modules.await(name, "a backoff decision", s -> s.lastDecision().startsWith("backoff:"));
		assertThat(waiting.lastDecision()).contains("restart after 700ms");
		assertThat(Gogo.run(gogo, "pw:status " + name)).contains("restart after 700ms").contains("next restart at");
		modules.await(name, "restarted", s -> s.restarts() == 1 && s.state() == ModuleState.RUNNING);
	}

	/**
	 * Hot swap: uninstall backoff while a module waits in backoff; it keeps waiting, restarts,
	 * crashes in the gap (recorded) and waits for the strategy. Version 2, built here from v1 with
	 * Bundle-Version 2.0.0 and a default initial=333ms factor=1 in its component XML, takes over.
	 * A module running on backoff the whole time is not restarted: same pid and start time.
	 */
	@Test
	void swappingTheBackoffBundleLosesNoFailureAndRestartsNothing() throws Exception {
		Bundle v1 = bundle("pidwatcher.strategy.backoff");
		byte[] v2 = version2(v1);
		String steady = modules.define(TestPrograms.uniqueModule("steady"), "command", Modules.pwtest("sleep", "120"),
				"interval", "100ms", "strategy", "backoff");
		String loop = modules.define(TestPrograms.uniqueModule("loop"), "command", Modules.pwtest("crash", "100", "3"),
				"interval", "100ms", "strategy", "backoff");
		ModuleStatus steadyBefore = modules.awaitState(steady, ModuleState.RUNNING);
		// v1 defaults: 100ms doubling; wait until the loop sits in a wait of 800ms or more.
		modules.await(loop, "waiting >= 800ms", Duration.ofSeconds(30), s -> s.state() == ModuleState.WAITING
				&& delays(decisions(loop)).stream().anyMatch(d -> d >= 800));
		int failuresBefore = supervisor.status(loop).failures().size();
		Bundle installed = null;
		try {
			v1.uninstall();
			ModuleStatus gap = modules.await(loop, "failure in the gap recorded, waiting for the strategy",
					s -> s.state() == ModuleState.FAILED && s.failures().size() == failuresBefore + 1
							&& s.reason().contains("strategy backoff unavailable"));
			assertThat(gap.strategy()).isEqualTo(new StrategyStatus("backoff", false));
			assertThat(supervisor.status(steady).strategy()).isEqualTo(new StrategyStatus("backoff", false));
			assertThat(supervisor.events(steady, 100))
					.anySatisfy(e -> assertThat(e.reason()).contains("strategy backoff unavailable"));

			installed = context.installBundle("test:pidwatcher.strategy.backoff-2.0.0", new ByteArrayInputStream(v2));
			installed.start();
			modules.await(loop, "decided by v2", s -> s.lastDecision().contains("restart after 333ms"));
			ModuleStatus resumed = modules.await(loop, "restarted by v2", s -> s.state() == ModuleState.RUNNING
					|| s.state() == ModuleState.STARTING || s.restarts() > gap.restarts());
			assertThat(resumed.failures().size()).isGreaterThanOrEqualTo(failuresBefore + 1);
			ServiceReference<RestartStrategy> ref = context.getServiceReferences(RestartStrategy.class,
					"(pidwatcher.strategy=backoff)").iterator().next();
			assertThat(ref.getBundle().getVersion().toString()).isEqualTo("2.0.0");
			assertThat(Gogo.run(gogo, "pw:strategies")).containsPattern("backoff\\s+pidwatcher.strategy.backoff\\s+2.0.0");

			ModuleStatus steadyAfter = supervisor.status(steady);
			assertThat(steadyAfter.state()).isEqualTo(ModuleState.RUNNING);
			assertThat(steadyAfter.main()).as("same pid and start time").isEqualTo(steadyBefore.main());
			assertThat(steadyAfter.startedAt()).isEqualTo(steadyBefore.startedAt());
			assertThat(steadyAfter.restarts()).isZero();
			assertThat(Modules.alive(steadyBefore.main())).isTrue();
		} finally {
			restore(v1.getLocation(), installed);
		}
	}

	/** Puts v1 back for the other tests; when its location cannot be read again, v2 stays (tests set what they rely on). */
	private void restore(String v1Location, Bundle v2) throws Exception {
		try {
			// not through the injected context: osgi-test uninstalls what a test installs through it when the
			// test ends, and backoff is the default strategy (issue 14 part 4) the later tests' modules need
			FrameworkUtil.getBundle(StrategyTest.class).getBundleContext().installBundle(v1Location).start();
		} catch (Exception e) {
			System.err.println("StrategyTest: could not reinstall " + v1Location + " (" + e + "); version 2 stays");
			return;
		}
		if (v2 != null) {
			v2.uninstall();
		}
		// backoff is the default strategy (issue 14 part 4): the tests after this one need the engine to have it
		Poll.until(Modules.WAIT, "the backoff strategy registered again", () -> {
			try {
				return !context.getServiceReferences(RestartStrategy.class, "(pidwatcher.strategy=backoff)").isEmpty();
			} catch (Exception e) {
				return false;
			}
		});
		String table = Gogo.run(gogo, "pw:strategies");
		System.out.println("StrategyTest: after the swap, pw:strategies:\n" + table);
		assertThat(table).as("the engine has backoff again").containsPattern("backoff\\s+pidwatcher.strategy.backoff\\s+1");
	}

	private Bundle bundle(String symbolicName) {
		for (Bundle b : context.getBundles()) {
			if (symbolicName.equals(b.getSymbolicName())) {
				return b;
			}
		}
		throw new AssertionError("no bundle " + symbolicName);
	}

	/** The v1 bundle's entries, rewritten: Bundle-Version 2.0.0 and other defaults in the component XML. */
	private static byte[] version2(Bundle v1) throws Exception {
		Manifest manifest;
		try (InputStream in = v1.getEntry("META-INF/MANIFEST.MF").openStream()) {
			manifest = new Manifest(in);
		}
		manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), "2.0.0");
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			Enumeration<URL> entries = v1.findEntries("/", "*", true);
			for (URL url : Collections.list(entries)) {
				String path = url.getPath().startsWith("/") ? url.getPath().substring(1) : url.getPath();
				if (path.endsWith("/") || path.equals("META-INF/MANIFEST.MF")) {
					continue;
				}
				byte[] content;
				try (InputStream in = url.openStream()) {
					content = in.readAllBytes();
				}
				if (path.startsWith("OSGI-INF/") && path.endsWith("BackoffStrategy.xml")) {
					String xml = new String(content, StandardCharsets.UTF_8);
					String changed = xml.replace("name=\"initial\" type=\"String\" value=\"100ms\"",
							"name=\"initial\" type=\"String\" value=\"333ms\"")
							.replace("name=\"factor\" type=\"Double\" value=\"2.0\"", "name=\"factor\" type=\"Double\" value=\"1.0\"");
					assertThat(changed).as("v2 component XML").isNotEqualTo(xml).contains("333ms").contains("value=\"1.0\"");
					content = changed.getBytes(StandardCharsets.UTF_8);
				}
				jar.putNextEntry(new JarEntry(path));
				jar.write(content);
				jar.closeEntry();
			}
		}
		return bytes.toByteArray();
	}
}
