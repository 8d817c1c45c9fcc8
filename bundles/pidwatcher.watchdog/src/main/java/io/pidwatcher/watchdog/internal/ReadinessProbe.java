package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One try of a module's readiness probe ({@code ready=tcp:}, {@code exec:}, {@code file:}): a
 * connect, a command or a look at a file, bounded in time. Blocks, so it never runs with the
 * engine's lock held ({@link Readiness} runs it on the probe threads).
 */
final class ReadinessProbe {

	/** What one try found; detail is for people ("connection refused", "exit status 2: no response"). */
	record Result(boolean passed, String detail) {
	}

	/**
	 * What a probe needs of its module, copied under the lock.
	 *
	 * @param rule         the probe
	 * @param directory    the module's working directory (an exec probe's too)
	 * @param environment  what the module's program gets besides the runtime's environment (env.*, user='s HOME...)
	 * @param identity     the module's user, groups and limits, which an exec probe runs with
	 * @param withoutVariables variables the exec probe must not inherit: the tag (so it never becomes a
	 *                     member of the module), the instance and the notify socket
	 * @param runStartedAt when the run started: a ready file older than that is an earlier run's
	 * @param output       where an exec probe's output goes (its last line is the detail)
	 */
	record Target(ReadyRule rule, Path directory, Map<String, String> environment, ProcessIdentity identity,
			List<String> withoutVariables, Instant runStartedAt, Path output) {
	}

	/** File systems keep mtimes at a coarser grain than the clock (as PidFile allows). */
	private static final long MTIME_SLACK_MILLIS = 1000;
	/** How much of an exec probe's output is read for its last line. */
	private static final int OUTPUT_TAIL_BYTES = 512;
	private static final int DETAIL_CHARS = 160;

	private ReadinessProbe() {
	}

	/** One try, at most boundNanos long (an exec probe is killed then, with what it started). */
	static Result run(Target t, long boundNanos) {
		return switch (t.rule().kind()) {
			case TCP -> tcp(t.rule().host(), t.rule().port(), boundNanos);
			case EXEC -> exec(t, boundNanos);
			case FILE -> file(t.rule().file(), t.runStartedAt());
			case RUNNING, NOTIFY -> throw new IllegalArgumentException(t.rule().describe() + " is not a probe");
		};
	}

	static Result tcp(String host, int port, long boundNanos) {
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host);
		} catch (UnknownHostException e) {
			return new Result(false, "unknown host " + host);
		}
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(boundNanos)));
		String last = "no address for " + host;
		for (InetAddress a : addresses) { // a name may resolve to ::1 and 127.0.0.1: one of them listening is enough
			try (Socket s = new Socket()) {
				s.connect(new InetSocketAddress(a, port), millis);
				return new Result(true, "connected to " + s.getRemoteSocketAddress());
			} catch (ConnectException e) {
				last = "connection refused";
			} catch (SocketTimeoutException e) {
				last = "no answer within " + millis + "ms";
			} catch (IOException e) {
				last = lower(e.getMessage() != null ? e.getMessage() : e.toString());
			}
			if (addresses.length > 1) {
				last += " (" + a.getHostAddress() + ")";
			}
		}
		return new Result(false, last);
	}

	static Result file(Path file, Instant runStartedAt) {
		try {
			BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
			if (runStartedAt != null && a.lastModifiedTime().toMillis() < runStartedAt.toEpochMilli() - MTIME_SLACK_MILLIS) {
				// left by an earlier run (killed with -9 before it could remove it): not this run's readiness
				return new Result(false, file + " is older than this run (left by an earlier one)");
			}
			return new Result(true, file + " exists");
		} catch (NoSuchFileException e) {
			return new Result(false, file + " does not exist yet");
		} catch (IOException e) {
			return new Result(false, "cannot read " + file + ": " + e.getMessage());
		}
	}

	static Result exec(Target t, long boundNanos) {
		List<String> argv = new ArrayList<>();
		if (Launcher.SETSID != null) {
			argv.add(Launcher.SETSID.toString()); // a session of its own, away from the runtime's terminal
		}
		// the module's identity: the probe sees what the program's user sees (a socket only it may open)
		argv.addAll(IdentityCommand.prefix(t.identity()));
		argv.addAll(t.rule().command());
		ProcessBuilder builder = new ProcessBuilder(argv).directory(t.directory().toFile());
		Map<String, String> env = builder.environment();
		env.putAll(t.environment());
		t.withoutVariables().forEach(env::remove); // never a member: no tag, whatever env.* says
		builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).redirectErrorStream(true);
		if (t.output() != null) {
			try {
				Files.createDirectories(t.output().getParent());
				builder.redirectOutput(t.output().toFile());
			} catch (IOException e) {
				builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
			}
		} else {
			builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		}
		Process p;
		try {
			p = builder.start();
		} catch (IOException e) {
			return new Result(false, "cannot start " + t.rule().command().get(0) + ": " + e.getMessage());
		}
		boolean exited;
		try {
			exited = p.waitFor(Math.max(1, boundNanos), TimeUnit.NANOSECONDS);
		} catch (InterruptedException e) {
			kill(p);
			Thread.currentThread().interrupt();
			return new Result(false, "interrupted (the watchdog is stopping)");
		}
		if (!exited) {
			kill(p);
			return new Result(false, "killed after " + TimeUnit.NANOSECONDS.toMillis(boundNanos) + "ms without exiting"
					+ lastLine(t.output()));
		}
		int status = p.exitValue();
		return new Result(status == 0, "exit status " + status + lastLine(t.output()));
	}

	/** The probe and what it started (it has a session of its own, so nothing else is in its tree). */
	private static void kill(Process p) {
		p.descendants().forEach(ProcessHandle::destroyForcibly);
		p.destroyForcibly();
		try {
			p.waitFor(1, TimeUnit.SECONDS); // reaped, not left a zombie
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** ": LAST LINE" of what the probe printed, or "". */
	private static String lastLine(Path output) {
		if (output == null) {
			return "";
		}
		try (RandomAccessFile f = new RandomAccessFile(output.toFile(), "r")) {
			long length = f.length();
			int n = (int) Math.min(OUTPUT_TAIL_BYTES, length);
			byte[] tail = new byte[n];
			f.seek(length - n);
			f.readFully(tail);
			String[] lines = new String(tail, StandardCharsets.UTF_8).strip().split("\n");
			String last = lines[lines.length - 1].strip();
			if (last.isEmpty()) {
				return "";
			}
			StringBuilder b = new StringBuilder(": ");
			for (char c : last.toCharArray()) {
				if (b.length() >= DETAIL_CHARS) {
					return b + "...";
				}
				b.append(c >= 0x20 && c != 0x7f ? c : '?');
			}
			return b.toString();
		} catch (IOException e) {
			return "";
		}
	}

	private static String lower(String message) {
		return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
	}
}
