package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One exported runtime in a fresh home for a test class: writes module files into etc/ as a user
 * would, and cleans every module's tree up afterwards. What the tests conclude about processes they
 * read from /proc ({@link Proc}), never from the runtime's answers alone.
 */
final class RuntimeHome implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(60);

	final Path home;
	final ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	RuntimeHome(String prefix) throws IOException {
		// in /tmp: a Unix socket path must stay under 108 bytes
		home = Files.createTempDirectory(prefix);
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
	}

	RuntimeHome start() throws Exception {
		runtime.start();
		// twice WAIT: a JVM starting on a machine loaded by other suites
		ExportedRuntime.until(WAIT.multipliedBy(2), "the runtime answers on its socket", () -> {
			try {
				return runtime.request("status").status() == 0;
			} catch (IOException | RuntimeException e) {
				return false;
			}
		});
		return this;
	}

	/** A fresh module name (dashes allowed, as the README says). */
	String name(String prefix) {
		String name = prefix + UUID.randomUUID().toString().substring(0, 6);
		modules.add(name);
		return name;
	}

	/** Writes etc/pidwatcher.module-NAME.cfg; PWTEST and HOME in the text are replaced. */
	Path define(String name, String config) throws IOException {
		Path cfg = home.resolve("etc/pidwatcher.module-" + name + ".cfg");
		String text = config.replace("PWTEST", TestPrograms.pwtest().toString()).replace("HOME", home.toString());
		Path tmp = home.resolve("etc/." + name + ".tmp");
		Files.writeString(tmp, text);
		Files.move(tmp, cfg, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		return cfg;
	}

	String state(String name) {
		return runtime.state(name);
	}

	void awaitState(String name, String state) throws InterruptedException {
		ExportedRuntime.until(WAIT, name + " " + state, () -> runtime.state(name).equals(state));
	}

	/** The module's main task as /proc shows it: a tagged task whose parent is not tagged (one while it runs). */
	Optional<Proc.Task> main(String name) {
		List<Proc.Task> tagged = Proc.tagged(name);
		List<Proc.Task> roots = tagged.stream().filter(t -> tagged.stream().noneMatch(p -> p.pid() == t.ppid())).toList();
		return roots.size() == 1 ? Optional.of(roots.get(0)) : Optional.empty();
	}

	Proc.Task awaitMain(String name) throws InterruptedException {
		Proc.Task[] found = new Proc.Task[1];
		// kept as seen: a crashing program's main task may be gone by the next look
		ExportedRuntime.until(WAIT, name + ": one main task in /proc", () -> (found[0] = main(name).orElse(null)) != null);
		return found[0];
	}

	/** Journal lines of this module (var/watchdog/journal.jsonl, one JSON object a line). */
	List<String> journal(String name) throws IOException {
		return runtime.journal().stream().filter(l -> l.contains("\"module\":\"" + name + "\"")).toList();
	}

	ExportedRuntime.Result request(String... args) throws IOException {
		return runtime.request(args);
	}

	/** Asserts /proc shows nothing of the module for this long (what must never happen: a start). */
	void assertNothingRunsFor(String name, Duration d) throws InterruptedException {
		long end = System.nanoTime() + d.toNanos();
		while (System.nanoTime() < end) {
			assertThat(Proc.tree(name)).as("%s: tasks in /proc", name).isEmpty();
			Thread.sleep(100);
		}
	}

	@Override
	public void close() throws Exception {
		try {
			runtime.kill9();
		} finally {
			for (String m : modules) {
				TestPrograms.killTagged("PIDWATCHER_MODULE", m);
			}
			runtime.delete();
		}
	}
}
