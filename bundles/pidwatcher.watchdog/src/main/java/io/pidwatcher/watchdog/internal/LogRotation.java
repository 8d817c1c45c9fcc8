package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.BiConsumer;

/**
 * Rotates a module's {@code name.log} to {@code name.log.1} (and so on) once it is bigger than
 * {@code log.size}. Runs off the watchdog's lock (a rotation copies up to log.size); one rotation
 * at a time, so the launcher's rotation before a start and the periodic one never interleave.
 */
final class LogRotation {

	private final BiConsumer<Path, IOException> failed;

	/** @param failed told when a log cannot be rotated (the module is not disturbed) */
	LogRotation(BiConsumer<Path, IOException> failed) {
		this.failed = failed;
	}

	/**
	 * A running program keeps its file open, so then the content is copied and the file truncated
	 * (logrotate's copytruncate: the program writes with O_APPEND and carries on at the new end).
	 */
	synchronized void rotate(Path log, ModuleSpec spec, boolean whileRunning) {
		try {
			if (!Files.exists(log) || Files.size(log) <= spec.logSize()) {
				return;
			}
			if (spec.logFiles() == 0) {
				truncate(log);
				return;
			}
			for (int i = spec.logFiles() - 1; i >= 1; i--) {
				Path from = log.resolveSibling(log.getFileName() + "." + i);
				if (Files.exists(from)) {
					Files.move(from, log.resolveSibling(log.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
				}
			}
			Path first = log.resolveSibling(log.getFileName() + ".1");
			if (whileRunning) {
				// copied beside it, then renamed: name.log.1 never shows up empty or half-written to a
				// reader (a log shipper, or CI's ModuleCommandsTest, which read it empty once)
				Path partial = log.resolveSibling(log.getFileName() + ".1.partial");
				Files.copy(log, partial, StandardCopyOption.REPLACE_EXISTING);
				Files.move(partial, first, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				truncate(log);
			} else {
				Files.move(log, first, StandardCopyOption.REPLACE_EXISTING);
			}
		} catch (IOException e) {
			failed.accept(log, e);
		}
	}

	private static void truncate(Path log) throws IOException {
		try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE)) {
			c.truncate(0);
		}
	}
}
