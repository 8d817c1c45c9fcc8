package io.pidwatcher.hwwatchdog.internal;

import io.pidwatcher.api.supervisor.LoopListener;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.api.supervisor.Supervisor;
import io.pidwatcher.api.text.DurationText;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Feeds the hardware watchdog while the supervision loop passes (it is a {@link LoopListener})
 * and no critical module has given up for longer than the grace period. Off until
 * etc/pidwatcher.hwwatchdog.cfg exists; a change of that file closes the device with the magic
 * and opens it again. Pings come from a thread of its own: the loop only records that it passed,
 * and must never wait for a device or the supervisor.
 */
// immediate: a delayed component is deactivated (the device closed) whenever its last user lets
// go of the service, and whiteboard callers get and unget it around every call.
@Component(configurationPid = "pidwatcher.hwwatchdog", configurationPolicy = ConfigurationPolicy.REQUIRE,
		service = { LoopListener.class, HardwareWatchdog.class }, immediate = true)
@Designate(ocd = HardwareWatchdogConfig.class)
public final class HardwareWatchdog implements LoopListener {

	/** pidwatcher.home's StartupGate raises the start level to 10 once etc/ is loaded. */
	private static final int ETC_LOADED_LEVEL = 10;

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private RuntimeHome home;

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	private volatile Supervisor supervisor;

	private volatile LoopPulse pulse;
	private volatile WatchdogSettings settings;
	private volatile WatchdogDevice device;
	private volatile String problem = "";
	private volatile String pendingReason = "";
	private volatile long lastPingNanos;
	private volatile Optional<ResetRecord.LastReset> lastReset = Optional.empty();
	private final Set<String> undefinedSaid = new HashSet<>();
	private CriticalModules critical;
	private ResetRecord record;
	private String bootId;
	private ScheduledExecutorService feeder;
	private BundleContext context;

	@Activate
	void activate(HardwareWatchdogConfig config, BundleContext context) {
		this.context = context;
		record = new ResetRecord(home.var().resolve("hwwatchdog"));
		lastReset = record.lastReset();
		try {
			settings = WatchdogSettings.of(config);
		} catch (IllegalArgumentException e) {
			problem = e.getMessage();
			logger.error("hardware watchdog off: {}", problem);
			return;
		}
		WatchdogSettings s = settings;
		bootId = ResetRecord.currentBootId();
		// The last boot's end is reported even when the device cannot be opened now.
		try {
			Optional<ResetRecord.LastReset> found = record.takeOverFrom(bootId);
			if (found.isPresent()) {
				lastReset = found;
				logger.warn("hardware watchdog: {}", found.get().describe());
			}
		} catch (IOException e) {
			logger.warn("hardware watchdog: cannot read or write {}: {}", record.lastResetFile(), e.toString());
		}
		try {
			device = WatchdogDevice.open(s.device(), s.timeoutSeconds());
		} catch (IOException e) {
			problem = e.getMessage();
			logger.error("hardware watchdog off: {}", problem);
			return;
		}
		try {
			record.armed(bootId, s.device(), device.timeoutSeconds());
		} catch (IOException e) {
			logger.warn("hardware watchdog: cannot write {} ({}): a coming reset's reason may be lost", record.armedFile(), e.toString());
		}
		critical = new CriticalModules(s.critical(), s.grace());
		pulse = new LoopPulse(System.nanoTime(), s.loopStaleAfter());
		logger.info("hardware watchdog: {} armed, timeout {} s, critical modules {}, grace {}", s.device(),
				device.timeoutSeconds(), s.critical().isEmpty() ? "none" : String.join(",", s.critical()),
				DurationText.format(s.grace()));
		feeder = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "pidwatcher-hwwatchdog");
			t.setDaemon(true);
			return t;
		});
		feeder.scheduleWithFixedDelay(this::feed, 0, s.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The same settings again (FileInstall re-reads a touched file) leave the device armed. */
	@Modified
	void modified(HardwareWatchdogConfig config) {
		WatchdogSettings next;
		try {
			next = WatchdogSettings.of(config);
		} catch (IllegalArgumentException e) {
			next = null;
		}
		if (next != null && next.equals(settings) && device != null) {
			return;
		}
		deactivate();
		problem = "";
		pendingReason = "";
		activate(config, context);
	}

	@Deactivate
	void deactivate() {
		if (feeder != null) {
			feeder.shutdownNow();
			try {
				feeder.awaitTermination(2, TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		WatchdogDevice d = device;
		device = null;
		if (d != null) {
			d.magicClose();
			try {
				record.disarmed();
			} catch (IOException e) {
				logger.warn("hardware watchdog: cannot remove {}: {}", record.armedFile(), e.toString());
			}
			logger.info("hardware watchdog: {} closed with the magic character (disarmed)", d.path());
		}
	}

	@Override
	public void loopPassed(long monotonicNanos) {
		LoopPulse p = pulse;
		if (p != null) {
			p.passed(monotonicNanos);
		}
	}

	/** One feeding round, on the feeder thread. */
	private void feed() {
		WatchdogDevice d = device;
		if (d == null) {
			return;
		}
		long now = System.nanoTime();
		String stop = pulse.hung(now).orElse(null);
		Supervisor s = supervisor;
		if (stop == null && s != null) {
			try {
				List<ModuleStatus> modules = s.modules();
				sayUndefined(modules);
				stop = critical.reasonToStop(modules, now).orElse(null);
			} catch (RuntimeException e) {
				logger.debug("hardware watchdog: cannot list modules: {}", e.toString());
			}
		}
		if (stop == null) {
			ping(d, now);
		} else if (pendingReason.isEmpty()) {
			pendingReason = stop;
			try {
				record.resetComing(bootId, stop);
			} catch (IOException e) {
				logger.error("hardware watchdog: cannot record the reason for the coming reset in {}: {}", record.reasonFile(), e.toString());
			}
			logger.error("hardware watchdog: pings stopped, {} resets the machine within {} s: {}", d.path(),
					d.timeoutSeconds(), stop);
		}
	}

	private void ping(WatchdogDevice d, long now) {
		try {
			d.keepAlive();
			lastPingNanos = now;
		} catch (IOException e) {
			logger.error("hardware watchdog: {}", e.getMessage());
			return;
		}
		if (!pendingReason.isEmpty()) {
			logger.warn("hardware watchdog: pings resumed before the reset ({} is over)", pendingReason);
			pendingReason = "";
			try {
				record.resetCalledOff();
			} catch (IOException e) {
				logger.warn("hardware watchdog: cannot remove {}: {}", record.reasonFile(), e.toString());
			}
		}
	}

	/** Names a critical module that is not defined, once, after etc/ is loaded and the loop has passed. */
	private void sayUndefined(List<ModuleStatus> modules) {
		if (!pulse.everPassed() || context.getBundle(0).adapt(FrameworkStartLevel.class)
				.getStartLevel() < ETC_LOADED_LEVEL) {
			return;
		}
		Set<String> undefined = critical.undefined(modules);
		for (String name : undefined) {
			if (undefinedSaid.add(name)) {
				logger.error("hardware watchdog: critical module {} (critical= in etc/pidwatcher.hwwatchdog.cfg) is not "
						+ "defined; it is ignored until it is", name);
			}
		}
		undefinedSaid.retainAll(undefined);
	}

	/** What pw:hwwatchdog shows. */
	HardwareWatchdogState state() {
		WatchdogSettings s = settings;
		WatchdogDevice d = device;
		long now = System.nanoTime();
		return new HardwareWatchdogState(s == null ? null : s.device(), d != null, problem,
				d == null ? 0 : d.timeoutSeconds(), s == null ? Set.of() : s.critical(),
				d == null || lastPingNanos == 0 ? null : Duration.ofNanos(now - lastPingNanos), pendingReason,
				lastReset.map(ResetRecord.LastReset::describe).orElse(""));
	}
}
