package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input from outside: seeded malformed module configs dropped into etc/ of a running runtime,
 * and a control socket fed garbage, oversized requests, wrong arguments and a non-root client.
 * The runtime never dies and the healthy module is never touched (same pid and start time).
 */
class BadInputTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final int CONFIGS = 14;

	private Path home;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();
	private String keeper;
	private List<Proc.Task> keeperTasks;

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-bad");
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
		keeper = "keeper" + Long.toString(System.nanoTime() % 46656, 36);
		modules.add(keeper);
		Files.writeString(home.resolve("etc/pidwatcher.module-" + keeper + ".cfg"),
				"command=" + TestPrograms.pwtest() + " sleep 600\ninterval=200ms\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "keeper running", () -> runtime.state(keeper).equals("running"));
		keeperTasks = Proc.tagged(keeper);
		assertThat(keeperTasks).hasSize(1);
	}

	@AfterEach
	void tearDown() throws Exception {
		runtime.kill9();
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		runtime.delete();
	}

	private boolean keeperUntouched() {
		return Proc.tagged(keeper).equals(keeperTasks.stream().map(t -> Proc.task(t.pid())).toList())
				&& keeperTasks.stream().allMatch(Proc::alive) && runtime.state(keeper).equals("running");
	}

	/** One malformed config: a fault that makes it unusable, plus seeded noise around it. */
	private static byte[] malformed(int kind, Random random) {
		String pwtest = TestPrograms.pwtest().toString();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] noise = ("zz.unknown" + random.nextInt(1000) + "=" + random.nextInt() + "\n").getBytes(StandardCharsets.UTF_8);
		out.writeBytes(noise);
		switch (kind) {
			case 0 -> { // binary
				byte[] b = new byte[1 + random.nextInt(4096)];
				random.nextBytes(b);
				b[0] = 0;
				out.writeBytes(b);
			}
			case 1 -> out.writeBytes("interval=200ms\n".getBytes()); // no command
			case 2 -> out.writeBytes(("command=/nonexistent/" + "x".repeat(1 << 20) + "\n").getBytes()); // huge
			case 3 -> out.writeBytes(("command=" + pwtest + " sleep 600\ninterval=" + List.of("fast", "10ns", "-1s", "1e99h",
					"2 s s").get(random.nextInt(5)) + "\n").getBytes()); // bad duration
			case 4 -> out.writeBytes(("command=" + pwtest + " 'sleep 600\n").getBytes()); // bad quoting
			case 5 -> out.writeBytes(("command=" + pwtest + "\0sleep\0600\n").getBytes()); // NUL bytes
			case 6 -> {
				out.writeBytes(("command=" + pwtest).getBytes()); // invalid UTF-8 in the program name
				out.writeBytes(new byte[] { (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n' });
			}
			case 7 -> out.writeBytes(("command=" + pwtest + " sleep 600\nstop.timeout=" + List.of("forever", "-3s", "")
					.get(random.nextInt(3)) + "\n").getBytes());
			default -> out.writeBytes(("command=\"" + pwtest + " sleep 600\n").getBytes()); // unterminated quote
		}
		if (random.nextBoolean()) {
			out.writeBytes(noise);
		}
		return out.toByteArray();
	}

	@Test
	void malformedConfigsDroppedIntoARunningRuntimeAreEachInvalidWithAReasonAndTouchNothingElse() throws Exception {
		long seed = Long.getLong("pidwatcher.seed", 20261125L);
		Random random = new Random(seed);
		Map<String, Integer> kinds = new TreeMap<>();
		for (int i = 0; i < CONFIGS; i++) {
			String name = "fuzz" + i + Long.toString(System.nanoTime() % 1296, 36);
			int kind = i < 9 ? i : random.nextInt(9);
			kinds.put(name, kind);
			modules.add(name);
			Files.write(home.resolve("etc/pidwatcher.module-" + name + ".cfg"), malformed(kind, random));
		}
		ExportedRuntime.until(WAIT, "every fuzzed module known", () -> runtime.states().keySet().containsAll(kinds.keySet()));
		Thread.sleep(1500); // FileInstall's poll and a few scans more: nothing may change its mind
		ExportedRuntime.Result status = runtime.request("status");
		int invalid = 0;
		List<String> notInvalid = new ArrayList<>();
		for (var e : kinds.entrySet()) {
			String row = status.out().lines().filter(l -> l.startsWith(e.getKey() + " ")).findFirst().orElse("");
			String state = runtime.state(e.getKey());
			boolean withReason = row.trim().split("\\s+").length > 7;
			if (state.equals("invalid") && withReason) {
				invalid++;
			} else {
				notInvalid.add(e.getKey() + " (kind " + e.getValue() + "): " + row);
			}
			assertThat(Proc.tagged(e.getKey())).as("%s started nothing", e.getKey()).isEmpty();
		}
		boolean untouched = keeperUntouched();
		System.out.printf("RELIABILITY bad-config seed=%d files=%d invalid-with-reason=%d runtime-alive=%s "
				+ "keeper-same-process=%s%n", seed, CONFIGS, invalid, runtime.answers(), untouched);
		assertThat(notInvalid).as("modules not shown invalid with a reason").isEmpty();
		assertThat(untouched).isTrue();

		// a running module's file overwritten with garbage: the previous config stays in force
		Files.write(home.resolve("etc/pidwatcher.module-" + keeper + ".cfg"), malformed(0, random));
		ExportedRuntime.until(WAIT, "the rejection shown", () -> {
			try {
				return runtime.request("status").out().lines().anyMatch(l -> l.startsWith(keeper + " ") && l.contains("["));
			} catch (Exception e) {
				return false;
			}
		});
		Thread.sleep(1000);
		assertThat(keeperUntouched()).as("keeper runs on with its previous config").isTrue();
	}

	@Test
	void theControlSocketAnswersGarbageAndOversizedRequestsWithAnErrorAndKeepsServing() throws Exception {
		Random random = new Random(Long.getLong("pidwatcher.seed", 20261125L));
		int errors = 0;
		for (int i = 0; i < 20; i++) {
			byte[] garbage = new byte[1 + random.nextInt(2000)];
			random.nextBytes(garbage);
			garbage[garbage.length - 1] = '\n';
			ExportedRuntime.Result r = runtime.raw(garbage);
			assertThat(r.status()).as("garbage %d: %s", i, r.out()).isIn(1, 2);
			errors++;
		}
		byte[] huge = ("stop\t" + keeper + "\t" + "x".repeat(1 << 20) + "\n").getBytes(StandardCharsets.UTF_8);
		ExportedRuntime.Result oversized;
		try {
			oversized = runtime.raw(huge);
		} catch (java.io.IOException e) {
			oversized = new ExportedRuntime.Result(-1, "", e.toString()); // the runtime may close while we still write
		}
		assertThat(oversized.status()).as("oversized: %s", oversized).isNotZero();
		ExportedRuntime.Result longName = runtime.raw(("stop\t" + "k".repeat(5000) + "\n").getBytes(StandardCharsets.UTF_8));
		assertThat(longName.status()).isEqualTo(2);
		assertThat(longName.out()).contains("request longer than 4096 bytes");
		ExportedRuntime.Result noModule = runtime.request("stop");
		assertThat(noModule.status()).isEqualTo(2);
		assertThat(noModule.out()).contains("usage:");
		ExportedRuntime.Result unknown = runtime.request("status", "no-such-module");
		assertThat(unknown.status()).isEqualTo(1);
		assertThat(unknown.out()).contains("no module named 'no-such-module'");

		// a client that is not root cannot even reach the socket
		Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
				ExportedRuntime.BIN.resolve("pidwatcher").toString(), "--home", home.toString(), "stop", keeper)
				.redirectErrorStream(true).start();
		String said = new String(nobody.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(nobody.waitFor(60, TimeUnit.SECONDS)).isTrue();
		Thread.sleep(500);
		boolean untouched = keeperUntouched();
		System.out.printf("RELIABILITY control-socket garbage=20 error-answers=%d oversized-status=%d non-root-exit=%d "
				+ "runtime-alive=%s keeper-same-process=%s%n", errors, oversized.status(), nobody.exitValue(),
				runtime.answers(), untouched);
		assertThat(nobody.exitValue()).as("non-root client: %s", said).isEqualTo(3);
		assertThat(untouched).as("keeper never stopped by any of it").isTrue();
	}
}
