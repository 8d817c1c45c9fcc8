package io.pidwatcher.testing;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A pidwatcher runtime (the exported jar) in its own JVM; requests go straight to its control
 * socket ({@link #request}; a JVM per bin/pidwatcher call costs a second) or through bin/ ({@link #cli}).
 * The jar and bin/ are found relative to a test module two levels below the repository root.
 */
public final class ExportedRuntime {

	public static final Path JAR = Path.of(System.getProperty("pidwatcher.jar", "../../features/target/pidwatcher.jar"))
			.toAbsolutePath().normalize();
	public static final Path BIN = Path.of(System.getProperty("pidwatcher.bin", "../../bin")).toAbsolutePath().normalize();

	public final Path home;
	private Process jvm;

	public ExportedRuntime(Path home) {
		this.home = home;
	}

	/** Starts the runtime without a shell; its output goes to a file, never to a pipe we hold. */
	public Process start() throws IOException {
		Path out = home.resolve("runtime.out");
		jvm = new ProcessBuilder("java", "-Dpidwatcher.home=" + home, "-Dgosh.args=--nointeractive", "-jar", JAR.toString())
				.directory(home.toFile()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
		return jvm;
	}

	public void kill9() throws InterruptedException {
		if (jvm == null) {
			return;
		}
		jvm.destroyForcibly();
		jvm.waitFor(30, TimeUnit.SECONDS);
	}

	/** Result of one bin/ command. */
	public record Result(int status, String out, String err) {
	}

	public Result cli(String program, String... args) throws IOException, InterruptedException {
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

	/** One request on the control socket: the raw bytes as sent, the answer as the runtime wrote it. */
	public Result raw(byte[] request) throws IOException {
		try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(home.resolve("var/run/pidwatcher.sock")))) {
			ByteBuffer out = ByteBuffer.wrap(request);
			while (out.hasRemaining()) {
				c.write(out);
			}
			String answer = new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
			int nl = answer.indexOf('\n');
			if (nl < 0) {
				return new Result(-1, answer, "no status line");
			}
			return new Result(Integer.parseInt(answer.substring(0, nl)), answer.substring(nl + 1), "");
		}
	}

	public Result request(String... args) throws IOException {
		return raw((String.join("\t", args) + "\n").getBytes(StandardCharsets.UTF_8));
	}

	/** Module name to state label, from "status"; empty while the runtime does not answer. */
	public Map<String, String> states() {
		Map<String, String> states = new TreeMap<>();
		try {
			Result r = request("status");
			if (r.status() != 0) {
				return states;
			}
			r.out().lines().skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 2)
					.forEach(f -> states.put(f[0], f[1]));
		} catch (IOException | RuntimeException e) {
			// not answering (yet)
		}
		return states;
	}

	public String state(String module) {
		return states().getOrDefault(module, "?");
	}

	public boolean answers() {
		return !states().isEmpty();
	}

	public List<String> journal() throws IOException {
		Path journal = home.resolve("var/watchdog/journal.jsonl");
		return Files.exists(journal) ? Files.readAllLines(journal) : List.of();
	}

	public void delete() throws IOException {
		try (var files = Files.walk(home)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
	}

	public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
		Poll.until(timeout, what, Duration.ofMillis(100), condition);
	}
}
