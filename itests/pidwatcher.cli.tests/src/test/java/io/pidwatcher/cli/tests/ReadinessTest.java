package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.Loopback;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ready=tcp:, exec: and file: in the exported runtime with real programs (issue 14 part 2): a
 * module is starting until its probe passes and running after, never before; one whose probe
 * never passes fails with start_failed at start.timeout, and its strategy restarts it (the tree
 * of the run that was not ready is stopped first). All modules run side by side in one runtime
 * so the waits are spent once.
 */
class ReadinessTest {

	/** What the listening program waits before it listens: long enough to be seen starting on a loaded machine. */
	private static final Duration LATE = Duration.ofMillis(3000);
	private static final Duration WAIT = RuntimeHome.WAIT;

	private RuntimeHome home;
	private Path dir;

	@AfterEach
	void cleanUp() throws Exception {
		if (home != null) {
			home.close(); // kills the runtime with -9, then every tagged process of the test's modules
		}
		if (dir != null) {
			try (var files = Files.walk(dir)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	@Test
	void eachProbeHoldsItsModuleStartingUntilItPassesAndOneThatNeverPassesIsRestarted() throws Exception {
		home = new RuntimeHome("pw-ready").start();
		dir = Files.createTempDirectory("pw-ready-files");
		int latePort = Loopback.freePort();
		int closedPort = Loopback.freePort();
		Path flag = dir.resolve("flag");
		Path readyFile = dir.resolve("ready");
		Path probeEnv = dir.resolve("probe-env");

		String tcp = home.name("ready-tcp-");
		home.define(tcp, "command=PWTEST listen " + LATE.toMillis() + " " + latePort + " 600\n"
				+ "ready=tcp:127.0.0.1:" + latePort + "\nstart.timeout=30s\n");
		String file = home.name("ready-file-");
		home.define(file, "command=PWTEST sleep 600\nready=file:" + readyFile + "\nstart.timeout=30s\n");
		String exec = home.name("ready-exec-");
		home.define(exec, "command=PWTEST sleep 600\n"
				// $VAR, not ${VAR}: FileInstall substitutes ${...} in a .cfg file
				+ "ready=exec:sh -c 'echo \"tag=$PIDWATCHER_MODULE instance=$PIDWATCHER_INSTANCE\" > " + probeEnv
				+ "; test -e " + flag + "'\n"
				+ "start.timeout=30s\n");
		String never = home.name("ready-never-");
		home.define(never, "command=PWTEST sleep 600\nready=tcp:127.0.0.1:" + closedPort + "\nstart.timeout=2s\n"
				+ "strategy=fixed\nstrategy.delay=500ms\n");

		// starting, with the probe and its last result in pw:status, while nothing is ready
		ExportedRuntime.until(WAIT, tcp + " starting, waiting for its port", () -> status(tcp).contains(
				"waiting for ready=tcp:127.0.0.1:" + latePort) && status(tcp).contains("last: connection refused"));
		ExportedRuntime.until(WAIT, file + " starting, waiting for its file", () -> status(file).contains(
				"last: " + readyFile + " does not exist yet"));
		ExportedRuntime.until(WAIT, exec + " starting, its command failing", () -> status(exec).contains(
				"waiting for ready=exec:sh -c") && status(exec).contains("last: exit status 1"));

		System.out.println("pw:status of a module waiting for its port:\n" + status(tcp));

		// running only once ready: whenever the state reads running, the thing probed is there (the
		// file and the flag the test writes now, once it saw their modules starting; the port after LATE)
		assertThat(home.state(file)).as("%s before its file", file).isEqualTo("starting");
		assertThat(home.state(exec)).as("%s before the flag", exec).isEqualTo("starting");
		Files.writeString(flag, "");
		Files.writeString(readyFile, "");
		List<String> order = new ArrayList<>();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (order.size() < 3 && System.nanoTime() < deadline) {
			for (String m : List.of(tcp, file, exec)) {
				if (!order.contains(m) && home.state(m).equals("running")) {
					order.add(m);
				}
			}
			if (order.contains(tcp)) {
				assertThat(Loopback.accepts(latePort)).as("%s running: its port accepts", tcp).isTrue();
			}
			Thread.sleep(20);
		}
		assertThat(order).as("modules running").containsExactlyInAnyOrder(tcp, file, exec);
		System.out.println("pw:status once its port accepted:\n" + status(tcp));
		java.util.regex.Matcher after = java.util.regex.Pattern.compile("ready=tcp:127.0.0.1:" + latePort
				+ " passed after ([0-9]+)ms").matcher(status(tcp));
		assertThat(after.find()).as(status(tcp)).isTrue();
		assertThat(Long.parseLong(after.group(1))).as("%s: ready after its program listened", tcp)
				.isGreaterThanOrEqualTo(LATE.toMillis());
		assertThat(status(file)).contains("ready=file:" + readyFile + " passed after");
		assertThat(status(exec)).contains("passed after").contains("exit status 0");
		assertThat(Files.readString(probeEnv).trim()).as("the exec probe ran without the module's tag")
				.isEqualTo("tag= instance=");
		for (String m : List.of(tcp, file, exec)) {
			assertThat(restarts(m)).as("%s restarts", m).isZero();
		}

		// never ready: start_failed at start.timeout, the not-ready tree stopped, a new run probed
		int firstMain = home.awaitMain(never).pid();
		ExportedRuntime.until(WAIT, never + " failed and restarted", () -> {
			try {
				return restarts(never) >= 1;
			} catch (IOException e) {
				return false;
			}
		});
		assertThat(home.request("events", never).out()).contains("ready=tcp:127.0.0.1:" + closedPort
				+ " not ready within start.timeout 2s: connection refused");
		assertThat(home.request("status", never).out()).contains("start_failed: ready=tcp:127.0.0.1:" + closedPort
				+ " not ready within start.timeout 2s");
		ExportedRuntime.until(WAIT, never + ": the first run's main is gone", () -> Proc.task(firstMain) == null);
		ExportedRuntime.until(WAIT, never + " starting again, probing afresh", () -> home.state(never).equals("starting")
				&& home.main(never).map(t -> t.pid() != firstMain).orElse(false));
	}

	private String status(String module) {
		try {
			return home.request("status", module).out();
		} catch (IOException e) {
			return "";
		}
	}

	private int restarts(String module) throws IOException {
		for (String line : home.request("status").out().split("\n")) {
			String[] f = line.trim().split("\\s+");
			if (f.length > 3 && f[0].equals(module)) {
				return Integer.parseInt(f[3]);
			}
		}
		throw new AssertionError(module + " not in the status table");
	}


}
