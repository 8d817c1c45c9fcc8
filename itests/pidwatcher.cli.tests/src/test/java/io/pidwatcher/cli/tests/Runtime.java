package io.pidwatcher.cli.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A pidwatcher runtime (the exported jar) in its own JVM, and bin/pidwatcher to talk to it. */
final class Runtime {

	static final Path JAR = Path.of(System.getProperty("pidwatcher.jar", "../../features/target/pidwatcher.jar"))
			.toAbsolutePath().normalize();
	static final Path BIN = Path.of(System.getProperty("pidwatcher.bin", "../../bin")).toAbsolutePath().normalize();

	final Path home;
	private Process jvm;

	Runtime(Path home) {
		this.home = home;
	}

	/** Starts the runtime without a shell; its output goes to a file, never to a pipe we hold. */
	Process start() throws IOException {
		Path out = home.resolve("runtime.out");
		jvm = new ProcessBuilder("java", "-Dpidwatcher.home=" + home, "-Dgosh.args=--nointeractive", "-jar", JAR.toString())
				.directory(home.toFile()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
		return jvm;
	}

	void kill9() throws InterruptedException {
		jvm.destroyForcibly();
		jvm.waitFor(30, TimeUnit.SECONDS);
	}

	/** Result of one bin/ command. */
	record Result(int status, String out, String err) {
	}

	Result cli(String program, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(BIN.resolve(program).toString()));
		command.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
		pb.environment().put("PIDWATCHER_HOME", home.toString());
		Path out = Files.createTempFile("cli", ".out");
		Path err = Files.createTempFile("cli", ".err");
		Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!p.waitFor(60, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(command + " did not finish");
		}
		Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
		Files.delete(out);
		Files.delete(err);
		return r;
	}

	static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("timed out after " + timeout + " waiting for " + what);
			}
			Thread.sleep(100);
		}
	}
}
