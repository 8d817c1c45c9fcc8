package io.pidwatcher.systemd.internal;

import io.pidwatcher.api.supervisor.LoopListener;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.Supervisor;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Speaks sd_notify to the systemd unit that started the runtime (NOTIFY_SOCKET in the
 * environment; without it this component does nothing). A {@link LoopListener}: the supervision
 * engine calls it at the end of every pass of its loop, which is where WATCHDOG=1 comes from.
 * READY=1 and STATUS= come from a small reporting thread of its own (see {@link SystemdNotifier}).
 */
@Component(immediate = true, service = LoopListener.class)
public final class SystemdNotifications implements LoopListener {

	/**
	 * pidwatcher.home's StartupGate raises the framework to this start level once FileInstall has
	 * loaded etc/ (see features/pidwatcher.bndrun, where the shell starts at it).
	 */
	static final int ETC_LOADED_LEVEL = 10;
	private static final long REPORT_MILLIS_STARTING = 200;
	private static final long REPORT_MILLIS_READY = 1000;

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	private volatile Supervisor supervisor;

	private volatile SystemdNotifier notifier;
	private NotifySocket socket;
	private ScheduledExecutorService reporter;
	private BundleContext context;

	private final FrameworkListener levelListener = event -> {
		if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED || event.getType() == FrameworkEvent.STARTED) {
			checkLevel();
		}
	};

	@Activate
	void activate(BundleContext context) {
		this.context = context;
		Map<String, String> environment = System.getenv();
		String address = environment.get("NOTIFY_SOCKET");
		if (address == null || address.isEmpty()) {
			logger.debug("no NOTIFY_SOCKET: not started by systemd as Type=notify; nothing to tell");
			return;
		}
		Optional<WatchdogSetting> watchdog;
		try {
			watchdog = WatchdogSetting.from(environment, ProcessHandle.current().pid());
			socket = NotifySocket.open(address);
		} catch (IllegalArgumentException | IOException e) {
			logger.error("systemd notification off: {}", e.getMessage());
			return;
		}
		notifier = new SystemdNotifier(socket, watchdog, logger::error, logger::info);
		watchdog.ifPresent(w -> logger.info("systemd watchdog: WATCHDOG=1 every {} ms from the supervision loop",
				w.pingInterval().toMillis()));
		context.addFrameworkListener(levelListener);
		checkLevel();
		reporter = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "pidwatcher-systemd-notify");
			t.setDaemon(true);
			return t;
		});
		reporter.schedule(this::report, 0, TimeUnit.MILLISECONDS);
	}

	@Deactivate
	void deactivate() {
		SystemdNotifier n = notifier;
		notifier = null;
		if (n == null) {
			return;
		}
		reporter.shutdownNow();
		try {
			context.removeFrameworkListener(levelListener);
		} catch (IllegalStateException e) {
			// the framework is stopping
		}
		// STOPPING=1 only when the whole runtime stops: for a mere bundle update systemd would
		// otherwise wait for an exit that never comes, then kill the runtime.
		if (context.getBundle(0).getState() == Bundle.STOPPING) {
			n.stopping();
		}
		socket.close();
	}

	@Override
	public void loopPassed(long monotonicNanos) {
		SystemdNotifier n = notifier;
		if (n != null) {
			n.loopPassed(monotonicNanos);
		}
	}

	private void checkLevel() {
		SystemdNotifier n = notifier;
		try {
			if (n != null && context.getBundle(0).adapt(FrameworkStartLevel.class).getStartLevel() >= ETC_LOADED_LEVEL) {
				n.etcLoaded();
			}
		} catch (IllegalStateException e) {
			// the bundle context went away: deactivating
		}
	}

	private void report() {
		SystemdNotifier n = notifier;
		if (n == null) {
			return;
		}
		List<ModuleStatus> modules = null;
		Supervisor s = supervisor;
		if (s != null) {
			try {
				modules = s.modules();
			} catch (RuntimeException e) {
				logger.debug("cannot list modules for STATUS=: {}", e.toString());
			}
		}
		n.report(modules, System.nanoTime());
		try {
			reporter.schedule(this::report, n.ready() ? REPORT_MILLIS_READY : REPORT_MILLIS_STARTING, TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException e) {
			// deactivated meanwhile
		}
	}
}
