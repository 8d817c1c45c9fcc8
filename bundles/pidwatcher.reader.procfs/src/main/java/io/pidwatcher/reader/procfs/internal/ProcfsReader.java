package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.ProcessReader;
import io.pidwatcher.api.ProcessSnapshot;
import io.pidwatcher.api.ReaderDescription;
import io.pidwatcher.api.ScanScope;
import io.pidwatcher.api.TagName;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The reader that always works: it walks /proc. It ranks lowest so that a faster reader, such as
 * the kernel device, takes over whenever one is registered.
 */
@Component(
		configurationPid = "pidwatcher.tag",
		property = {
				ProcessReader.SOURCE_PROPERTY + "=procfs",
				"service.ranking:Integer=0"
		})
@Designate(ocd = TagConfig.class)
public final class ProcfsReader implements ProcessReader {

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	private final ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));

	/** Replaced whole when the config changes; scans read it once, so a scan never mixes two names. */
	private volatile TagName tagName = TagName.defaultName();

	/** What the last scan cost, for pw:source. */
	private record ScanCost(Duration duration, int examined, int skipped) {
	}

	private volatile ScanCost lastScan = new ScanCost(Duration.ZERO, 0, 0);

	@Activate
	@Modified
	void configure(TagConfig config) {
		try {
			TagName requested = new TagName(config.variable());
			if (!requested.equals(tagName)) {
				logger.info("watching environment variable {} (was {})", requested, tagName);
			}
			tagName = requested;
		} catch (IllegalArgumentException e) {
			logger.error("pidwatcher.tag rejected: {}; still watching {}", e.getMessage(), tagName);
		}
	}

	@Override
	public ProcessSnapshot scan(ScanScope scope) {
		TagName name = tagName;
		ProcfsScanner.Result result;
		long started = System.nanoTime();
		Instant wallClock = Instant.now();
		synchronized (scanner) {
			result = scanner.scan(name.value(), scope);
		}
		long finished = System.nanoTime();
		lastScan = new ScanCost(Duration.ofNanos(finished - started), result.examined(),
				result.vanished() + result.unreadable());
		// The scan's moment is its midpoint: /proc cannot be read atomically.
		return new ProcessSnapshot("procfs", name.value(), scope, started + (finished - started) / 2, wallClock,
				result.tasks(), false);
	}

	@Override
	public String tagName() {
		return tagName.value();
	}

	@Override
	public ReaderDescription describe() {
		ScanCost cost = lastScan;
		return new ReaderDescription("procfs", tagName.value(),
				List.of("reads /proc/<pid>/{environ,stat,status}; needs root or CAP_SYS_PTRACE to see other users' tags",
						"scan scopes: tagged, module, everything",
						"exit events: none yet (scan to notice exits)"),
				cost.duration(), cost.examined(), cost.skipped());
	}
}
