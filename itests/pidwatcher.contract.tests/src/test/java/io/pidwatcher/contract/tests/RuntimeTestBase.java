package io.pidwatcher.contract.tests;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh home in /tmp (a Unix socket path must stay under 108 bytes) for the exported runtime,
 * modules running pwtest, and the clean-up of both even when a test fails.
 */
abstract class RuntimeTestBase {

	static final Duration WAIT = Duration.ofSeconds(60);

	Path home;
	ExportedRuntime runtime;
	final List<String> modules = new ArrayList<>();

	@BeforeEach
	void createHome() throws IOException {
		home = Files.createTempDirectory("pw-contract");
		Files.createDirectories(home.resolve("etc"));
		Files.createDirectories(home.resolve("deploy"));
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void cleanUp() throws Exception {
		try {
			stopRuntime();
		} finally {
			for (String m : modules) {
				TestPrograms.killTagged("PIDWATCHER_MODULE", m);
			}
			runtime.delete();
		}
	}

	/** Subclasses that start the runtime another way stop it here. */
	void stopRuntime() throws Exception {
		runtime.kill9();
	}

	/** Writes etc/pidwatcher.module-NAME.cfg running {@code pwtest sleep 600} with these extra lines. */
	String module(String prefix, String... extraLines) throws IOException {
		String name = TestPrograms.uniqueModule(prefix);
		modules.add(name);
		StringBuilder cfg = new StringBuilder("command=" + TestPrograms.pwtest() + " sleep 600\ninterval=200ms\nstop.timeout=2s\n");
		for (String line : extraLines) {
			cfg.append(line).append('\n');
		}
		Path tmp = home.resolve("module.tmp");
		Files.writeString(tmp, cfg);
		Files.move(tmp, home.resolve("etc/pidwatcher.module-" + name + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
		return name;
	}

	/** Copies a bundle into deploy/ in one step (FileInstall must never see half a jar). */
	void deploy(Path jar, String fileName) throws IOException {
		Path tmp = home.resolve(fileName + ".tmp");
		Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
		Files.move(tmp, home.resolve("deploy").resolve(fileName), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
	}

	String status(String module) throws IOException {
		return runtime.request("status", module).out();
	}

	/** The module's one tagged process (pwtest sleep forks nothing), waiting until there is exactly one. */
	Proc.Task onlyTask(String module) throws InterruptedException {
		ExportedRuntime.until(WAIT, module + " has one process", () -> Proc.tagged(module).size() == 1);
		return Proc.tagged(module).get(0);
	}

	void awaitState(String module, String state) throws InterruptedException {
		ExportedRuntime.until(WAIT, module + " " + state, () -> state.equals(runtime.state(module)));
	}

	/** Waits until the journal has a line for this module containing every one of the texts. */
	void awaitJournal(String module, String... texts) throws InterruptedException {
		ExportedRuntime.until(WAIT, module + "'s journal has " + List.of(texts), () -> {
			try {
				return runtime.journal().stream().anyMatch(l -> l.contains("\"module\":\"" + module + "\"")
						&& List.of(texts).stream().allMatch(l::contains));
			} catch (IOException e) {
				return false;
			}
		});
	}
}
