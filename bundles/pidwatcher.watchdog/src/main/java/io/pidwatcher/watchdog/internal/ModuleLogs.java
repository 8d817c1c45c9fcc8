package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Each module's var/log/NAME.log: where a starting program's output goes, and its rotation (see
 * LogRotation) before a start and every few seconds while it runs, which copies and gzips up to
 * log.size and so runs off the engine's lock, on the log worker (the rename before a start runs on
 * the starting thread, its gzip on the log worker).
 */
final class ModuleLogs {

	private static final long LOG_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final Engine e;
	private final LogRotation logRotation;
	/** Local time, for log.rotate=hourly|daily (the engine's Machine clock is monotonic, not a time of day). */
	private final Clock wallClock = Clock.systemDefaultZone();
	/** Modules whose var/log/NAME.log could not be opened at their last start (said once). */
	private final Set<String> unwritableLogs = ConcurrentHashMap.newKeySet();

	ModuleLogs(Engine e) {
		this.e = e;
		this.logRotation = new LogRotation((log, x) -> e.logger.warn("cannot rotate {}: {}", log, x.toString()),
				(log, why) -> e.logger.info("rotated {} ({})", log, why));
	}

	Path logOf(String module) {
		return e.home.var().resolve("log").resolve(module + ".log");
	}

	/** Queues a rotation of a running module's log when it is due; the lock is held. */
	void checkSize(Module m, long now) {
		if (now - m.lastLogCheckNanos < LOG_CHECK_NANOS || m.spec == null) {
			return;
		}
		m.lastLogCheckNanos = now;
		Path log = logOf(m.name);
		ModuleSpec spec = m.spec;
		// a copy and a gzip of up to log.size: off the lock
		e.logWorker.execute(() -> logRotation.check(log, spec.log(), true, ZonedDateTime.now(wallClock)));
	}

	/** The gzip and the log.max bound of a rotation before a start: on the log worker, not delaying the start. */
	private void compressLater(Path log, LogPolicy policy) {
		try {
			e.logWorker.execute(() -> logRotation.compressAndBound(log, policy));
		} catch (RejectedExecutionException stopping) {
			// the engine is stopping: the next check after a start does it
		}
	}

	/**
	 * Where a starting program's output goes: appended to var/log/NAME.log, or, when that cannot be
	 * written (a full or read-only var/), discarded, so that a var/ in trouble never stops a start.
	 * Said once per module until the log can be written again. Not called with the lock held.
	 */
	ProcessBuilder.Redirect forStart(String module, ModuleSpec spec) {
		Path log = logOf(module);
		try {
			Files.createDirectories(log.getParent());
			logRotation.rotate(log, spec.log(), false, ZonedDateTime.now(wallClock));
			compressLater(log, spec.log());
			try (var out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
				// opened only to learn whether the program will be able to write to it
			}
			if (unwritableLogs.remove(module)) {
				e.logger.warn("module {}: {} is written again", module, log);
			}
			return ProcessBuilder.Redirect.appendTo(log.toFile());
		} catch (IOException | RuntimeException x) {
			if (unwritableLogs.add(module)) {
				e.logger.warn("module {}: cannot write {} ({}): the program's output is discarded until it can", module,
						log, x.getMessage() == null ? x.toString() : x.getMessage());
			}
			return ProcessBuilder.Redirect.DISCARD;
		}
	}
}
