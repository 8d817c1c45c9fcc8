package io.pidwatcher.home.internal;

import io.pidwatcher.api.supervisor.RuntimeHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Holds the framework at start level 1 until FileInstall has handed every etc/*.cfg file to
 * Config Admin, then raises it to the level where the Gogo shell starts. Without this a one-shot
 * {@code -Dgosh.args="-c 'pw:ps'"} could run before the user's configuration is in force.
 * Gives up waiting after a few seconds (a broken file must not keep the shell away).
 */
@Component(immediate = true)
public final class StartupGate {

	/** The level at which the shell and other user-facing bundles start; see pidwatcher.bndrun. */
	static final int RUNNING_LEVEL = 10;
	private static final long WAIT_MILLIS = 5000;
	private static final long CONFIG_SETTLE_MILLIS = 100;

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private ConfigurationAdmin configAdmin;

	@Reference
	private RuntimeHome home;

	private Thread waiter;
	private BundleContext context;
	private volatile boolean opened;
	/** Counted down when the framework has started; the launcher sets its start level right after. */
	private final CountDownLatch frameworkStarted = new CountDownLatch(1);
	/** The bnd launcher's service, marked {@code launcher.ready=true} once it has set its start level. */
	private static final String LAUNCHER = "(launcher.arguments=*)";
	private static final String LAUNCHER_READY = "(launcher.ready=true)";

	/**
	 * The bnd launcher sets the framework to its beginning level (1) once it has installed every
	 * bundle. When the gate opened before that (few or no config files, a fast machine), the
	 * launcher's change lowered the level again and stopped the shell, sometimes in the middle of a
	 * one-shot command, and the stopped shell's console thread, blocked in a read of standard
	 * input, ate the first line typed at the new prompt. So the gate waits until the launcher says
	 * it is done ({@link #LAUNCHER_READY}; a fixed 150 ms after STARTED was too short on a loaded
	 * machine), and keeps the level up while the framework runs.
	 */
	private final FrameworkListener keepOpen = event -> {
		if (event.getType() == FrameworkEvent.STARTED) {
			frameworkStarted.countDown();
		}
		if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED && opened && context != null) {
			Bundle framework = context.getBundle(0);
			FrameworkStartLevel level = framework.adapt(FrameworkStartLevel.class);
			if (framework.getState() == Bundle.ACTIVE && level.getStartLevel() < RUNNING_LEVEL) {
				level.setStartLevel(RUNNING_LEVEL);
			}
		}
	};

	@Activate
	void activate(BundleContext context) {
		this.context = context;
		FrameworkStartLevel startLevel = context.getBundle(0).adapt(FrameworkStartLevel.class);
		context.addFrameworkListener(keepOpen);
		if (context.getBundle(0).getState() == Bundle.ACTIVE) {
			frameworkStarted.countDown();
		}
		if (startLevel.getStartLevel() >= RUNNING_LEVEL) {
			opened = true;
			return;
		}
		waiter = new Thread(() -> {
			waitForConfigFiles();
			try {
				// Opening before the launcher's own start-level change would only have the shell
				// started, stopped and started again (the listener above re-opens the gate).
				frameworkStarted.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
				waitForLauncher();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			String service = ConsoleChoice.apply(context.getProperty(ConsoleChoice.GOSH_ARGS));
			if (service != null) {
				logger.info(service);
			}
			opened = true;
			startLevel.setStartLevel(RUNNING_LEVEL);
		}, "pidwatcher-startup-gate");
		waiter.setDaemon(true);
		waiter.start();
	}

	@Deactivate
	void deactivate() {
		opened = false;
		try {
			context.removeFrameworkListener(keepOpen);
		} catch (IllegalStateException e) {
			// the framework is stopping
		}
		if (waiter != null) {
			waiter.interrupt();
		}
	}

	/** Returns once the bnd launcher is done, at once when there is none (another launcher). */
	private void waitForLauncher() throws InterruptedException {
		long deadline = System.currentTimeMillis() + WAIT_MILLIS;
		while (System.currentTimeMillis() < deadline && launcherService(LAUNCHER) && !launcherService(LAUNCHER_READY)) {
			Thread.sleep(20);
		}
	}

	private boolean launcherService(String filter) {
		try {
			return context.getServiceReferences((String) null, filter) != null;
		} catch (InvalidSyntaxException | IllegalStateException e) {
			return false;
		}
	}

	private void waitForConfigFiles() {
		long deadline = System.currentTimeMillis() + WAIT_MILLIS;
		Set<String> missing = Set.of();
		while (System.currentTimeMillis() < deadline) {
			missing = configFiles();
			missing.removeAll(loadedFiles());
			if (missing.isEmpty()) {
				break;
			}
			try {
				Thread.sleep(20);
			} catch (InterruptedException e) {
				return;
			}
		}
		if (!missing.isEmpty()) {
			logger.warn("starting the shell although these config files are not loaded yet: {}", missing);
		}
		try {
			// Config Admin delivers to components on its own thread; give it a moment.
			Thread.sleep(CONFIG_SETTLE_MILLIS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private Set<String> configFiles() {
		try (Stream<Path> files = Files.list(home.etc())) {
			Set<String> names = new HashSet<>();
			files.filter(f -> f.getFileName().toString().endsWith(".cfg") || f.getFileName().toString().endsWith(".config"))
					.forEach(f -> names.add(f.getFileName().toString()));
			return names;
		} catch (IOException e) {
			return new HashSet<>();
		}
	}

	private Set<String> loadedFiles() {
		Set<String> names = new HashSet<>();
		try {
			Configuration[] configs = configAdmin.listConfigurations("(felix.fileinstall.filename=*)");
			for (Configuration config : configs == null ? new Configuration[0] : configs) {
				Object file = config.getProperties().get("felix.fileinstall.filename");
				if (file != null) {
					names.add(Path.of(java.net.URI.create(file.toString())).getFileName().toString());
				}
			}
		} catch (IOException | InvalidSyntaxException | IllegalArgumentException e) {
			logger.debug("cannot list configurations: {}", e.toString());
		}
		return names;
	}
}
