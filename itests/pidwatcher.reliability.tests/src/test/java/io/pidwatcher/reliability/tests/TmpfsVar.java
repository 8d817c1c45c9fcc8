package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A home's var/ on a tmpfs of its own, which a test can fill or make read-only, and which is
 * unmounted on close. Needs root (mount): without root the test is skipped, visibly, with the
 * reason; as root (CI) a mount that fails is a failure, never a skip, since these tests are the
 * only guard of the README's full and read-only var/ promises.
 */
final class TmpfsVar implements AutoCloseable {

	final Path var;
	private boolean mounted;
	private boolean readOnlyBind;

	private TmpfsVar(Path var) {
		this.var = var;
	}

	/** Mounts a tmpfs of {@code size} (mount's syntax: "1m") on HOME/var. */
	static TmpfsVar mount(Path home, String size) throws IOException, InterruptedException {
		Assumptions.assumeTrue(isRoot(), "skipped: mounting a tmpfs under var/ needs root (CI runs as root, where this test must run)");
		TmpfsVar t = new TmpfsVar(Files.createDirectories(home.resolve("var")));
		run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", t.var.toString());
		t.mounted = true;
		return t;
	}

	/**
	 * A read-only bind mount over var/: every file opened there from now on is on a read-only file
	 * system, as after a remount read-only (which a tmpfs with open files refuses, a kernel limit).
	 */
	void readOnly() throws IOException, InterruptedException {
		run("mount", "--bind", var.toString(), var.toString());
		readOnlyBind = true;
		run("mount", "-o", "remount,bind,ro", var.toString());
		assertThat(Files.isWritable(var)).as("var/ is read-only").isFalse();
	}

	void writable() throws IOException, InterruptedException {
		run("umount", var.toString());
		readOnlyBind = false;
	}

	@Override
	public void close() throws IOException, InterruptedException {
		if (readOnlyBind) {
			unmount();
			readOnlyBind = false;
		}
		if (mounted) {
			unmount();
			mounted = false;
		}
	}

	private void unmount() throws IOException, InterruptedException {
		try {
			run("umount", var.toString());
		} catch (AssertionError e) {
			run("umount", "-l", var.toString()); // still busy (a process we could not end): detach it
		}
	}

	private static boolean isRoot() throws IOException {
		return Files.readAllLines(Path.of("/proc/self/status")).stream()
				.anyMatch(l -> l.startsWith("Uid:") && l.substring(4).trim().split("\\s+")[0].equals("0"));
	}

	private static void run(String... command) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s (it said: %s)", String.join(" ", command), said)
				.isTrue();
	}
}
