package io.pidwatcher.contract.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Maven build from a test: the Maven and local repository of the build that runs the test,
 * offline (-o), bounded in time, its output kept in a file for the assertion message.
 */
final class NestedMaven {

	static final Path ROOT = Path.of(System.getProperty("pidwatcher.root", "../..")).toAbsolutePath().normalize();
	static final String VERSION = System.getProperty("pidwatcher.version", "1.1.0-SNAPSHOT");
	private static final long TIMEOUT_MINUTES = 6;

	/** Exit status and everything Maven printed. */
	record Result(int status, String output) {
	}

	private NestedMaven() {
	}

	static Result run(Path log, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		String home = System.getProperty("pidwatcher.maven.home");
		command.add(home == null || home.isBlank() ? "mvn" : Path.of(home, "bin", "mvn").toString());
		command.addAll(List.of("-B", "-o"));
		String repo = System.getProperty("pidwatcher.maven.repo.local");
		if (repo != null && !repo.isBlank()) {
			command.add("-Dmaven.repo.local=" + repo);
		}
		command.addAll(List.of(args));
		Files.createDirectories(log.getParent());
		Process maven = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
				.redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
				.start();
		if (!maven.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
			maven.descendants().forEach(ProcessHandle::destroyForcibly);
			maven.destroyForcibly();
			maven.waitFor(30, TimeUnit.SECONDS);
			throw new AssertionError(command + " did not finish within " + TIMEOUT_MINUTES + " minutes; see " + log);
		}
		return new Result(maven.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
	}
}
