package io.pidwatcher.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.testing.Poll;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The home directory as FileInstall sees it: .cfg files in etc/, bundles in deploy/. */
@ExtendWith({ BundleContextExtension.class, ServiceExtension.class })
class HomeDirectoryTest {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@InjectService(timeout = 5000)
	RuntimeHome home;

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader reader;

	@InjectBundleContext
	BundleContext context;

	@Test
	void homeHasItsDirectories() {
		assertThat(home.etc()).isDirectory();
		assertThat(home.deploy()).isDirectory();
		assertThat(home.var().resolve("log")).isDirectory();
	}

	@Test
	void aCfgFileInEtcChangesTheTagAndDeletingItRestoresTheDefault() throws Exception {
		String tag = "PW_FILE_TAG_" + System.nanoTime();
		Path cfg = home.etc().resolve("pidwatcher.tag.cfg");
		Path tmp = home.etc().resolve("pidwatcher.tag.cfg.tmp");
		Files.writeString(tmp, "variable=" + tag + "\n");
		Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE);
		try {
			Poll.until(WAIT, "tag from etc/pidwatcher.tag.cfg", () -> reader.tagName().equals(tag));
		} finally {
			Files.delete(cfg);
		}
		Poll.until(WAIT, "default tag after deleting the file",
				() -> reader.tagName().equals(ProcessReader.DEFAULT_TAG_NAME));
	}

	@Test
	void aBundleDroppedInDeployStartsAndRemovingItUninstallsIt() throws Exception {
		String name = "pidwatcher.deploy.probe" + System.nanoTime();
		Path jar = home.deploy().resolve(name + ".jar");
		Path tmp = home.var().resolve(name + ".jar");
		writeBundle(tmp, name);
		Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
		try {
			Poll.until(WAIT, name + " active", () -> bundle(name) != null && bundle(name).getState() == Bundle.ACTIVE);
		} finally {
			Files.delete(jar);
		}
		Poll.until(WAIT, name + " uninstalled", () -> bundle(name) == null);
	}

	private Bundle bundle(String symbolicName) {
		return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
				.orElse(null);
	}

	private static void writeBundle(Path file, String symbolicName) throws Exception {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", symbolicName);
		main.putValue("Bundle-Version", "1.0.0");
		try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
			jar.flush();
		}
	}
}
