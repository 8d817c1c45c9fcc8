package io.pidwatcher.contract.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * The framework's bundle commands at the shipped runtime's g! prompt work as in any Felix shell,
 * and a module's processes are the same ones (pid and start time, read in /proc) before, during
 * and after.
 */
class BundleManagementTest extends RuntimeTestBase {

	private ShellRuntime shell;

	@Override
	void stopRuntime() throws Exception {
		if (shell != null) {
			shell.close();
		}
	}

	/** The shell answering first, then the modules (see ShellRuntime on the start-level race). */
	private void startShell() throws Exception {
		shell = new ShellRuntime(home);
		assertThat(shell.type("echo ready")).contains("ready");
	}

	private Proc.Task startWatchedModule() throws Exception {
		startShell();
		String name = module("kept");
		awaitState(name, "running");
		return onlyTask(name);
	}

	@Test
	void startAndStopWithABundleIdAreTheFrameworksNeverPwStartOrPwStop() throws Exception {
		Proc.Task kept = startWatchedModule();
		long backoff = shell.bundleId("pidwatcher.strategy.backoff");

		String stop = shell.type("stop " + backoff);
		assertThat(stop).doesNotContain("pw:");
		assertThat(shell.bundleState(backoff)).isEqualTo("Resolved");
		String start = shell.type("start " + backoff);
		assertThat(start).as("start %d", backoff).doesNotContain("pw:start").doesNotContain("module name");
		assertThat(shell.bundleState(backoff)).isEqualTo("Active");

		// a bundle installed at the prompt starts at the running level (bnd's default level, 11, is
		// above it: such a bundle stayed Installed)
		Path counting = Path.of(System.getProperty("fixture.strategy.jar"));
		shell.type("install " + counting.toUri());
		long installed = shell.bundleId("pidwatcher.fixture.strategy");
		shell.type("start " + installed);
		assertThat(shell.bundleState(installed)).isEqualTo("Active");

		// the pw: commands by their full names, as documented, still reach the modules
		String other = module("other");
		awaitState(other, "running");
		shell.type("pw:stop " + other);
		awaitState(other, "stopped");
		shell.type("pw:start " + other);
		awaitState(other, "running");
		assertThat(shell.type("pw:start")).contains("pw:start needs a module name");
		assertThat(Proc.alive(kept)).as("the other module's processes untouched").isTrue();
	}

	@Test
	void updateFromAUrlLeavesTheModulesRunning() throws Exception {
		Proc.Task kept = startWatchedModule();
		long backoff = shell.bundleId("pidwatcher.strategy.backoff");
		Path backoffJar = Path.of(System.getProperty("backoff.jar"));

		String update = shell.type("update " + backoff + " " + backoffJar.toUri());
		assertThat(update).doesNotContainIgnoringCase("exception");
		assertThat(shell.bundleState(backoff)).isEqualTo("Active");
		assertThat(shell.type("echo ((bundle " + backoff + ") location)").trim())
				.as("update ID URL keeps the location").startsWith("reference:file:");
		Thread.sleep(1000);
		assertThat(Proc.tagged(modules.get(0))).as("the same process, no second copy").containsExactly(kept);
		assertThat(runtime.state(modules.get(0))).isEqualTo("running");
	}

	/**
	 * Failed with "MalformedURLException: no protocol: jar/pidwatcher.watchdog-....jar": bnd
	 * 7.1.0's launcher installed the bundles embedded in pidwatcher.jar from a stream, with their
	 * path in the jar as location, and Felix updates from the location when no URL is given. The
	 * jar's Main-Class now unpacks them into var/bundles/ first, and the launcher installs each by
	 * reference to its file. Ours and a third party's (Felix Metatype) alike.
	 */
	@Test
	void updateFromTheBundlesOwnLocationWorksForEveryBundleOfTheRuntime() throws Exception {
		Proc.Task kept = startWatchedModule();
		for (String name : List.of("pidwatcher.watchdog", "org.apache.felix.metatype")) {
			long id = shell.bundleId(name);
			assertThat(shell.type("echo ((bundle " + id + ") location)").trim())
					.startsWith("reference:file:" + home.toRealPath().resolve("var/bundles/jar/" + name));
			String before = shell.type("echo ((bundle " + id + ") lastModified)").trim();

			String update = shell.type("update " + id);
			assertThat(update).as("update %d (%s)", id, name).doesNotContainIgnoringCase("exception");
			awaitBundleState(id, "Active");
			assertThat(shell.type("echo ((bundle " + id + ") lastModified)").trim()).as("%s updated", name).isNotEqualTo(before);
		}
		Thread.sleep(1000);
		assertThat(Proc.tagged(modules.get(0))).containsExactly(kept);
		assertThat(runtime.state(modules.get(0))).isEqualTo("running");
	}

	/**
	 * Bare `refresh` threw a NullPointerException in gogo.command 1.1.2 (Basic.refresh hands
	 * Arrays.asList a null array); it refreshes the bundles pending removal, here the API's old
	 * revision that every pidwatcher bundle was wired to.
	 */
	@Test
	void refreshWithoutBundlesRefreshesThosePendingRemovalAndTheModulesKeepRunning() throws Exception {
		Proc.Task kept = startWatchedModule();
		long api = shell.bundleId("pidwatcher.api");
		long watchdog = shell.bundleId("pidwatcher.watchdog");
		assertThat(shell.type("update " + api)).doesNotContainIgnoringCase("exception");
		assertThat(removalPending()).contains("pidwatcher.api [" + api + "]");

		String refresh = shell.type("refresh");
		assertThat(refresh).doesNotContainIgnoringCase("exception");
		ExportedRuntime.until(WAIT, "nothing pending removal", () -> {
			try {
				// an empty list is echoed as an empty line
				return removalPending().isEmpty();
			} catch (Exception e) {
				return false;
			}
		});
		awaitBundleState(watchdog, "Active");
		awaitState(modules.get(0), "running");
		Thread.sleep(1000);
		assertThat(Proc.tagged(modules.get(0))).as("the same process, no second copy").containsExactly(kept);
		assertThat(runtime.state(modules.get(0))).isEqualTo("running");

		// with bundles it still refreshes those (the framework's own form)
		assertThat(shell.type("refresh " + watchdog)).doesNotContainIgnoringCase("exception");
		awaitBundleState(watchdog, "Active");
		// and a bare refresh still answers after that: the behaviour, not `help refresh`, whose text
		// Gogo takes from whichever provider it finds first (CI once showed Basic's there)
		assertThat(shell.type("refresh")).doesNotContainIgnoringCase("exception");
	}

	@Test
	void aSecondStartOfTheSameJarHasTheSameBundlesUnderTheSameIdsAndRewritesNoCopy() throws Exception {
		startShell();
		String first = shell.type("lb -l");
		Path watchdogCopy = Path.of(URI.create(location(first, "pidwatcher.watchdog").replaceFirst("^reference:", "")));
		assertThat(watchdogCopy).startsWith(home.toRealPath().resolve("var/bundles/jar"));
		Object inode = Files.getAttribute(watchdogCopy, "unix:ino");
		FileTime written = Files.getLastModifiedTime(watchdogCopy);
		shell.close();
		shell = null;

		startShell();
		String second = shell.type("lb -l");
		assertThat(bundleLines(second)).isEqualTo(bundleLines(first));
		assertThat(Files.getAttribute(watchdogCopy, "unix:ino")).isEqualTo(inode);
		assertThat(Files.getLastModifiedTime(watchdogCopy)).isEqualTo(written);
	}

	/** var/bundles/ cannot be made (here a file is in its way): the runtime starts as before, from the jar. */
	@Test
	void withoutAWritableVarBundlesTheRuntimeStartsFromTheJarAndSaysSo() throws Exception {
		Files.createDirectories(home.resolve("var"));
		Files.writeString(home.resolve("var/bundles"), "in the way");
		startShell();
		assertThat(shell.text()).contains("pidwatcher: cannot unpack the runtime's bundles into");
		long watchdog = shell.bundleId("pidwatcher.watchdog");
		assertThat(shell.type("echo ((bundle " + watchdog + ") location)").trim()).startsWith("jar/pidwatcher.watchdog");
		String name = module("kept");
		awaitState(name, "running");
	}

	private String removalPending() throws Exception {
		return shell.type("echo (((bundle 0) adapt ((bundle 0) loadclass org.osgi.framework.wiring.FrameworkWiring)) removalPendingBundles)").trim();
	}

	private void awaitBundleState(long id, String state) throws InterruptedException {
		ExportedRuntime.until(WAIT, "bundle " + id + " " + state, () -> {
			try {
				return shell.bundleState(id).equals(state);
			} catch (Exception e) {
				return false;
			}
		});
	}

	/** The id|state|level|location lines of `lb -l`. */
	private static List<String> bundleLines(String list) {
		return list.lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
	}

	private static String location(String list, String symbolicName) {
		return bundleLines(list).stream().map(l -> l.split("\\|")[3].trim())
				.filter(l -> l.contains("/" + symbolicName + "-")).findFirst()
				.orElseThrow(() -> new AssertionError("no " + symbolicName + " in\n" + list));
	}

	@Test
	void aNewerPolicyJarWrittenOverTheOldOneInDeployReplacesItWithoutTouchingTheModule() throws Exception {
		Path flag = home.resolve("unhealthy.flag");
		Path policy = Path.of(System.getProperty("fixture.policy.jar"));
		startShell();
		deploy(policy, "flagfile-policy.jar");
		String judged = module("judged", "policies=flagfile", "policy.flagfile.file=" + flag);
		awaitState(judged, "running");
		Proc.Task kept = onlyTask(judged);
		awaitStatus(judged, "flagfile 1.1.0.SNAPSHOT: no " + flag);

		deploy(withVersion(policy, "1.1.1", home.resolve("newer.jar")), "flagfile-policy.jar");
		awaitStatus(judged, "flagfile 1.1.1: no " + flag);

		String list = shell.type("lb -s pidwatcher.fixture.policy");
		assertThat(list.lines().filter(l -> l.contains("|pidwatcher.fixture.policy ")).toList())
				.as("the same bundle, updated in place: one left\n%s", list).hasSize(1);
		assertThat(Proc.tagged(judged)).as("the module's process untouched").containsExactly(kept);
	}

	private void awaitStatus(String module, String text) throws InterruptedException {
		ExportedRuntime.until(WAIT, module + "'s status shows " + text, () -> {
			try {
				return status(module).contains(text);
			} catch (IOException e) {
				return false;
			}
		});
	}

	/** A copy of {@code jar} whose Bundle-Version is {@code version}: "a newer build". */
	private static Path withVersion(Path jar, String version, Path target) throws IOException {
		try (JarFile in = new JarFile(jar.toFile())) {
			Manifest manifest = new Manifest(in.getManifest());
			manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
			try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest)) {
				for (ZipEntry e : List.copyOf(in.stream().toList())) {
					if (e.getName().equals("META-INF/MANIFEST.MF") || e.getName().equals("META-INF/")) {
						continue;
					}
					out.putNextEntry(new ZipEntry(e.getName()));
					try (var data = in.getInputStream(e)) {
						data.transferTo(out);
					}
					out.closeEntry();
				}
			}
		}
		return target;
	}
}
