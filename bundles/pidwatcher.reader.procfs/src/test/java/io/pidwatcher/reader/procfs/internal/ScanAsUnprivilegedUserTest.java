package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pidwatcher.testing.TestPrograms;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without root or CAP_SYS_PTRACE most environments in /proc cannot be read. The scan must still
 * succeed, list what it may read, and count the rest as unreadable. Runs a real scan in a JVM
 * that has dropped to the nobody user. The process events connector, tried as nobody and in a
 * user namespace, is had or refused with a reason the reader can show.
 */
class ScanAsUnprivilegedUserTest {

	private static final String TAG = "PIDWATCHER_MODULE";
	private static final int NOBODY = 65534;

	@TempDir
	Path tmp;

	@Test
	void unreadableEnvironmentsAreSkippedAndCountedNeverFatal() throws Exception {
		String module = TestPrograms.uniqueModule("nobody");
		String classpath = worldReadableClasspath();
		Path pwtest = Files.copy(TestPrograms.pwtest(), tmp.resolve("pwtest"));
		Files.setPosixFilePermissions(pwtest, PosixFilePermissions.fromString("rwxr-xr-x"));
		Process asRoot = TestPrograms.start(TAG, module, "sleep", "60");
		Process asNobody = startAsNobody(List.of("env", TAG + "=" + module, pwtest.toString(), "sleep", "60"));
		try {
			// setpriv and env exec() in place, so the pid we started becomes pwtest.
			await().atMost(Duration.ofSeconds(10))
					.until(() -> comm(asRoot.pid()).equals("pwtest") && comm(asNobody.pid()).equals("pwtest"));
			long nobodyPid = asNobody.pid();

			Process scan = startAsNobody(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-cp", classpath, UnprivilegedScan.class.getName(), TAG));
			String out = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(scan.waitFor()).as("scan as nobody; output:%n%s", out).isZero();

			assertThat(out).containsPattern("unreadable=[1-9]");
			assertThat(out).contains("pid=" + nobodyPid + " value=" + module);
			assertThat(out).doesNotContain("pid=" + asRoot.pid() + " ");
		} finally {
			asRoot.destroyForcibly();
			asNobody.destroyForcibly();
		}
	}

	/**
	 * As nobody, kernels before 6.6 refuse the connector (it then needed CAP_NET_ADMIN) and the
	 * reason says so; since 6.6 any user may listen. Either way the answer is clean, never a crash.
	 */
	@Test
	void asNobodyTheConnectorIsEitherHadOrRefusedWithTheReason() throws Exception {
		String out = runConnectorProbe(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
				"--inh-caps=-all", "--bounding-set=-all"));
		assertThat(out).matches("(?s)(subscribed|unavailable: bind to the process events connector refused \\(errno 1: needs root or CAP_NET_ADMIN\\))\\s*");
	}

	/** Outside the initial user namespace (as in a container) the kernel ignores the listener: the reason names it. */
	@Test
	void inAUserNamespaceTheConnectorIsRefusedWithTheReason() throws Exception {
		String out = runConnectorProbe(List.of("unshare", "--user", "--map-root-user"));
		assertThat(out).contains("unavailable: the kernel never acknowledged the process events subscription")
				.contains("outside the initial user namespace");
	}

	private String runConnectorProbe(List<String> prefix) throws Exception {
		String classpath = worldReadableClasspath();
		Path jnaDir = Files.createDirectories(tmp.resolve("jna")); // where JNA unpacks its native library
		Files.setPosixFilePermissions(jnaDir, PosixFilePermissions.fromString("rwxrwxrwx"));
		List<String> command = new ArrayList<>(prefix);
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Djna.tmpdir=" + jnaDir, "-cp", classpath, UnprivilegedConnector.class.getName()));
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor()).as("output:%n%s", out).isZero();
		return out;
	}

	private Process startAsNobody(List<String> command) throws Exception {
		List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
				"--clear-groups", "--inh-caps=-all", "--bounding-set=-all"));
		full.addAll(command);
		return new ProcessBuilder(full).redirectErrorStream(true).start();
	}

	/** Copies the classes this scan needs where nobody can read them (~/.m2 under /root is not). */
	private String worldReadableClasspath() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("cp"));
		List<String> parts = new ArrayList<>();
		int i = 0;
		for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
			if (!(entry.contains("pidwatcher.api") || entry.contains("pidwatcher.reader.procfs") || entry.contains("jna"))) {
				continue;
			}
			Path source = Path.of(entry);
			Path target = dir.resolve("e" + i++ + (Files.isDirectory(source) ? "" : ".jar"));
			if (Files.isDirectory(source)) {
				try (var files = Files.walk(source)) {
					for (Path f : (Iterable<Path>) files::iterator) {
						Path to = target.resolve(source.relativize(f).toString());
						if (Files.isDirectory(f)) {
							Files.createDirectories(to);
						} else {
							Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
						}
					}
				}
			} else {
				Files.copy(source, target);
			}
			parts.add(target.toString());
		}
		try (var files = Files.walk(tmp)) {
			for (Path f : (Iterable<Path>) files::iterator) {
				Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
			}
		}
		return String.join(File.pathSeparator, parts);
	}

	private static String comm(long pid) {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
		} catch (Exception e) {
			return "";
		}
	}
}
