package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * etc/ rewritten for a while by a seeded writer while the runtime reads it, the ways people and
 * tools do: in place (truncate, then write, with a pause in the middle, so a half-written file can
 * be read), write-to-temp-and-rename, editor litter (swap, backup, autosave files), vim's
 * rename-and-write, delete and re-create, a changed command, changed keys that need no restart,
 * touches. At the end the last written files are in force; modules whose file never went away keep
 * the very same process (the README's promise: an edit never restarts a healthy module; a new
 * command waits for the next restart, and status says so); no module runs twice at any sampled
 * moment; deleted modules leave nothing; the runtime logs no stack trace.
 */
class ConfigRewriteTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final Duration WRITE_PHASE = Duration.ofSeconds(Long.getLong("pidwatcher.rewrite.seconds", 12));
	private static final int MODULES = 6;

	/** What a module file says, in the keys the test can see in force through status. */
	private record Content(String program, int seconds, boolean backoff, String interval, String stopTimeout, int edit) {

		String text(Path pwtest) {
			return "# edit " + edit + "\ncommand=" + pwtest + " " + program + " " + seconds + "\ninterval=" + interval
					+ "\nstop.timeout=" + stopTimeout + "\n"
					+ (backoff ? "strategy=backoff\nstrategy.initial=1s\nstrategy.max=1s\n" : "strategy=fixed\n");
		}

		String command(Path pwtest) {
			return pwtest + " " + program + " " + seconds;
		}
	}

	private Path home;
	private Path etc;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-rewrite");
		etc = Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		runtime.kill9();
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		runtime.delete();
	}

	private Path file(String module) {
		return etc.resolve("pidwatcher.module-" + module + ".cfg");
	}

	@Test
	void aConfigDirectoryRewrittenWhileReadEndsWithTheLastFilesInForceAndNoModuleTwiceOrLeftOver() throws Exception {
		long seed = Long.getLong("pidwatcher.seed", 20261125L);
		Random random = new Random(seed);
		Path pwtest = TestPrograms.pwtest();
		Map<String, Content> written = new LinkedHashMap<>(); // null: no file
		for (int i = 0; i < MODULES; i++) {
			String name = "rw" + i + Long.toString(System.nanoTime() % 1296, 36);
			modules.add(name);
			// half of them ignore SIGTERM: their stop lasts stop.timeout, a window for a re-create to land in
			Content c = new Content(i % 2 == 0 ? "sleep" : "ignore-term", 600, false, "200ms", "2s", 0);
			Files.writeString(file(name), c.text(pwtest));
			written.put(name, c);
		}
		runtime.start();
		ExportedRuntime.until(WAIT, "every module running",
				() -> modules.stream().allMatch(m -> runtime.state(m).equals("running")));
		Map<String, Proc.Task> firstMain = new TreeMap<>();
		for (String m : modules) {
			List<Proc.Task> tasks = Proc.tagged(m);
			assertThat(tasks).as("tasks of %s", m).hasSize(1);
			firstMain.put(m, tasks.get(0));
		}

		// A sampler counts main processes per module the whole time.
		AtomicBoolean sampling = new AtomicBoolean(true);
		Map<String, AtomicInteger> maxCopies = new TreeMap<>();
		modules.forEach(m -> maxCopies.put(m, new AtomicInteger()));
		AtomicInteger samples = new AtomicInteger();
		Thread sampler = new Thread(() -> {
			while (sampling.get()) {
				MainProcesses.count(modules).forEach((m, n) -> maxCopies.get(m).accumulateAndGet(n, Math::max));
				samples.incrementAndGet();
				try {
					Thread.sleep(50);
				} catch (InterruptedException e) {
					return;
				}
			}
		});
		sampler.start();

		Map<String, Integer> ops = new TreeMap<>();
		Set<String> wentAway = new HashSet<>(); // the file was absent at some moment: a stop may have been seen
		int edit = 0;
		long end = System.nanoTime() + WRITE_PHASE.toNanos();
		boolean converged;
		boolean recreatedWhileStopping;
		try {
			while (System.nanoTime() < end) {
				String m = modules.get(random.nextInt(modules.size()));
				Content old = written.get(m);
				Content next = old == null ? new Content(random.nextBoolean() ? "sleep" : "ignore-term", 600, false, "200ms",
						"2s", ++edit) : vary(old, random, ++edit);
				String op = old == null ? "create" : switch (random.nextInt(9)) {
					case 0, 1 -> "in-place";
					case 2, 3 -> "rename";
					case 4 -> "litter";
					case 5 -> "vim";
					case 6 -> "delete";
					case 7 -> "delete-recreate";
					default -> "touch";
				};
				if (op.equals("delete") && written.values().stream().filter(c -> c == null).count() >= 2) {
					op = "touch"; // keep most modules around
				}
				ops.merge(op, 1, Integer::sum);
				Path f = file(m);
				switch (op) {
					case "create" -> Files.writeString(f, next.text(pwtest));
					case "in-place" -> {
						byte[] bytes = next.text(pwtest).getBytes(StandardCharsets.UTF_8);
						int half = 1 + random.nextInt(bytes.length - 1);
						try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.TRUNCATE_EXISTING,
								StandardOpenOption.WRITE)) {
							out.write(bytes, 0, half);
							out.flush();
							Thread.sleep(random.nextInt(1500)); // a poll of etc/ may read this half
							out.write(bytes, half, bytes.length - half);
						}
					}
					case "rename" -> {
						Path tmp = etc.resolve(f.getFileName() + ".tmp");
						Files.writeString(tmp, next.text(pwtest));
						Thread.sleep(random.nextInt(300));
						Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
					}
					case "litter" -> {
						// swap file with binary content, a backup holding a valid (other) config, autosave,
						// an emacs lock (a dangling symbolic link), vim's write test file
						byte[] junk = new byte[1 + random.nextInt(4096)];
						random.nextBytes(junk);
						Files.write(etc.resolve("." + f.getFileName() + ".swp"), junk);
						Files.writeString(etc.resolve(f.getFileName() + "~"), next.text(pwtest));
						Files.writeString(etc.resolve("#" + f.getFileName() + "#"), next.text(pwtest));
						Path lock = etc.resolve(".#" + f.getFileName());
						Files.deleteIfExists(lock);
						Files.createSymbolicLink(lock, Path.of("root@host.4242:1700000000"));
						Files.writeString(etc.resolve("4913"), "");
						Thread.sleep(random.nextInt(1200));
						Files.writeString(f, next.text(pwtest));
						if (random.nextBoolean()) {
							for (String litter : List.of("." + f.getFileName() + ".swp", "#" + f.getFileName() + "#",
									".#" + f.getFileName(), "4913")) {
								Files.deleteIfExists(etc.resolve(litter));
							}
						}
					}
					case "vim" -> {
						// vim without backupcopy: the file is renamed to its backup and written anew
						Files.move(f, etc.resolve(f.getFileName() + "~"), StandardCopyOption.REPLACE_EXISTING);
						wentAway.add(m);
						Thread.sleep(random.nextInt(50));
						Files.writeString(f, next.text(pwtest));
					}
					case "delete" -> {
						Files.delete(f);
						wentAway.add(m);
						next = null;
					}
					case "delete-recreate" -> {
						Files.delete(f);
						wentAway.add(m);
						Thread.sleep(random.nextInt(2500));
						Files.writeString(f, next.text(pwtest));
					}
					case "touch" -> {
						Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
						next = old;
					}
					default -> throw new AssertionError(op);
				}
				written.put(m, next);
				Thread.sleep(random.nextInt(400));
			}

			// Two endings the random walk may miss: a module whose file is re-created while its
			// deletion is still stopping the tree (an ignore-term one: the stop lasts stop.timeout),
			// and a module deleted for good.
			String recreated = modules.stream().filter(m -> written.get(m) != null && written.get(m).program().equals("ignore-term"))
					.findFirst().orElseThrow();
			Files.delete(file(recreated));
			wentAway.add(recreated);
			recreatedWhileStopping = DiskFullTest.eventually(Duration.ofSeconds(10), () -> runtime.state(recreated).equals("stopping"));
			Files.writeString(file(recreated), written.get(recreated).text(pwtest));
			ops.merge("recreate-while-stopping", 1, Integer::sum);
			if (written.values().stream().noneMatch(c -> c == null)) {
				String deleted = modules.stream().filter(m -> !m.equals(recreated)).findFirst().orElseThrow();
				Files.delete(file(deleted));
				wentAway.add(deleted);
				written.put(deleted, null);
				ops.merge("delete", 1, Integer::sum);
			}

			// Let the last files be read (FileInstall polls every second), then check while still sampling.
			Thread.sleep(3000);
			converged = DiskFullTest.eventually(WAIT, () -> {
				Map<String, String> states = runtime.states();
				return modules.stream().allMatch(m -> written.get(m) == null ? !states.containsKey(m) && Proc.tagged(m).isEmpty()
						: "running".equals(states.get(m)) && DiskFullTest.mainProcesses(m) == 1);
			});
			Thread.sleep(1000);
		} finally {
			sampling.set(false);
			sampler.join();
		}

		List<String> problems = new ArrayList<>();
		if (!converged) {
			problems.add("not every module with a file runs once, or a deleted one is left: states " + runtime.states()
					+ ", files " + written.keySet().stream().filter(m -> written.get(m) != null).toList());
		}
		int samePid = 0;
		int restarted = 0;
		for (String m : modules) {
			Content c = written.get(m);
			if (c == null) {
				if (!Proc.tagged(m).isEmpty()) {
					problems.add(m + ": deleted, yet " + Proc.tagged(m).size() + " tasks left");
				}
				continue;
			}
			String status = runtime.request("status", m).out();
			boolean same = Proc.alive(firstMain.get(m)) && Proc.tagged(m).equals(List.of(Proc.task(firstMain.get(m).pid())));
			if (same) {
				samePid++;
			} else {
				restarted++;
				if (!wentAway.contains(m)) {
					problems.add(m + ": its file never went away, yet it runs another process than at the start");
				}
			}
			String runningCommand = field(status, "command");
			String strategy = field(status, "strategy");
			String config = field(status, "config");
			boolean commandDiffers = !runningCommand.equals(c.command(pwtest));
			if (commandDiffers != config.contains("takes effect at the next restart")) {
				problems.add(m + ": last written command '" + c.command(pwtest) + "', running '" + runningCommand
						+ "', yet status says config '" + config + "'");
			}
			if (!commandDiffers && !config.isEmpty()) {
				problems.add(m + ": a config problem shown for a complete, valid file: " + config);
			}
			if (!strategy.startsWith(c.backoff() ? "backoff" : "fixed")) {
				problems.add(m + ": last written strategy " + (c.backoff() ? "backoff" : "fixed") + ", in force: " + strategy);
			}
		}
		Set<String> unknown = new HashSet<>(runtime.states().keySet());
		unknown.removeAll(modules);
		if (!unknown.isEmpty()) {
			problems.add("modules made of editor litter or temporary files: " + unknown);
		}
		String log = Files.readString(home.resolve("runtime.out"))
				+ Files.readString(home.resolve("var/log/pidwatcher.log"));
		List<String> stackLines = log.lines().filter(l -> l.startsWith("\tat ") || l.contains("Exception in thread")).toList();
		long rejections = log.lines().filter(l -> l.contains("config change rejected") || l.contains("ERROR module")).count();
		int duplicates = maxCopies.values().stream().mapToInt(a -> Math.max(0, a.get() - 1)).sum();
		int orphans = 0;
		for (String m : modules) {
			if (written.get(m) == null) {
				orphans += Proc.tagged(m).size();
			} else {
				ExportedRuntime.Result stop = runtime.request("stop", m);
				if (stop.status() != 0) {
					problems.add(m + ": its file is there, yet stop answers " + stop.status() + " " + stop.out().trim()
							+ "; tagged tasks " + Proc.tagged(m).size());
					TestPrograms.killTagged("PIDWATCHER_MODULE", m);
				}
				orphans += Proc.tagged(m).size();
			}
		}
		System.out.printf("RELIABILITY config-rewrite seed=%d seconds=%d edits=%d ops=%s samples=%d duplicates=%d "
				+ "modules-with-file=%d deleted-at-end=%d same-process=%d restarted=%d (file went away: %d) "
				+ "recreated-while-stopping=%s rejected-or-error-log-lines=%d stack-trace-lines=%d orphans=%d problems=%d%n", seed,
				WRITE_PHASE.toSeconds(), edit, ops, samples.get(), duplicates,
				written.values().stream().filter(c -> c != null).count(),
				written.values().stream().filter(c -> c == null).count(), samePid, restarted, wentAway.size(), recreatedWhileStopping, rejections,
				stackLines.size(), orphans, problems.size());
		problems.forEach(p -> System.out.println("RELIABILITY config-rewrite problem: " + p));
		assertThat(duplicates).as("moments with two main processes of one module: %s", maxCopies).isZero();
		assertThat(problems).isEmpty();
		assertThat(stackLines).as("stack traces in the runtime's log").isEmpty();
		assertThat(orphans).as("tagged processes left after the deletions and stops").isZero();
	}

	/**
	 * The file of a module comes back while the deletion of it still stops the tree (an editor, a
	 * config management run): the module must run again, under the new file.
	 */
	@Test
	void aModuleFileRecreatedWhileItsDeletionStillStopsTheTreeRunsAgain() throws Exception {
		Path pwtest = TestPrograms.pwtest();
		String name = "back" + Long.toString(System.nanoTime() % 1296, 36);
		modules.add(name);
		Content first = new Content("ignore-term", 600, false, "200ms", "3s", 0);
		Files.writeString(file(name), first.text(pwtest));
		runtime.start();
		ExportedRuntime.until(WAIT, "running", () -> runtime.state(name).equals("running"));
		Files.delete(file(name));
		ExportedRuntime.until(WAIT, "stopping after the deletion", () -> runtime.state(name).equals("stopping"));
		Content second = new Content("sleep", 600, true, "200ms", "2s", 1);
		Files.writeString(file(name), second.text(pwtest));
		boolean runsAgain = DiskFullTest.eventually(Duration.ofSeconds(20),
				() -> runtime.state(name).equals("running") && DiskFullTest.mainProcesses(name) == 1);
		String status = runtime.request("status", name).out();
		System.out.printf("RELIABILITY config-recreated-while-stopping runs-again=%s state=%s tasks=%d%n", runsAgain,
				runtime.state(name), Proc.tagged(name).size());
		assertThat(runsAgain).as("the module runs again under its re-created file; status:%n%s", status).isTrue();
		assertThat(field(status, "command")).isEqualTo(second.command(pwtest));
		assertThat(field(status, "strategy")).startsWith("backoff");
		assertThat(runtime.request("stop", name).status()).isZero();
		assertThat(Proc.tagged(name)).isEmpty();
	}

	/** One edit: a new command, or keys that need no restart, or only the comment. */
	private static Content vary(Content c, Random random, int edit) {
		return switch (random.nextInt(4)) {
			case 0 -> new Content(c.program(), c.seconds() == 600 ? 601 : 600, c.backoff(), c.interval(), c.stopTimeout(), edit);
			case 1 -> new Content(c.program(), c.seconds(), !c.backoff(), c.interval(), c.stopTimeout(), edit);
			case 2 -> new Content(c.program(), c.seconds(), c.backoff(), c.interval().equals("200ms") ? "300ms" : "200ms",
					c.stopTimeout().equals("2s") ? "3s" : "2s", edit);
			default -> new Content(c.program(), c.seconds(), c.backoff(), c.interval(), c.stopTimeout(), edit);
		};
	}

	/** The value of a "key   value" line of a status answer; empty when there is none. */
	private static String field(String status, String key) {
		return status.lines().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length()).trim()).findFirst()
				.orElse("");
	}
}
