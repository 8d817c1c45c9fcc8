package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.Loopback;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's nginx as a module of the exported runtime, as a user moving it from systemd would run
 * it (issue 11 part 6), in three ways at once so the quiet half-minute is spent once: {@code daemon
 * on} with {@code pidfile=} (Debian's unit: Type=forking, PIDFile=), {@code daemon on} with no
 * main key (the default, main=daemon: the launcher hands over to the master), and {@code daemon
 * off} (the default again: the started process is the master). Each on a free loopback port, with
 * every path in a temporary directory. What is concluded about processes is read from /proc, and
 * every nginx process the test sees is killed afterwards by its pid, never by name (other suites
 * may run nginx).
 */
class NginxModuleTest {

	private static final Path NGINX = Path.of("/usr/sbin/nginx");
	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final Duration QUIET = Duration.ofSeconds(30);
	/** The bound from kill -9 of the master to a new master's HTTP 200. */
	private static final Duration RECOVERY = Duration.ofSeconds(1);

	/** One nginx module: its directory, port, and every pid of its that the test has seen. */
	private record Nginx(String module, Path dir, int port, boolean daemon, Set<Integer> seen) {

		Path pidFile() {
			return dir.resolve("nginx.pid");
		}

		/** master and workers, read from /proc via the pid file nginx writes in both modes. */
		Set<Integer> processes() {
			int master = readPid(pidFile());
			Set<Integer> pids = new TreeSet<>();
			if (master <= 0 || Proc.task(master) == null) {
				return pids;
			}
			pids.add(master);
			pids.addAll(Proc.children(master));
			seen.addAll(pids);
			return pids;
		}
	}

	private RuntimeHome home;
	private final List<Nginx> nginxes = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		try {
			if (home != null) {
				home.close();
			}
		} finally {
			for (Nginx n : nginxes) {
				Set<Integer> pids = new TreeSet<>(n.seen());
				pids.addAll(Proc.withCommandLineContaining(n.dir().toString()));
				for (int pid : Set.copyOf(pids)) {
					pids.addAll(Proc.children(pid));
				}
				for (int pid : pids) {
					ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
				}
			}
		}
	}

	@Test
	void nginxInBothModesIsSupervisedWholeAcrossCrashesStopsAndARuntimeRestart() throws Exception {
		assertThat(NGINX).as("Debian's nginx (scripts/install-deps installs it)").isExecutable();
		home = new RuntimeHome("pw-nginx").start();
		Nginx onPidfile = define("ngx-pidfile-", true, "pidfile=%s\n");
		Nginx onDaemon = define("ngx-daemon-", true, "");
		Nginx off = define("ngx-off-", false, "");

		// every nginx process is listed, and pw:ps marks those known by lineage
		for (Nginx n : nginxes) {
			home.awaitState(n.module(), "running");
			ExportedRuntime.until(WAIT, n.module() + ": master and 2 workers", () -> n.processes().size() == 3);
			assertThat(get(n)).as("%s answers", n.module()).startsWith("pidwatcher ");
			Set<Integer> oracle = n.processes();
			ExportedRuntime.until(WAIT, n.module() + ": pw:ps lists every nginx process", () -> listed(n).equals(oracle));
			String ps = home.request("ps", n.module()).out();
			int master = readPid(n.pidFile());
			for (int pid : oracle) {
				String row = row(ps, pid);
				if (pid != master || n.daemon()) {
					assertThat(row).as("%s: pid %d known by lineage\n%s", n.module(), pid, ps)
							.contains("member by lineage: inherited at fork");
				}
			}
			if (n.daemon()) {
				assertThat(Proc.task(master).ppid()).as("%s: the master daemonized", n.module()).isEqualTo(1);
			}
		}
		assertThat(home.journal(onPidfile.module())).anyMatch(l -> l.contains("read from " + onPidfile.pidFile()));
		assertThat(home.journal(onDaemon.module())).anyMatch(l -> l.contains("that is the main process now (main=daemon)"));

		// 0 restarts over 30 quiet seconds, and the same processes all along
		List<Set<Integer>> before = nginxes.stream().map(Nginx::processes).toList();
		long quietEnd = System.nanoTime() + QUIET.toNanos();
		while (System.nanoTime() < quietEnd) {
			for (int i = 0; i < nginxes.size(); i++) {
				assertThat(nginxes.get(i).processes()).as("%s's processes", nginxes.get(i).module()).isEqualTo(before.get(i));
			}
			Thread.sleep(500);
		}
		for (Nginx n : nginxes) {
			assertThat(restarts(n)).as("%s restarts in %s quiet", n.module(), QUIET).isZero();
			assertThat(home.state(n.module())).isEqualTo("running");
		}

		// the runtime killed with -9 and started again adopts the same processes, none started twice
		home.runtime.kill9();
		home.start();
		for (int i = 0; i < nginxes.size(); i++) {
			Nginx n = nginxes.get(i);
			Set<Integer> same = before.get(i);
			home.awaitState(n.module(), "running");
			ExportedRuntime.until(WAIT, n.module() + ": adopted, pw:ps lists the same processes",
					() -> listed(n).equals(same));
			assertThat(n.processes()).isEqualTo(same);
			assertThat(Proc.withCommandLineContaining(n.dir().toString())).as("%s: one master, no duplicate", n.module())
					.containsExactly(readPid(n.pidFile()));
			assertThat(restarts(n)).isZero();
			assertThat(home.journal(n.module())).anyMatch(l -> l.contains("adopted the running tree"));
		}

		// kill -9 of the master: the old workers go, a new master answers
		List<String> recoveries = new ArrayList<>();
		for (Nginx n : nginxes) {
			Set<Integer> old = n.processes();
			int master = readPid(n.pidFile());
			long killed = System.nanoTime();
			ProcessHandle.of(master).orElseThrow().destroyForcibly();
			long[] workersGone = { 0 };
			String[] answer = { "" };
			ExportedRuntime.until(WAIT, n.module() + ": old workers gone and a new master answers", () -> {
				if (workersGone[0] == 0 && old.stream().allMatch(pid -> Proc.task(pid) == null)) {
					workersGone[0] = System.nanoTime();
				}
				answer[0] = get(n);
				return workersGone[0] != 0 && answer[0].startsWith("pidwatcher ")
						&& !old.contains(Integer.parseInt(answer[0].substring("pidwatcher ".length()).trim()));
			});
			long recovered = System.nanoTime();
			String figure = String.format("%s: kill -9 of master %d: old workers gone after %d ms, HTTP 200 from a new "
					+ "master after %d ms", n.module(), master, (workersGone[0] - killed) / 1_000_000,
					(recovered - killed) / 1_000_000);
			System.out.println(figure);
			if (Duration.ofNanos(recovered - killed).compareTo(RECOVERY) > 0) {
				recoveries.add(figure + "\n" + home.request("events", n.module()).out());
			}
			ExportedRuntime.until(WAIT, n.module() + ": a new master and 2 workers", () -> {
				Set<Integer> now = n.processes();
				return now.size() == 3 && now.stream().noneMatch(old::contains);
			});
			assertThat(home.request("events", n.module()).out()).contains("main process pid " + master);
		}

		assertThat(recoveries).as("modules whose new master answered later than %s after kill -9 of the old one",
				RECOVERY).isEmpty();

		// pw:stop leaves no nginx process
		for (Nginx n : nginxes) {
			n.processes();
			assertThat(home.request("stop", n.module()).status()).isZero();
			Set<Integer> left = new TreeSet<>();
			for (int pid : n.seen()) {
				if (Proc.task(pid) != null) {
					left.add(pid);
				}
			}
			left.addAll(Proc.withCommandLineContaining(n.dir().toString()));
			assertThat(left).as("%s: nginx processes after pw:stop", n.module()).isEmpty();
			assertThat(home.state(n.module())).isEqualTo("stopped");
		}
	}

	private Nginx define(String prefix, boolean daemon, String keys) throws IOException {
		String module = home.name(prefix);
		Path dir = Files.createTempDirectory("pw-" + module);
		Nginx n = new Nginx(module, dir, Loopback.freePort(), daemon, new TreeSet<>());
		nginxes.add(n);
		Path conf = dir.resolve("nginx.conf");
		Files.writeString(conf, config(n));
		home.define(module, "command=" + NGINX + " -p " + dir + " -c " + conf + " -e " + dir.resolve("error.log") + "\n"
				+ String.format(keys, n.pidFile()) + "stop.timeout=2s\n");
		return n;
	}

	private static String config(Nginx n) {
		Path dir = n.dir();
		return String.join("\n",
				"daemon " + (n.daemon() ? "on" : "off") + ";",
				"pid " + n.pidFile() + ";",
				"error_log " + dir.resolve("error.log") + ";",
				"worker_processes 2;",
				"events { worker_connections 64; }",
				"http {",
				"    access_log off;",
				"    client_body_temp_path " + dir.resolve("body") + ";",
				"    proxy_temp_path " + dir.resolve("proxy") + ";",
				"    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
				"    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
				"    scgi_temp_path " + dir.resolve("scgi") + ";",
				"    server {",
				"        listen 127.0.0.1:" + n.port() + ";",
				"        location / { return 200 \"pidwatcher $pid\\n\"; }",
				"    }",
				"}", "");
	}

	/** The body of GET / (the answering worker's pid), or "" when nothing answers with 200. */
	private static String get(Nginx n) {
		try (Socket s = new Socket()) {
			s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), n.port()), 200);
			s.setSoTimeout(500);
			OutputStream out = s.getOutputStream();
			out.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = s.getInputStream();
			String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
			int body = response.indexOf("\r\n\r\n");
			return response.startsWith("HTTP/1.1 200") && body > 0 ? response.substring(body + 4) : "";
		} catch (IOException e) {
			return "";
		}
	}

	/** The pids pw:ps lists for the module (the product's answer, compared with /proc). */
	private Set<Integer> listed(Nginx n) {
		Set<Integer> pids = new TreeSet<>();
		try {
			for (String line : home.request("ps", n.module()).out().split("\n")) {
				String[] f = line.trim().split("\\s+");
				if (f.length >= 7 && f[0].matches("[0-9]+") && f[1].matches("[0-9]+")) {
					pids.add(Integer.parseInt(f[0]));
				}
			}
		} catch (IOException e) {
			// not answering: nothing listed
		}
		return pids;
	}

	private static String row(String ps, int pid) {
		for (String line : ps.split("\n")) {
			if (line.trim().startsWith(pid + " ")) {
				return line;
			}
		}
		throw new AssertionError("pid " + pid + " not in\n" + ps);
	}

	private int restarts(Nginx n) throws IOException {
		for (String line : home.request("status").out().split("\n")) {
			String[] f = line.trim().split("\\s+");
			if (f.length > 3 && f[0].equals(n.module())) {
				return Integer.parseInt(f[3]);
			}
		}
		throw new AssertionError(n.module() + " not in the status table");
	}

	private static int readPid(Path file) {
		try {
			return Integer.parseInt(Files.readString(file).trim());
		} catch (IOException | NumberFormatException e) {
			return -1;
		}
	}




}
