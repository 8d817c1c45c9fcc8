package io.pidwatcher.home.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.api.supervisor.Supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * What happens to the modules when the runtime ends: by default nothing (they run on in their own
 * sessions and the next runtime adopts them); with {@code pidwatcher.exit.modules=stop} every
 * running module is stopped, whole tree, through {@link Supervisor#stop}, before any bundle
 * stops. It listens for the framework's own STOPPING event, which comes first on every way out
 * (SIGTERM, Ctrl-D, {@code exit}, {@code stop 0}); a bundle update or refresh stops nothing.
 *
 * A stop by {@link Supervisor#stop} is remembered as the user's last word, so the next runtime
 * would leave those modules stopped, also after a reboot. The names stopped here are therefore
 * written to {@code var/home/stopped-at-exit} first, and the next runtime starts exactly those
 * again (a module someone had stopped before stays stopped).
 */
@Component(immediate = true)
public final class ModulesOnExit {

	static final String PROPERTY = "pidwatcher.exit.modules";
	private static final long RESTART_WAIT_MILLIS = 60_000;
	private static final Set<ModuleState> NOT_RUNNING = Set.of(ModuleState.STOPPED, ModuleState.INVALID,
			ModuleState.GAVE_UP);

	/** What the runtime does with its modules when it ends. */
	enum Mode {
		LEAVE, STOP;

		static Mode parse(String value) {
			if (value == null || value.isBlank()) {
				return LEAVE;
			}
			return switch (value.trim()) {
				case "leave" -> LEAVE;
				case "stop" -> STOP;
				default -> throw new IllegalArgumentException(
						PROPERTY + "=" + value.trim() + " is not 'leave' or 'stop'");
			};
		}
	}

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private RuntimeHome home;

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile Supervisor supervisor;

	private BundleContext context;
	private Mode mode;
	private Thread restarter;

	private final SynchronousBundleListener frameworkStopping = event -> {
		if (event.getBundle().getBundleId() == 0 && event.getType() == BundleEvent.STOPPING) {
			stopAll();
		}
	};

	@Activate
	void activate(BundleContext context) {
		this.context = context;
		try {
			mode = Mode.parse(context.getProperty(PROPERTY));
		} catch (IllegalArgumentException e) {
			mode = Mode.LEAVE;
			logger.error("{}; the modules are left running when the runtime ends", e.getMessage());
		}
		if (mode == Mode.STOP) {
			context.addBundleListener(frameworkStopping);
			logger.info("{}=stop: every running module is stopped when the runtime ends", PROPERTY);
		}
		if (Files.exists(marker())) {
			restarter = new Thread(this::restartStoppedAtExit, "pidwatcher-restart-stopped-at-exit");
			restarter.setDaemon(true);
			restarter.start();
		}
	}

	@Deactivate
	void deactivate() {
		try {
			context.removeBundleListener(frameworkStopping);
		} catch (IllegalStateException e) {
			// the framework is stopping
		}
		if (restarter != null) {
			restarter.interrupt();
		}
	}

	private Path marker() {
		return home.var().resolve("home").resolve("stopped-at-exit");
	}

	private void stopAll() {
		Supervisor s = supervisor;
		if (s == null) {
			logger.warn("{}=stop, but no watchdog is running: no module is stopped", PROPERTY);
			return;
		}
		List<String> running = s.modules().stream().filter(m -> !NOT_RUNNING.contains(m.state()))
				.map(ModuleStatus::name).toList();
		if (running.isEmpty()) {
			return;
		}
		try {
			writeMarker(running);
		} catch (IOException e) {
			logger.warn("cannot write {} ({}): the next runtime will leave these modules stopped: {}", marker(),
					e.getMessage(), running);
		}
		logger.info("stopping {} modules because the runtime ends ({}=stop): {}", running.size(), PROPERTY, running);
		ExecutorService pool = Executors.newFixedThreadPool(Math.min(running.size(), 16));
		try {
			Map<String, Future<?>> stops = new LinkedHashMap<>();
			for (String name : running) {
				stops.put(name, pool.submit(() -> s.stop(name)));
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CleanShutdown.STOP_WAIT_SECONDS - 10);
			for (Map.Entry<String, Future<?>> stop : stops.entrySet()) {
				try {
					stop.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				} catch (Exception e) {
					logger.warn("module {} not stopped at exit: {}", stop.getKey(), e.toString());
				}
			}
		} finally {
			pool.shutdownNow();
		}
	}

	private void writeMarker(List<String> names) throws IOException {
		Path file = marker();
		Files.createDirectories(file.getParent());
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		Files.write(tmp, names, StandardCharsets.UTF_8);
		Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/** Starts the modules the last runtime stopped when it ended, once they are defined again. */
	private void restartStoppedAtExit() {
		List<String> pending;
		try {
			pending = new ArrayList<>(Files.readAllLines(marker(), StandardCharsets.UTF_8).stream()
					.map(String::trim).filter(n -> !n.isEmpty()).toList());
		} catch (IOException e) {
			logger.warn("cannot read {}: {}", marker(), e.getMessage());
			return;
		}
		Map<String, String> problems = new LinkedHashMap<>();
		long deadline = System.currentTimeMillis() + RESTART_WAIT_MILLIS;
		while (!pending.isEmpty() && System.currentTimeMillis() < deadline && !Thread.currentThread().isInterrupted()) {
			Supervisor s = supervisor;
			for (String name : List.copyOf(pending)) {
				if (s == null) {
					break;
				}
				try {
					s.start(name);
					pending.remove(name);
					problems.remove(name);
				} catch (NoSuchModuleException e) {
					problems.put(name, "not defined (no etc/pidwatcher.module-" + name + ".cfg)");
				} catch (IllegalStateException e) {
					problems.put(name, e.getMessage());
				}
			}
			try {
				Thread.sleep(200);
			} catch (InterruptedException e) {
				return; // stopping again: the marker stays for the next runtime
			}
		}
		if (!pending.isEmpty()) {
			logger.warn("modules stopped when the last runtime ended and not started again: {}", problems);
		} else {
			logger.info("started again the modules stopped when the last runtime ended");
		}
		try {
			Files.deleteIfExists(marker());
		} catch (IOException e) {
			logger.warn("cannot delete {}: {}", marker(), e.getMessage());
		}
	}
}
