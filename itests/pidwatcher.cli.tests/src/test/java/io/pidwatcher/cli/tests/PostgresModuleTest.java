package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.Loopback;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's PostgreSQL 15 as a module of the exported runtime (issue 14 part 6), as its users run
 * it: as user postgres, through pg_ctl, which daemonizes (main=daemon hands over to the
 * postmaster), on a fresh cluster this test creates in a temporary directory, on a free loopback
 * port, its Unix socket in that directory too: the system's cluster and port 5432 are never
 * touched. The module is running only once the port accepts (ready=tcp:); a client module loops on
 * psql and is ready once a query answers (ready=exec:). A kill -9 of the postmaster stops the rest
 * of its tree and starts a new one, running again once ready; the time it takes is printed.
 * What is concluded about processes is read from /proc, and every process of the cluster is
 * killed afterwards by its pid, never by name.
 */
class PostgresModuleTest {

	private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
	private static final Duration WAIT = RuntimeHome.WAIT;

	private RuntimeHome home;
	private Path dir;
	private final Set<Integer> seen = new TreeSet<>();

	@AfterEach
	void cleanUp() throws Exception {
		try {
			if (home != null) {
				home.close(); // the runtime killed with -9, then every tagged process of its modules
			}
		} finally {
			if (dir != null) {
				Path log = dir.resolve("server.log");
				if (Files.exists(log)) {
					System.out.println("PostgreSQL's log (" + log + "):\n" + Files.readString(log));
				}
				Set<Integer> pids = new TreeSet<>(seen);
				pids.addAll(Proc.withCommandLineContaining(dir.toString()));
				for (int pid : Set.copyOf(pids)) {
					pids.addAll(Proc.children(pid));
				}
				for (int pid : pids) {
					ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
				}
				try (var files = Files.walk(dir)) {
					files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
				}
			}
		}
	}

	@Test
	void postgresAsUserPostgresThroughPgCtlIsRunningOnceItAcceptsAndComesBackAfterKill9() throws Exception {
		assertThat(BIN.resolve("pg_ctl")).as("PostgreSQL 15 (scripts/install-deps installs postgresql-15)").isExecutable();
		int postgresUid = uid("postgres");
		dir = Files.createTempDirectory("pw-pg");
		UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
		Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
		Path data = dir.resolve("data");
		run(Duration.ofMinutes(2), "runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", data.toString(),
				"-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions");
		int port = Loopback.freePort();

		home = new RuntimeHome("pw-pg").start();
		String db = home.name("pg-");
		home.define(db, "command=" + BIN.resolve("pg_ctl") + " start -W -D " + data + " -l " + dir.resolve("server.log")
				+ " -o \"-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1\"\n"
				+ "directory=" + dir + "\n"
				+ "user=postgres\n"
				+ "ready=tcp:127.0.0.1:" + port + "\n"
				+ "start.timeout=60s\n"
				+ "stop.signal=INT\n");
		String psql = BIN.resolve("psql") + " -h 127.0.0.1 -p " + port + " -U postgres -tA -c";
		String client = home.name("pg-client-");
		home.define(client, "command=sh -c 'while true; do " + psql + " \"select 1\" >/dev/null 2>&1 && echo ok || echo down; "
				+ "sleep 0.2; done'\n"
				+ "ready=exec:" + psql + " 'select 1'\n"
				+ "env.PGCONNECT_TIMEOUT=2\n"
				+ "start.timeout=60s\n"
				+ "requires=" + db + "\n"); // started once the cluster is ready, stopped and started again with it

		// running only once the port accepts: whenever the state reads running, a connect succeeds
		ExportedRuntime.until(WAIT, db + " running", () -> {
			if (!home.state(db).equals("running")) {
				return false;
			}
			assertThat(Loopback.accepts(port)).as("%s is running: its port accepts", db).isTrue();
			return true;
		});
		assertThat(runningReasons(db)).singleElement().satisfies(r -> assertThat(r)
				.containsPattern("ready=tcp:127.0.0.1:" + port + " passed after [0-9]+ms \\([0-9]+ probes?: connected to"));

		// the postmaster runs as postgres, daemonized, and is the module's main process
		int postmaster = awaitPostmaster(data, -1);
		assertThat(uids(postmaster)).as("Uid of postmaster %d in /proc", postmaster).containsOnly(postgresUid);
		assertThat(Proc.task(postmaster).ppid()).as("pg_ctl daemonized it").isNotEqualTo((int) ProcessHandle.current().pid());
		ExportedRuntime.until(WAIT, db + ": the postmaster is the main process (main=daemon)",
				() -> status(db).contains("main       pid " + postmaster));
		ExportedRuntime.until(WAIT, db + ": the postmaster's workers", () -> Proc.children(postmaster).size() >= 4);
		Set<Integer> oldTree = new TreeSet<>(Proc.children(postmaster));
		oldTree.add(postmaster);
		seen.addAll(oldTree);
		for (int pid : oldTree) {
			assertThat(uids(pid)).as("Uid of %d", pid).containsOnly(postgresUid);
		}

		// the client is ready once a query answers, and its queries go through
		home.awaitState(client, "running");
		assertThat(at(runningReasons(client).get(0))).as("the client (requires=) started running after the cluster was ready")
				.isAfter(at(runningReasons(db).get(0)));
		assertThat(runningReasons(client)).singleElement().satisfies(r -> assertThat(r).contains("ready=exec:" + psql)
				.contains("passed after").contains("exit status 0"));
		Path clientLog = home.home.resolve("var/log/" + client + ".log");
		ExportedRuntime.until(WAIT, client + " answered", () -> count(clientLog, "ok") > 0);

		// kill -9 of the postmaster: its whole tree is stopped and a new one started, running once ready
		long killed = System.nanoTime();
		assertThat(ProcessHandle.of(postmaster).orElseThrow().destroyForcibly()).isTrue();
		ExportedRuntime.until(WAIT, db + " running and ready again", () -> {
			try {
				return runningReasons(db).size() == 2 && home.state(db).equals("running");
			} catch (IOException e) {
				return false;
			}
		});
		long recovered = System.nanoTime();
		assertThat(Loopback.accepts(port)).isTrue();
		int second = awaitPostmaster(data, postmaster);
		seen.add(second);
		seen.addAll(Proc.children(second));
		System.out.printf("%s: kill -9 of postmaster %d: running and ready (ready=tcp:) again after %d ms, new postmaster %d%n",
				db, postmaster, TimeUnit.NANOSECONDS.toMillis(recovered - killed), second);
		assertThat(runningReasons(db).get(1)).contains("ready=tcp:127.0.0.1:" + port + " passed after");
		// the postmaster's death, or its whole tree's (its workers exit at once when it dies), whichever a scan saw first
		assertThat(home.request("events", db).out()).containsPattern("main (process )?pid " + postmaster);
		ExportedRuntime.until(WAIT, db + ": nothing left of the old tree", () -> oldTree.stream().allMatch(p -> Proc.task(p) == null));
		assertThat(uids(second)).containsOnly(postgresUid);
		int okBefore = count(clientLog, "ok");
		ExportedRuntime.until(WAIT, client + " answered by the new postmaster", () -> count(clientLog, "ok") > okBefore);
		// requires=: the client was stopped with the cluster's failure and runs again, after the new cluster was ready
		ExportedRuntime.until(WAIT, client + " running again", () -> {
			try {
				return runningReasons(client).size() == 2 && home.state(client).equals("running");
			} catch (IOException e) {
				return false;
			}
		});
		assertThat(at(runningReasons(client).get(1))).isAfter(at(runningReasons(db).get(1)));

		// pw:stop leaves nothing of the cluster
		assertThat(home.request("stop", client).status()).isZero();
		assertThat(home.request("stop", db).status()).isZero();
		ExportedRuntime.until(WAIT, db + ": no process of the cluster after pw:stop", () -> {
			Set<Integer> left = new TreeSet<>(Proc.withCommandLineContaining(dir.toString()));
			seen.stream().filter(p -> Proc.task(p) != null).forEach(left::add);
			return left.isEmpty();
		});
		assertThat(home.state(db)).isEqualTo("stopped");
	}

	/** When a journal line was written. */
	private static java.time.Instant at(String journalLine) {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"at\":\"([^\"]+)\"").matcher(journalLine);
		assertThat(m.find()).as("a time in %s", journalLine).isTrue();
		return java.time.Instant.parse(m.group(1));
	}

	/** The reasons of the module's transitions into running, oldest first, from the journal. */
	private List<String> runningReasons(String module) throws IOException {
		List<String> reasons = new ArrayList<>();
		for (String line : home.journal(module)) {
			if (line.contains("\"to\":\"running\"") && !line.contains("\"from\":\"running\"")) {
				reasons.add(line);
			}
		}
		return reasons;
	}

	/** The postmaster's pid once data/postmaster.pid names a live one other than before. */
	private static int awaitPostmaster(Path data, int before) throws InterruptedException {
		int[] pid = { -1 };
		ExportedRuntime.until(WAIT, "a postmaster in " + data.resolve("postmaster.pid"), () -> {
			try {
				pid[0] = Integer.parseInt(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
			} catch (IOException | RuntimeException e) {
				return false;
			}
			return pid[0] != before && Proc.task(pid[0]) != null;
		});
		return pid[0];
	}

	private String status(String module) {
		try {
			return home.request("status", module).out();
		} catch (IOException e) {
			return "";
		}
	}

	/** Real, effective, saved and file-system uid from /proc/PID/status. */
	private static Set<Integer> uids(int pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
			if (line.startsWith("Uid:")) {
				Set<Integer> uids = new TreeSet<>();
				for (String f : line.substring(4).trim().split("\\s+")) {
					uids.add(Integer.parseInt(f));
				}
				return uids;
			}
		}
		throw new AssertionError("no Uid line for " + pid);
	}

	private static int uid(String user) throws IOException {
		for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
			String[] f = line.split(":");
			if (f.length > 2 && f[0].equals(user)) {
				return Integer.parseInt(f[2]);
			}
		}
		throw new AssertionError("no user " + user + " in /etc/passwd (the postgresql-15 package creates it)");
	}

	private static int count(Path log, String line) {
		try {
			return (int) Files.readAllLines(log).stream().filter(line::equals).count();
		} catch (IOException e) {
			return 0;
		}
	}

	private static void run(Duration bound, String... argv) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
		byte[][] out = new byte[1][];
		Thread reader = new Thread(() -> {
			try {
				out[0] = p.getInputStream().readAllBytes();
			} catch (IOException e) {
				out[0] = new byte[0];
			}
		});
		reader.start();
		if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
			throw new AssertionError(String.join(" ", argv) + " did not finish within " + bound);
		}
		reader.join(5000);
		assertThat(p.exitValue()).as("%s:%n%s", String.join(" ", argv),
				out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)).isZero();
	}





}
