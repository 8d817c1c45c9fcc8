package io.pidwatcher.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the pwtest program (a C source shipped in this bundle) with the system's gcc, once per
 * source version, and starts tagged copies of it. Tests use real processes, never fakes.
 */
public final class TestPrograms {

	private static final Object COMPILE_LOCK = new Object();

	private TestPrograms() {
	}

	/** Path of a compiled pwtest binary, building it on first use. */
	public static Path pwtest() {
		synchronized (COMPILE_LOCK) {
			try (InputStream in = TestPrograms.class.getResourceAsStream("pwtest.c")) {
				byte[] source = in.readAllBytes();
				String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source), 0, 6);
				Path dir = Path.of(System.getProperty("java.io.tmpdir"), "pidwatcher-pwtest-" + hash);
				Path binary = dir.resolve("pwtest");
				if (Files.isExecutable(binary)) {
					return binary;
				}
				Files.createDirectories(dir);
				Path src = dir.resolve("pwtest.c");
				Files.write(src, source);
				Path tmp = dir.resolve("pwtest." + UUID.randomUUID());
				Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", tmp.toString(), src.toString())
						.redirectErrorStream(true).start();
				String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (gcc.waitFor() != 0) {
					throw new IllegalStateException("gcc failed to build pwtest:\n" + output);
				}
				Files.move(tmp, binary, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
				return binary;
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			} catch (NoSuchAlgorithmException e) {
				throw new IllegalStateException(e);
			}
		}
	}

	/** A fresh module name, so concurrent tests never see each other's processes. */
	public static String uniqueModule(String prefix) {
		return prefix + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * Starts pwtest with the given arguments and the tag variable set to {@code module}
	 * (or no tag at all when module is null).
	 */
	public static Process start(String tagName, String module, String... args) {
		List<String> command = new ArrayList<>();
		command.add(pwtest().toString());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		Map<String, String> env = builder.environment();
		env.remove(tagName);
		if (module != null) {
			env.put(tagName, module);
		}
		try {
			return builder.start();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** SIGKILLs every process whose environment carries {@code tagName=module}; returns how many. */
	public static int killTagged(String tagName, String module) {
		byte[] needle = (tagName + "=" + module).getBytes(StandardCharsets.UTF_8);
		int killed = 0;
		for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
			try {
				byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
				if (containsEntry(env, needle) && p.destroyForcibly()) {
					killed++;
				}
			} catch (IOException | RuntimeException e) {
				// gone already, or not ours to read
			}
		}
		return killed;
	}

	private static boolean containsEntry(byte[] env, byte[] entry) {
		int start = 0;
		for (int i = 0; i <= env.length; i++) {
			if (i == env.length || env[i] == 0) {
				if (i - start == entry.length && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
					return true;
				}
				start = i + 1;
			}
		}
		return false;
	}
}
