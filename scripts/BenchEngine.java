import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The supervision core's benchmark (run by scripts/bench-engine), from outside the exported
 * runtime jar, with /proc and the control socket only:
 *
 *   1. restart latency after SIGKILL of a module's main process (strategy fixed, delay 0) until a
 *      new process carrying the module's tag exists, with the machine filled up to N processes by
 *      untagged sleepers (e.g. 50 and 5000);
 *   2. how long the control socket's "status" (what pw:modules shows) takes to answer while 60
 *      trees of 5 tasks are stopped at once ("stop" requests in parallel) on that machine, against
 *      the same query at rest.
 *
 * usage: java BenchEngine.java RUNTIME_JAR PWTEST LABEL DEATHS STOPS PROCS...
 */
public class BenchEngine {

	public static void main(String[] a) throws Exception {
		Path jar = Path.of(a[0]).toAbsolutePath();
		String pwtest = a[1];
		String label = a[2];
		int deaths = Integer.parseInt(a[3]);
		int stops = Integer.parseInt(a[4]);
		List<Integer> targets = Arrays.stream(a).skip(5).map(Integer::parseInt).sorted().toList();
		List<Process> filler = new ArrayList<>();
		List<String> rows = new ArrayList<>();
		try {
			for (int target : targets) {
				fill(filler, pwtest, target);
				rows.add(restartLatency(jar, pwtest, deaths, label));
			}
			String status = stops > 0 ? statusDuringStops(jar, pwtest, stops, label) : null;
			System.out.println();
			System.out.println("restart latency, " + label + ": SIGKILL of the main process -> new tagged process exists"
					+ " (strategy fixed, delay 0), load " + load());
			System.out.printf("  %-9s %6s %8s %8s %8s %8s%n", "processes", "deaths", "min", "median", "p90", "max");
			rows.forEach(System.out::println);
			if (status != null) {
				System.out.println();
				System.out.println(status);
			}
		} finally {
			filler.forEach(Process::destroyForcibly);
		}
	}

	/** Untagged sleepers until the machine has {@code target} processes (none when it has more). */
	static void fill(List<Process> filler, String pwtest, int target) throws IOException {
		int missing = target - pids().size();
		for (int i = 0; i < missing; i++) {
			filler.add(new ProcessBuilder(pwtest, "sleep", "3600").redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.redirectErrorStream(true).start());
		}
	}

	static String restartLatency(Path jar, String pwtest, int deaths, String label) throws Exception {
		Path home = Files.createTempDirectory("pw-bench-restart");
		Files.createDirectories(home.resolve("etc"));
		String module = "restart" + ProcessHandle.current().pid();
		Files.writeString(home.resolve("etc/pidwatcher.module-" + module + ".cfg"),
				"command=" + pwtest + " sleep 3600\ninterval=1s\nstrategy=fixed\nstrategy.delay=0\n");
		Process runtime = start(jar, home);
		List<Double> millis = new ArrayList<>();
		int processes = pids().size();
		try {
			int pid = waitForTagged(module, Set.of(), 60_000);
			Thread.sleep(3000); // start-up settles
			for (int i = 0; i < deaths; i++) {
				Set<Integer> before = pids();
				processes = before.size();
				long t0 = System.nanoTime();
				ProcessHandle.of(pid).orElseThrow().destroyForcibly();
				int next = waitForTagged(module, before, 20_000);
				millis.add((System.nanoTime() - t0) / 1e6);
				pid = next;
				Thread.sleep(500); // the new run settles (scan, RUNNING) before the next death
			}
		} finally {
			stop(runtime, home, List.of(module));
		}
		Collections.sort(millis);
		return String.format("  %-9d %6d %6.1fms %6.1fms %6.1fms %6.1fms", processes, millis.size(), millis.get(0),
				pct(millis, 50), pct(millis, 90), millis.get(millis.size() - 1));
	}

	static String statusDuringStops(Path jar, String pwtest, int count, String label) throws Exception {
		Path home = Files.createTempDirectory("pw-bench-stops");
		Files.createDirectories(home.resolve("etc"));
		List<String> names = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String name = "stops" + ProcessHandle.current().pid() + "n" + i;
			names.add(name);
			Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"),
					"command=" + pwtest + " tree 1 4 3600\ninterval=1s\nstop.timeout=5s\n");
		}
		Process runtime = start(jar, home);
		Path socket = home.resolve("var/run/pidwatcher.sock");
		try {
			long deadline = System.currentTimeMillis() + 120_000;
			while (countTagged(names) < count) {
				if (System.currentTimeMillis() > deadline) {
					throw new IllegalStateException("only " + countTagged(names) + " of " + count + " modules started");
				}
				Thread.sleep(500);
			}
			Thread.sleep(5000);
			int processes = pids().size();
			List<Double> rest = probe(socket, 3000, null);
			CountDownLatch go = new CountDownLatch(1);
			List<Thread> stoppers = new ArrayList<>();
			List<Double> stopMillis = new CopyOnWriteArrayList<>();
			for (String name : names) {
				Thread t = new Thread(() -> {
					try {
						go.await();
						long t0 = System.nanoTime();
						request(socket, "stop\t" + name);
						stopMillis.add((System.nanoTime() - t0) / 1e6);
					} catch (Exception e) {
						throw new RuntimeException(e);
					}
				});
				t.start();
				stoppers.add(t);
			}
			AtomicBoolean stopping = new AtomicBoolean(true);
			Thread waiter = new Thread(() -> {
				for (Thread t : stoppers) {
					try {
						t.join();
					} catch (InterruptedException e) {
						return;
					}
				}
				stopping.set(false);
			});
			waiter.start();
			List<Double> during = probe(socket, 0, () -> {
				go.countDown();
				return stopping;
			});
			Collections.sort(stopMillis);
			return "control socket \"status\" (pw:modules), " + label + ", " + processes + " processes, load " + load()
					+ "\n  " + String.format("%-36s %7s %8s %8s %8s", "", "queries", "median", "p99", "max")
					+ "\n  " + row("at rest", rest)
					+ "\n  " + row("while " + count + " trees of 5 stop at once", during)
					+ String.format("%n  the %d stops took %.0f ms (median) to %.0f ms (last)", stopMillis.size(),
							pct(stopMillis, 50), stopMillis.get(stopMillis.size() - 1));
		} finally {
			stop(runtime, home, names);
		}
	}

	static String row(String what, List<Double> sorted) {
		return String.format("%-36s %7d %6.1fms %6.1fms %6.1fms", what, sorted.size(), pct(sorted, 50), pct(sorted, 99),
				sorted.get(sorted.size() - 1));
	}

	/**
	 * "status" queries one after another (10 ms apart), for {@code millis}, or while the flag the
	 * supplier returns (after it has started whatever is measured) stays set.
	 */
	static List<Double> probe(Path socket, long millis, java.util.function.Supplier<AtomicBoolean> during)
			throws Exception {
		List<Double> out = new ArrayList<>();
		AtomicBoolean flag = during == null ? null : during.get();
		long end = System.nanoTime() + millis * 1_000_000;
		while (flag != null ? flag.get() : System.nanoTime() < end) {
			long t0 = System.nanoTime();
			request(socket, "status");
			out.add((System.nanoTime() - t0) / 1e6);
			Thread.sleep(10);
		}
		Collections.sort(out);
		return out;
	}

	static String request(Path socket, String line) throws IOException {
		try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			c.connect(UnixDomainSocketAddress.of(socket));
			c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
			c.shutdownOutput();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			ByteBuffer b = ByteBuffer.allocate(64 * 1024);
			while (c.read(b) >= 0) {
				answer.write(b.array(), 0, b.position());
				b.clear();
			}
			return answer.toString(StandardCharsets.UTF_8);
		}
	}

	static Process start(Path jar, Path home) throws IOException {
		return new ProcessBuilder("java", "-Dpidwatcher.home=" + home, "-Dgosh.args=--nointeractive", "-jar",
				jar.toString()).directory(home.toFile())
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("runtime.out").toFile()))
				.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
	}

	/** Deletes the module files (the runtime stops the trees), then stops the runtime. */
	static void stop(Process runtime, Path home, List<String> names) throws Exception {
		try (DirectoryStream<Path> cfgs = Files.newDirectoryStream(home.resolve("etc"), "*.cfg")) {
			for (Path cfg : cfgs) {
				Files.delete(cfg);
			}
		}
		long deadline = System.currentTimeMillis() + 60_000;
		while (countTagged(names) > 0 && System.currentTimeMillis() < deadline) {
			Thread.sleep(500);
		}
		runtime.destroy();
		runtime.waitFor();
		try (var files = Files.walk(home)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		for (String n : names) { // whatever the runtime left behind: our own modules only
			for (int pid : tagged(n)) {
				ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
			}
		}
	}

	static String load() throws IOException {
		return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
	}

	static double pct(List<Double> sorted, int p) {
		return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
	}

	static Set<Integer> pids() throws IOException {
		Set<Integer> pids = new HashSet<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path d : dirs) {
				pids.add(Integer.parseInt(d.getFileName().toString()));
			}
		}
		return pids;
	}

	/** Waits for a process tagged with the module whose pid is not in {@code known}. */
	static int waitForTagged(String module, Set<Integer> known, long timeoutMillis) throws Exception {
		byte[] entry = ("PIDWATCHER_MODULE=" + module).getBytes(StandardCharsets.UTF_8);
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
		while (System.nanoTime() < deadline) {
			// newest first: the new process has one of the highest pids (until they wrap)
			List<Integer> candidates = new ArrayList<>(pids());
			candidates.removeAll(known);
			candidates.sort(Collections.reverseOrder());
			for (int pid : candidates) {
				if (hasTag(pid, entry)) {
					return pid;
				}
			}
			Thread.sleep(0, 200_000);
		}
		throw new IllegalStateException("no new process tagged " + module);
	}

	static List<Integer> tagged(String module) throws IOException {
		byte[] entry = ("PIDWATCHER_MODULE=" + module).getBytes(StandardCharsets.UTF_8);
		List<Integer> out = new ArrayList<>();
		for (int pid : pids()) {
			if (hasTag(pid, entry)) {
				out.add(pid);
			}
		}
		return out;
	}

	static int countTagged(List<String> names) throws IOException {
		Set<String> left = new HashSet<>(names);
		int n = 0;
		for (int pid : pids()) {
			byte[] env;
			try {
				env = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
			} catch (IOException e) {
				continue;
			}
			String text = new String(env, StandardCharsets.ISO_8859_1);
			int at = text.indexOf("PIDWATCHER_MODULE=");
			if (at >= 0) {
				int end = text.indexOf('\0', at);
				String value = text.substring(at + 18, end < 0 ? text.length() : end);
				if (left.remove(value)) {
					n++;
				}
			}
		}
		return n;
	}

	static boolean hasTag(int pid, byte[] entry) {
		try {
			byte[] env = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
			int start = 0;
			for (int i = 0; i <= env.length; i++) {
				if (i == env.length || env[i] == 0) {
					if (i - start == entry.length && Arrays.equals(env, start, i, entry, 0, entry.length)) {
						return true;
					}
					start = i + 1;
				}
			}
		} catch (IOException e) {
			// gone
		}
		return false;
	}
}
