package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ReaderDescription;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TagName;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

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
 * The reader that always works: it walks /proc. It ranks lowest so that a faster reader, such as
 * the kernel device, takes over whenever one is registered.
 *
 * <p>It also reports exits of tagged processes to every {@link ExitListener}, whichever reader is
 * active. Where the kernel's process events connector can be had (root, the initial namespaces),
 * {@link ConnectorEvents} keeps the members by lineage and reports their exits. Elsewhere, or with
 * {@code connector=false} in {@code pidwatcher.procfs}, an {@link ExitTracker} watches every tagged
 * process a scan has seen (pidfds, or /proc polling where pidfds are unavailable), and a tagged
 * scan every {@value #DISCOVERY_MILLIS} ms (at most 10% of a CPU) finds tagged processes no
 * consumer has scanned for yet.
 */
// Two configurations (pidwatcher.tag, shared with the device reader, and pidwatcher.procfs), so no
// @Designate: Designate binds exactly one pid.
@Component(
		immediate = true, // it tracks exits from activation on, whether or not anyone scans yet
		configurationPid = { "pidwatcher.tag", "pidwatcher.procfs" },
		property = {
				ProcessReader.SOURCE_PROPERTY + "=procfs",
				"service.ranking:Integer=0"
		})
public final class ProcfsReader implements ProcessReader {

	/**
	 * How often the background scan looks for new tagged processes to watch for exits; less often
	 * when a scan takes more than a tenth of this.
	 */
	static final long DISCOVERY_MILLIS = 1000;

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

	private volatile ExitTracker exits;
	private volatile ConnectorEvents connector;
	/** Why the connector is not in use (null while it is, or before the first attempt). */
	private volatile String connectorUnavailable;
	private Thread discovery;
	private volatile boolean running;
	private boolean useConnector = true;

	private final ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
	/**
	 * Module scans through the connector's lineage read a few stat files each, and a stop makes
	 * dozens of them: serialised behind the loop's scans (a tagged scan of 5,000 members, or a
	 * walk of every process) they made a 25-task stop take seconds. They run beside the others,
	 * each thread with a scanner (a buffer) of its own.
	 */
	private final ThreadLocal<ProcfsScanner> moduleScanners = ThreadLocal.withInitial(() -> new ProcfsScanner(Path.of("/proc")));

	/** Replaced whole when the config changes; scans read it once, so a scan never mixes two names. */
	private volatile TagName tagName = TagName.defaultName();

	/** What the last scan cost, for pw:source. */
	private record ScanCost(Duration duration, int examined, int skipped) {
	}

	private volatile ScanCost lastScan = new ScanCost(Duration.ZERO, 0, 0);

	@Activate
	void activate(TagConfig tag, ProcfsConfig procfs) {
		configure(tag, procfs);
		startEvents();
	}

	/**
	 * Loading JNA's native library takes seconds in a slow (emulated) machine: the event source
	 * starts off the activation thread, so the reader's service is usable at once (scans walk
	 * /proc until the connector's first full scan is done).
	 */
	private synchronized void startEvents() {
		running = true;
		boolean wanted = useConnector;
		discovery = new Thread(() -> events(wanted), "pidwatcher-procfs-discovery");
		discovery.setDaemon(true);
		discovery.start();
	}

	@Deactivate
	synchronized void deactivate() {
		running = false;
		discovery.interrupt();
		try {
			discovery.join(5000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		ConnectorEvents c = connector;
		connector = null;
		if (c != null) {
			c.stop();
		}
		ExitTracker t = exits;
		exits = null;
		if (t != null) {
			t.stop();
		}
	}

	private void events(boolean wanted) {
		if (wanted) {
			try {
				ConnectorEvents c = ConnectorEvents.start(Path.of("/proc"), () -> tagName, this::deliver,
						m -> logger.debug("{}", m), ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
				connectorUnavailable = null;
				connector = c;
				if (!running) {
					connector = null;
					c.stop(); // deactivated while it was being set up
				} else {
					logger.info("process events connector subscribed: membership is kept at fork");
				}
				return;
			} catch (ConnectorSocket.UnavailableException e) {
				connectorUnavailable = e.getMessage();
				logger.warn("process events connector not used, scanning instead: {}", e.getMessage());
			}
		} else {
			connectorUnavailable = "switched off (connector=false in pidwatcher.procfs)";
		}
		discover();
	}

	private void discover() {
		ExitTracker tracker = new ExitTracker(Path.of("/proc"), this::deliver, true);
		if (!tracker.usesPidfd()) {
			logger.warn("exit events: {}", tracker.mode());
		}
		tracker.start();
		exits = tracker;
		if (!running) {
			tracker.stop(); // deactivated while the tracker was being built
			return;
		}
		while (running) {
			try {
				scan(ScanScope.tagged());
				// At most a tenth of one CPU: on a big or slow machine, scan less often.
				Thread.sleep(Math.max(DISCOVERY_MILLIS, 10 * lastScan.duration().toMillis()));
			} catch (InterruptedException e) {
				return;
			} catch (RuntimeException e) {
				logger.error("background scan for exit tracking failed: {}", e.toString());
			}
		}
	}

	private void deliver(ExitEvent event) {
		for (ExitListener listener : listeners) {
			try {
				listener.exited(event);
			} catch (RuntimeException e) {
				logger.error("exit listener {} failed on {}: {}", listener, event, e.toString());
			}
		}
	}

	@Modified
	void modified(TagConfig tag, ProcfsConfig procfs) {
		boolean switched = procfs.connector() != useConnector;
		configure(tag, procfs);
		if (switched) {
			logger.info("process events connector {}", useConnector ? "switched on" : "switched off: scanning");
			deactivate();
			startEvents();
		}
	}

	private void configure(TagConfig config, ProcfsConfig procfs) {
		useConnector = procfs.connector();
		try {
			TagName requested = new TagName(config.variable());
			if (!requested.equals(tagName)) {
				logger.info("watching environment variable {} (was {})", requested, tagName);
				tagName = requested;
				ExitTracker tracker = exits;
				if (tracker != null) {
					tracker.forgetAll();
				}
				ConnectorEvents c = connector;
				if (c != null) {
					c.tagChanged();
				}
			}
		} catch (IllegalArgumentException e) {
			logger.error("pidwatcher.tag rejected: {}; still watching {}", e.getMessage(), tagName);
		}
	}

	@Override
	public ProcessSnapshot scan(ScanScope scope) {
		TagName name = tagName;
		ProcfsScanner.Result result;
		long started;
		long finished;
		Instant wallClock;
		OptionalLong lineage;
		// timed inside the lock: the cost pw:source shows, and the snapshot's moment, are the scan's own,
		// not the wait behind other callers' scans (under load that wait was most of the "cost")
		ConnectorEvents c = connector;
		boolean alongside = c != null && scope.kind() == ScanScope.Kind.MODULE && c.generation(name.value()).isPresent();
		ProcfsScanner own = alongside ? moduleScanners.get() : scanner;
		synchronized (own) {
			started = System.nanoTime();
			wallClock = Instant.now();
			result = c != null ? c.scan(own, name.value(), scope) : own.scan(name.value(), scope);
			finished = System.nanoTime();
			// read after the scan: a rebuild during it gives the new generation, so the consumer
			// scans everything once more rather than trusting a lineage that may have missed a fork
			lineage = c != null ? c.lineageOfLastScan(name.value()) : OptionalLong.empty();
		}
		ExitTracker tracker = exits;
		if (tracker != null && name.equals(tagName)) {
			tracker.track(result.tasks());
		}
		lastScan = new ScanCost(Duration.ofNanos(finished - started), result.examined(),
				result.vanished() + result.unreadable());
		// The scan's moment is its midpoint: /proc cannot be read atomically.
		return new ProcessSnapshot("procfs", name.value(), scope, started + (finished - started) / 2, wallClock,
				result.tasks(), false, lineage);
	}

	@Override
	public String tagName() {
		return tagName.value();
	}

	@Override
	public ReaderDescription describe() {
		ScanCost cost = lastScan;
		List<String> lines = new ArrayList<>(List.of(
				"reads /proc/<pid>/{environ,stat,status}; needs root or CAP_SYS_PTRACE to see other users' tags",
				"scan scopes: tagged, module, everything"));
		ConnectorEvents c = connector;
		ExitTracker tracker = exits;
		if (c != null) {
			lines.addAll(c.facts());
			if (!c.ready()) {
				lines.add("connector: first full scan not done yet; scans walk /proc meanwhile");
			}
		} else if (tracker != null) {
			lines.addAll(tracker.facts());
			lines.add("connector: not used: " + connectorUnavailable);
		} else {
			lines.add("event mode: starting");
		}
		return new ReaderDescription("procfs", tagName.value(), lines,
				cost.duration(), cost.examined(), cost.skipped());
	}
}
