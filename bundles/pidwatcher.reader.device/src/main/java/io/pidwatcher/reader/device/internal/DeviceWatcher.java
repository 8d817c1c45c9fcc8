package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.TagName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Registers the device {@link ProcessReader} (ranking {@value #RANKING}, above /proc's 0) exactly
 * while it can be trusted, and withdraws it otherwise, checking every second: so consumers switch
 * readers by themselves when the module is loaded or unloaded.
 *
 * <p>The reader is registered when all of these hold, and each failing one is logged once, with its
 * reason: {@code enabled=true} (pidwatcher.device); the device node exists and opens; its header
 * speaks protocol 2; the module's {@code tag=} parameter equals the configured tag variable (the
 * module reads only its own tag, so with another name it would list the wrong processes).
 *
 * <p>While registered it holds the device open for exit events. Linux refuses to unload a module
 * with an open fd, so {@code rmmod} needs {@code enabled=false} first; loading is noticed by itself.
 */
@Component(immediate = true, configurationPid = { "pidwatcher.tag", "pidwatcher.device" })
public final class DeviceWatcher {

	static final int RANKING = 100;

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	private final List<ExitListener> listeners = new CopyOnWriteArrayList<>();

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
	void addExitListener(ExitListener listener) {
		listeners.add(listener);
	}

	void removeExitListener(ExitListener listener) {
		listeners.remove(listener);
	}

	private BundleContext context;
	private volatile DeviceConfig config;
	private volatile TagName tagName = TagName.defaultName();
	private Thread checker;
	private volatile boolean running;

	/** Only touched on the checker thread (and in deactivate after it stopped). */
	private ServiceRegistration<ProcessReader> registration;
	private DeviceReader reader;
	private ExitEventLoop events;
	private String standDownReason = "";
	/** A device that failed the version check is not opened again until it is replaced (module reloaded). */
	private Object refusedDevice;
	private volatile String brokenReason;
	/** After the device misbehaved, wait this long before trusting it again. */
	private static final long BROKEN_RETRY_NANOS = 30_000_000_000L;
	private long retryAfterNanos = System.nanoTime();

	@Activate
	void activate(BundleContext context, DeviceConfig config) {
		this.context = context;
		configure(config);
		running = true;
		checker = new Thread(this::checkLoop, "pidwatcher-device-watch");
		checker.setDaemon(true);
		checker.start();
	}

	@Modified
	void configure(DeviceConfig config) {
		try {
			tagName = new TagName(config.variable());
		} catch (IllegalArgumentException e) {
			// The /proc reader logs the rejection; the previous name stays in force here too.
		}
		this.config = config;
		synchronized (this) {
			notifyAll();
		}
	}

	@Deactivate
	void deactivate() {
		running = false;
		synchronized (this) {
			notifyAll();
		}
		try {
			checker.join(5000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		detach("the device reader bundle stops");
	}

	private void checkLoop() {
		while (running) {
			try {
				check();
			} catch (RuntimeException e) {
				logger.error("device check failed: {}", e.toString());
			}
			synchronized (this) {
				try {
					wait(Math.max(50, config.check_interval_ms()));
				} catch (InterruptedException e) {
					return;
				}
			}
		}
	}

	private void check() {
		DeviceConfig c = config;
		String reason = whyNot(c);
		if (reason == null && reader != null && !reader.tagName().equals(tagName.value())) {
			reason = "the tag changed";
		}
		if (reason != null) {
			detach(reason);
			return;
		}
		if (registration != null) {
			return;
		}
		try {
			attach(c);
			logger.info("device reader active: {} (module tag {}, ranking {}); exit events by device poll",
					c.device(), tagName, RANKING);
			standDownReason = "";
		} catch (IOException | ProtocolException e) {
			detach(e.getMessage());
		}
	}

	/** Why the device cannot be used now, or null when it can. */
	private String whyNot(DeviceConfig c) {
		String broken = brokenReason;
		if (broken != null) {
			brokenReason = null;
			retryAfterNanos = System.nanoTime() + BROKEN_RETRY_NANOS;
			return broken;
		}
		if (registration == null && System.nanoTime() - retryAfterNanos < 0) {
			return standDownReason; // a device that just failed gets a rest before the next try
		}
		if (!c.enabled()) {
			return "disabled by configuration (pidwatcher.device enabled=false)";
		}
		Path device = Path.of(c.device());
		if (!Files.exists(device)) {
			return c.device() + " is absent (the pidwatcher module is not loaded)";
		}
		if (registration == null && Objects.equals(refusedDevice, fileKey(device))) {
			return standDownReason; // same refused device: do not open it (and log) again
		}
		String moduleTag = read(Path.of(c.sysfs(), "parameters", "tag"));
		if (moduleTag == null) {
			return "cannot read the module's tag parameter in " + c.sysfs() + "/parameters/tag";
		}
		if (!moduleTag.equals(tagName.value())) {
			return "the module watches tag " + moduleTag + " (tag= at load time) but pidwatcher.tag is " + tagName
					+ "; reload the module with tag=" + tagName + " or change pidwatcher.tag";
		}
		return null;
	}

	private void attach(DeviceConfig c) throws IOException, ProtocolException {
		// Check the protocol before trusting anything else the device says.
		try (DeviceFile probe = DeviceFile.open(c.device(), false)) {
			byte[] head = probe.readSnapshot(new byte[4096], new int[1]);
			int nl = 0;
			while (nl < head.length && head[nl] != '\n' && head[nl] != 0) {
				nl++;
			}
			try {
				DeviceProtocol.checkVersion(new String(head, 0, nl, StandardCharsets.ISO_8859_1));
			} catch (ProtocolException e) {
				refusedDevice = fileKey(Path.of(c.device()));
				throw new ProtocolException("refusing " + c.device() + ": " + e.getMessage());
			}
		}
		String name = tagName.value();
		ExitEventLoop loop = new ExitEventLoop(c.device(), listeners, logger, this::broken);
		DeviceReader r = new DeviceReader(c.device(), name, loop::facts, this::broken);
		loop.start();
		Dictionary<String, Object> props = new Hashtable<>();
		props.put(ProcessReader.SOURCE_PROPERTY, "device");
		props.put(Constants.SERVICE_RANKING, RANKING);
		props.put("pidwatcher.tag", name);
		events = loop;
		reader = r;
		registration = context.registerService(ProcessReader.class, r, props);
	}

	private void detach(String reason) {
		if (registration != null) {
			try {
				registration.unregister();
			} catch (IllegalStateException e) {
				// already gone with the bundle
			}
			registration = null;
			logger.warn("device reader withdrawn, /proc takes over: {}", reason);
		} else if (!reason.equals(standDownReason)) {
			logger.info("device reader standing by: {}", reason);
		}
		standDownReason = reason;
		if (events != null) {
			events.stop();
			events = null;
		}
		if (reader != null) {
			reader.closeFile();
			reader = null;
		}
	}

	/** Called from scans and the event thread when the device misbehaves; the checker withdraws the reader. */
	private void broken(String reason) {
		logger.error("device reader failed: {}", reason);
		brokenReason = reason;
		synchronized (this) {
			notifyAll();
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8).strip();
		} catch (IOException e) {
			return null;
		}
	}

	private static Object fileKey(Path device) {
		try {
			BasicFileAttributes a = Files.readAttributes(device, BasicFileAttributes.class);
			return a.fileKey() + "@" + a.creationTime();
		} catch (IOException e) {
			return null;
		}
	}
}
