package io.pidwatcher.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.Ps;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The /proc reader on the kernel's process events connector, in a real Felix, as root: what
 * pw:source says, the switch back to scanning, and Debian's nginx with its default
 * {@code daemon on} (it double-forks and writes its title over its environment, so only lineage
 * finds it), checked against {@code ps}.
 */
@ExtendWith(ServiceExtension.class)
class ConnectorLineageTest {

	private static final String TAG = ProcessReader.DEFAULT_TAG_NAME;
	private static final Duration WAIT = Duration.ofSeconds(20);

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader reader;

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@InjectService
	ConfigurationAdmin configAdmin;

	private final List<Process> started = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		started.forEach(p -> {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		});
		Configuration config = configAdmin.getConfiguration("pidwatcher.procfs", "?");
		if (config.getProperties() != null) {
			config.delete();
			Poll.until(WAIT, "connector back", () -> source().contains("event mode: process events connector"));
		}
	}

	private String source() {
		try {
			return Gogo.run(gogo, "pw:source");
		} catch (Exception e) {
			return e.toString();
		}
	}

	@Test
	void pwSourceSaysTheConnectorIsActiveAndScanningCanBeForced() throws Exception {
		Poll.until(WAIT, "connector active", () -> source().contains("events     process events connector"));
		assertThat(source()).contains("connector: ").contains("connector losses: ");

		Configuration config = configAdmin.getConfiguration("pidwatcher.procfs", "?");
		Hashtable<String, Object> props = new Hashtable<>();
		props.put("connector", "false");
		config.update(props);
		Poll.until(WAIT, "scanning mode", () -> source().contains("connector: not used: switched off"));
		assertThat(source()).contains("events     pidfd");

		// Scanning still finds tagged processes, and the pidfd tracker still reports exits.
		String module = TestPrograms.uniqueModule("scan");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		Poll.until(WAIT, "found by scanning", () -> reader.scan(ScanScope.module(module)).tasks().stream()
				.anyMatch(t -> t.pid() == p.pid() && t.comm().equals("pwtest")));

		config.delete();
		Poll.until(WAIT, "connector back", () -> source().contains("events     process events connector"));
	}

	@Test
	void aForkedChildThatWipesItsEnvironmentIsListedAsForked() throws Exception {
		Poll.until(WAIT, "connector active", () -> source().contains("events     process events connector"));
		Poll.until(WAIT, "first full scan done", () -> !source().contains("first full scan not done"));
		String module = TestPrograms.uniqueModule("wipe");
		Process p = TestPrograms.start(TAG, module, "wipestorm", "5", "60");
		started.add(p);
		Poll.until(WAIT, "5 children", () -> p.children().count() == 5);
		Set<Integer> oracle = p.children().map(h -> (int) h.pid()).collect(Collectors.toCollection(TreeSet::new));
		oracle.add((int) p.pid());
		Poll.until(WAIT, "all listed", () -> pids(reader.scan(ScanScope.module(module)).tasks()).equals(oracle));
		for (TaskSnapshot t : reader.scan(ScanScope.module(module)).tasks()) {
			assertThat(t.membership()).as("pid %d", t.pid()).isEqualTo(t.pid() == p.pid() ? Membership.TAG : Membership.FORK);
		}
	}

	private static Set<Integer> pids(List<TaskSnapshot> tasks) {
		return tasks.stream().map(TaskSnapshot::pid).collect(Collectors.toCollection(TreeSet::new));
	}

	/**
	 * Debian's nginx, default {@code daemon on}, on a free loopback port, started with the tag as
	 * the watchdog would start a module: the launcher exits, the master daemonizes, writes its
	 * title over its environment and forks workers. Every process ps shows is listed, each marked
	 * as known by lineage.
	 */
	@Test
	void nginxWithDaemonOnIsListedWholeMasterAndWorkers() throws Exception {
		Path nginx = Path.of("/usr/sbin/nginx");
		assertThat(nginx).as("Debian's nginx (scripts/install-deps installs it)").isExecutable();
		Poll.until(WAIT, "connector active", () -> source().contains("events     process events connector"));
		Poll.until(WAIT, "first full scan done", () -> !source().contains("first full scan not done"));
		Path dir = Files.createTempDirectory("pidwatcher-nginx");
		int port = freePort();
		Path conf = dir.resolve("nginx.conf");
		Files.writeString(conf, nginxConfig(dir, port));
		String module = TestPrograms.uniqueModule("nginx");
		int master = -1;
		try {
			ProcessBuilder builder = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString(),
					"-e", dir.resolve("error.log").toString()).redirectErrorStream(true)
					.redirectOutput(dir.resolve("launcher.out").toFile());
			builder.environment().put(TAG, module);
			Process launcher = builder.start();
			assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).as("nginx's launcher exits (daemon on)").isTrue();
			assertThat(launcher.exitValue()).as("nginx started; %s", Files.readString(dir.resolve("launcher.out"))).isZero();
			Path pidFile = dir.resolve("nginx.pid");
			Poll.until(WAIT, "nginx.pid", () -> Files.exists(pidFile) && readPid(pidFile) > 0);
			master = readPid(pidFile);
			int m = master;
			Poll.until(WAIT, "2 workers", () -> Ps.pids("--ppid", Integer.toString(m)).size() == 2);
			Set<Integer> oracle = Ps.pids("--pid", Integer.toString(master), "--ppid", Integer.toString(master));
			assertThat(oracle).hasSize(3);
			assertThat(Proc.task(master).ppid()).as("the master daemonized").isEqualTo(1);
			assertThat(curl(port)).isEqualTo("pidwatcher\n");

			Poll.until(WAIT, "every nginx process listed", () -> pids(reader.scan(ScanScope.module(module)).tasks()).equals(oracle));
			List<TaskSnapshot> listed = reader.scan(ScanScope.module(module)).tasks();
			assertThat(listed).extracting(TaskSnapshot::comm).containsOnly("nginx");
			assertThat(listed).extracting(TaskSnapshot::membership).as("known by lineage").containsOnly(Membership.FORK);
			for (int pid : oracle) {
				String environ = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")),
						StandardCharsets.UTF_8);
				assertThat(environ).as("pid %d's environment", pid).doesNotContain(module);
			}
			assertThat(reader.scan(ScanScope.everything()).tasks().stream().filter(t -> module.equals(t.tagValue()))
					.map(TaskSnapshot::pid).collect(Collectors.toSet())).isEqualTo(oracle);
		} finally {
			stopNginx(master);
		}
	}

	private static String nginxConfig(Path dir, int port) {
		return String.join("\n",
				"# daemon on (the default); every path in " + dir,
				"pid " + dir.resolve("nginx.pid") + ";",
				"error_log " + dir.resolve("error.log") + ";",
				"worker_processes 2;",
				"events { worker_connections 64; }",
				"http {",
				"    access_log " + dir.resolve("access.log") + ";",
				"    client_body_temp_path " + dir.resolve("body") + ";",
				"    proxy_temp_path " + dir.resolve("proxy") + ";",
				"    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
				"    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
				"    scgi_temp_path " + dir.resolve("scgi") + ";",
				"    server {",
				"        listen 127.0.0.1:" + port + ";",
				"        location / { return 200 \"pidwatcher\\n\"; }",
				"    }",
				"}", "");
	}

	/** SIGQUIT to the master (graceful), then SIGKILL to whatever of its tree is left, within 10 s. */
	private static void stopNginx(int master) throws Exception {
		if (master <= 0) {
			return;
		}
		Set<Integer> tree = Ps.pids("--pid", Integer.toString(master), "--ppid", Integer.toString(master));
		new ProcessBuilder("kill", "-QUIT", Integer.toString(master)).start().waitFor(5, TimeUnit.SECONDS);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (tree.stream().anyMatch(pid -> Proc.task(pid) != null) && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		for (int pid : tree) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
	}

	private static int readPid(Path file) {
		try {
			return Integer.parseInt(Files.readString(file).trim());
		} catch (IOException | NumberFormatException e) {
			return -1;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return s.getLocalPort();
		}
	}

	private static String curl(int port) throws Exception {
		Process curl = new ProcessBuilder("curl", "-s", "--max-time", "5", "http://127.0.0.1:" + port + "/")
				.redirectErrorStream(true).start();
		String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		curl.waitFor(10, TimeUnit.SECONDS);
		return out;
	}

}
