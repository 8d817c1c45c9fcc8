package io.pidwatcher.contract.tests;

import io.pidwatcher.testing.ExportedRuntime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exported runtime with its interactive Gogo shell on a pipe, as a user at the g! prompt has
 * it: {@link #type} sends one command line and returns what the shell printed for it (output and
 * errors), known to be complete when an echo sent after it shows up.
 */
final class ShellRuntime implements AutoCloseable {

	private static final Duration ANSWER = Duration.ofSeconds(60);

	private final Path out;
	private final Process jvm;
	private final OutputStream stdin;
	private int marks;
	private int read;

	ShellRuntime(Path home) throws IOException {
		out = home.resolve("shell.out");
		// Begins at level 10: at the default level 1, pidwatcher.home's StartupGate and the launcher
		// race to set the start level, the shell is sometimes started, stopped and started again,
		// and then two consoles read stdin ("cho" for "echo") until the session closes. That is a bug
		// of its own (on main too); this test is about the commands, so it keeps out of the race.
		// An empty gosh.args asks for the prompt although standard input is a pipe (without it the
		// runtime runs as a service: no terminal, no prompt).
		jvm = new ProcessBuilder("java", "-Dpidwatcher.home=" + home, "-Dorg.osgi.framework.startlevel.beginning=10",
				"-Dgosh.args=", "-jar", ExportedRuntime.JAR.toString())
				.directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
		stdin = jvm.getOutputStream();
	}

	/** Sends {@code line} and returns the shell's answer to it. */
	String type(String line) throws IOException, InterruptedException {
		String mark = "--done-" + (++marks) + "--";
		stdin.write((line + "\necho " + mark + "\n").getBytes(StandardCharsets.UTF_8));
		stdin.flush();
		String[] answer = new String[1];
		ExportedRuntime.until(ANSWER, "the shell's answer to " + line, () -> {
			String text = text();
			// the printed mark is on a line of its own (after any prompts)
			Matcher m = Pattern.compile("(?m)^(?:g! )*" + Pattern.quote(mark) + "\\r?$").matcher(text);
			if (!m.find(read)) {
				return false;
			}
			answer[0] = text.substring(read, m.start());
			read = m.end();
			return true;
		});
		return answer[0].replace("g! ", "");
	}

	/** The bundle id of {@code symbolicName} as {@code lb -s} lists it. */
	long bundleId(String symbolicName) throws IOException, InterruptedException {
		String list = type("lb -s " + symbolicName);
		Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\|\\s*(\\w+)\\s*\\|\\s*\\d+\\|" + Pattern.quote(symbolicName) + " ")
				.matcher(list);
		if (!m.find()) {
			throw new AssertionError("no bundle " + symbolicName + " in:\n" + list);
		}
		return Long.parseLong(m.group(1));
	}

	/** Active, Resolved, ... as {@code lb -s} shows it. */
	String bundleState(long id) throws IOException, InterruptedException {
		String list = type("lb -s");
		Matcher m = Pattern.compile("(?m)^\\s*" + id + "\\|\\s*(\\w+)\\s*\\|").matcher(list);
		if (!m.find()) {
			throw new AssertionError("no bundle " + id + " in:\n" + list);
		}
		return m.group(1);
	}

	String text() {
		try {
			return Files.readString(out, StandardCharsets.UTF_8);
		} catch (IOException e) {
			return "";
		}
	}

	@Override
	public void close() throws InterruptedException {
		try {
			stdin.close(); // EOF stops the framework
		} catch (IOException e) {
			// already gone
		}
		if (!jvm.waitFor(20, TimeUnit.SECONDS)) {
			jvm.destroyForcibly();
			jvm.waitFor(20, TimeUnit.SECONDS);
		}
	}
}
