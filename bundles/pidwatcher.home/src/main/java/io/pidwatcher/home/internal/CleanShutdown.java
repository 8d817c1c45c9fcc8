package io.pidwatcher.home.internal;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the framework cleanly when the JVM is told to end (SIGTERM, SIGINT, or System.exit).
 * The bnd launcher's only shutdown hook deletes its storage directory, so without this a SIGTERM
 * ends every bundle in the middle of what it does, and nothing runs that should run at exit (the
 * modules' stop when {@code pidwatcher.exit.modules=stop}). Felix's own launcher does the same.
 * The modules are left running unless {@link ModulesOnExit} is told otherwise: they run in their
 * own sessions, and the next runtime adopts them.
 */
@Component(immediate = true)
public final class CleanShutdown {

	/** How long the JVM waits for the framework to stop; systemd's default TimeoutStopSec. */
	static final long STOP_WAIT_SECONDS = 90;

	private Thread hook;

	@Activate
	void activate(BundleContext context) {
		Bundle framework = context.getBundle(0);
		hook = new Thread(() -> stopAndWait(framework), "pidwatcher-shutdown");
		try {
			Runtime.getRuntime().addShutdownHook(hook);
		} catch (IllegalStateException e) {
			hook = null; // a SIGTERM during start-up: the JVM is ending already
		}
	}

	@Deactivate
	void deactivate() {
		if (hook == null) {
			return;
		}
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		} catch (IllegalStateException e) {
			// the JVM is shutting down: this very hook is stopping the framework
		}
	}

	private static void stopAndWait(Bundle framework) {
		if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
			return; // already stopping or stopped, e.g. the shell's exit
		}
		try {
			framework.stop();
			if (framework instanceof Framework f) {
				f.waitForStop(TimeUnit.SECONDS.toMillis(STOP_WAIT_SECONDS));
			}
		} catch (BundleException | IllegalStateException e) {
			System.err.println("pidwatcher: cannot stop the framework cleanly: " + e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
