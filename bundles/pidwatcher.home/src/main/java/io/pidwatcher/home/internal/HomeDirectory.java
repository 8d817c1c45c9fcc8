package io.pidwatcher.home.internal;

import io.pidwatcher.api.supervisor.RuntimeHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Makes sure the home's directories exist and that FileInstall watches {@code deploy/} for
 * bundles. FileInstall itself watches {@code etc/} from the framework property
 * {@code felix.fileinstall.dir}; it takes only one directory that way, so the second one is a
 * FileInstall factory configuration, created here rather than shipped as a file the user could
 * lose.
 */
@Component(service = RuntimeHome.class, immediate = true)
public final class HomeDirectory implements RuntimeHome {

	private static final String FILEINSTALL_FACTORY = "org.apache.felix.fileinstall";

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private ConfigurationAdmin configAdmin;

	private Path root;

	@Activate
	void activate() throws IOException {
		root = Path.of(System.getProperty(PROPERTY, ".")).toAbsolutePath().normalize();
		for (Path dir : new Path[] { etc(), deploy(), var(), var().resolve("log") }) {
			Files.createDirectories(dir);
		}
		watchDeployDirectory();
		logger.info("pidwatcher home is {}", root);
	}

	private void watchDeployDirectory() throws IOException {
		Configuration config = configAdmin.getFactoryConfiguration(FILEINSTALL_FACTORY, "deploy", "?");
		Dictionary<String, Object> wanted = new Hashtable<>();
		wanted.put("felix.fileinstall.dir", deploy().toString());
		wanted.put("felix.fileinstall.poll", "1000");
		wanted.put("felix.fileinstall.noInitialDelay", "true");
		wanted.put("felix.fileinstall.enableConfigSave", "false");
		wanted.put("felix.fileinstall.optionalImportRefreshScope", "managed");
		// Without this, deployed bundles get the launcher's default start level (above the
		// framework's running level) and stay merely installed.
		wanted.put("felix.fileinstall.start.level", Integer.toString(StartupGate.RUNNING_LEVEL));
		// updateIfDifferent: a restart with the same home must not make FileInstall rescan.
		config.updateIfDifferent(wanted);
	}

	@Override
	public Path root() {
		return root;
	}
}
