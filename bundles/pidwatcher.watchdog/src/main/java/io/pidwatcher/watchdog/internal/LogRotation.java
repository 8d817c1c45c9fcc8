package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.SizeText;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Rotates a module's {@code name.log} to {@code name.log.1} (and so on, {@code log.files} kept)
 * once it is bigger than {@code log.size} (or {@code log.max}), or, with {@code log.rotate=hourly}
 * or {@code daily}, at the first check after the hour or day in which it was written ended; then
 * gzips the rotated files ({@code log.compress}) and deletes the oldest while all of name.log*
 * exceed {@code log.max}. Runs off the watchdog's lock (a rotation copies and compresses up to
 * log.size); one at a time, so the launcher's rotation before a start and the periodic one never
 * interleave. "Now" is a parameter, so the time rule is tested without waiting for an hour.
 */
final class LogRotation {

	private final BiConsumer<Path, IOException> failed;
	private final BiConsumer<Path, String> rotated;
	/**
	 * The hour or day the oldest content of each live log was written in, learnt from its
	 * modification time at the first check that finds it not empty (so a log left from yesterday is
	 * rotated at the first check after a restart of the runtime), forgotten when it is rotated.
	 */
	private final Map<Path, ZonedDateTime> contentSince = new ConcurrentHashMap<>();

	/**
	 * @param failed  told when a log cannot be rotated (the module is not disturbed)
	 * @param rotated told once per rotation, with the reason ("hourly", "past log.size 10M")
	 */
	LogRotation(BiConsumer<Path, IOException> failed, BiConsumer<Path, String> rotated) {
		this.failed = failed;
		this.rotated = rotated;
	}

	/** A rotation when one is due, then {@link #compressAndBound}, in one go. */
	synchronized void check(Path log, LogPolicy policy, boolean whileRunning, ZonedDateTime now) {
		rotate(log, policy, whileRunning, now);
		compressAndBound(log, policy);
	}

	/**
	 * Rotates when due. A running program keeps its file open, so then the content is copied and
	 * the file truncated (logrotate's copytruncate: the program writes with O_APPEND and carries on
	 * at the new end); the copy is repeated until it has caught up with the end, and the truncation
	 * follows at once on the same open file, so only what is written in the microseconds between the
	 * last look at the size and the truncation could be lost. Not running: the file is renamed.
	 */
	synchronized void rotate(Path log, LogPolicy policy, boolean whileRunning, ZonedDateTime now) {
		try {
			if (!Files.exists(log)) {
				contentSince.remove(log);
				return;
			}
			String why = whyDue(log, policy, now);
			if (why == null) {
				return;
			}
			contentSince.remove(log);
			if (policy.files() == 0) {
				truncate(log);
				rotated.accept(log, why);
				return;
			}
			String name = log.getFileName().toString();
			Files.deleteIfExists(log.resolveSibling(name + "." + policy.files()));
			Files.deleteIfExists(log.resolveSibling(name + "." + policy.files() + ".gz"));
			for (int i = policy.files() - 1; i >= 1; i--) {
				for (String gz : new String[] { "", ".gz" }) {
					Path from = log.resolveSibling(name + "." + i + gz);
					if (Files.exists(from)) {
						Files.move(from, log.resolveSibling(name + "." + (i + 1) + gz), StandardCopyOption.REPLACE_EXISTING);
					}
				}
			}
			Path first = log.resolveSibling(name + ".1");
			if (whileRunning) {
				// copied beside it, then renamed: name.log.1 never shows up empty or half-written to a
				// reader (a log shipper, or CI's ModuleCommandsTest, which read it empty once)
				Path partial = log.resolveSibling(name + ".1.partial");
				copyThenTruncate(log, partial);
				Files.move(partial, first, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			} else {
				Files.move(log, first, StandardCopyOption.REPLACE_EXISTING);
			}
			rotated.accept(log, why);
		} catch (IOException e) {
			failed.accept(log, e);
		}
	}

	/**
	 * Deletes rotated files beyond log.files (log.files was lowered), gzips the plain ones with
	 * log.compress, and deletes the oldest rotated files while all of name.log* exceed log.max. The
	 * live file is never deleted: it is bounded by its rotation.
	 */
	synchronized void compressAndBound(Path log, LogPolicy policy) {
		try {
			TreeMap<Integer, Path> old = rotatedFiles(log);
			for (var it = old.entrySet().iterator(); it.hasNext();) {
				var e = it.next();
				if (e.getKey() > policy.files()) {
					Files.deleteIfExists(e.getValue());
					it.remove();
				} else if (policy.compress() && !e.getValue().toString().endsWith(".gz")) {
					e.setValue(gzip(e.getValue()));
				}
			}
			if (!policy.bounded()) {
				return;
			}
			long bound = bound(log, policy);
			long sum = Files.exists(log) ? Files.size(log) : 0;
			for (Path p : old.values()) {
				sum += sizeOf(p);
			}
			while (sum > bound && !old.isEmpty()) {
				Path oldest = old.pollLastEntry().getValue();
				sum -= sizeOf(oldest);
				Files.deleteIfExists(oldest);
			}
		} catch (IOException e) {
			failed.accept(log, e);
		}
	}

	private String whyDue(Path log, LogPolicy policy, ZonedDateTime now) throws IOException {
		long length = Files.size(log);
		long threshold = policy.bounded() ? Math.min(policy.size(), bound(log, policy)) : policy.size();
		if (policy.rotate() != LogPolicy.Period.SIZE) {
			if (length == 0) {
				contentSince.remove(log);
			} else {
				ZonedDateTime since = contentSince.computeIfAbsent(log, k -> {
					try {
						return policy.rotate().start(ZonedDateTime.ofInstant(Files.getLastModifiedTime(k).toInstant(), now.getZone()));
					} catch (IOException e) {
						return policy.rotate().start(now);
					}
				});
				if (since.isBefore(policy.rotate().start(now))) {
					return policy.rotate().name().toLowerCase(java.util.Locale.ROOT);
				}
			}
		}
		if (length > threshold) {
			return threshold < policy.size() ? "past log.max's share " + SizeText.format(threshold)
					: "past log.size " + SizeText.format(policy.size());
		}
		return null;
	}

	private static long bound(Path log, LogPolicy policy) throws IOException {
		return policy.maxShareOfVar() > 0 ? policy.bound(Files.getFileStore(log.getParent()).getTotalSpace())
				: policy.bound(0);
	}

	/** name.log.N and name.log.N.gz by N (both of one N: the gzipped one wins, the plain one is deleted). */
	private static TreeMap<Integer, Path> rotatedFiles(Path log) throws IOException {
		String name = log.getFileName().toString();
		Pattern rotated = Pattern.compile(Pattern.quote(name) + "\\.([1-9][0-9]{0,8})(\\.gz)?");
		TreeMap<Integer, Path> out = new TreeMap<>();
		if (!Files.isDirectory(log.getParent())) {
			return out;
		}
		try (DirectoryStream<Path> dir = Files.newDirectoryStream(log.getParent(), name + ".*")) {
			for (Path p : dir) {
				Matcher m = rotated.matcher(p.getFileName().toString());
				if (m.matches()) {
					int n = Integer.parseInt(m.group(1));
					Path before = out.put(n, p);
					if (before != null) {
						// a gzip that finished while its plain source was not deleted yet
						Path plain = m.group(2) == null ? p : before;
						out.put(n, m.group(2) == null ? before : p);
						Files.deleteIfExists(plain);
					}
				}
			}
		}
		return out;
	}

	/** name.log.N to name.log.N.gz, written beside it and renamed, so a half-written .gz is never seen. */
	private static Path gzip(Path plain) throws IOException {
		Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
		Path partial = plain.resolveSibling(plain.getFileName() + ".gz.partial");
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial), 64 * 1024)) {
			Files.copy(plain, out);
		}
		Files.move(partial, gz, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		Files.delete(plain);
		return gz;
	}

	private static void copyThenTruncate(Path log, Path copy) throws IOException {
		try (FileChannel live = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
				FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
						StandardOpenOption.TRUNCATE_EXISTING)) {
			long copied = 0;
			int passes = 0;
			for (long end = live.size(); copied < end && passes++ < 8; end = live.size()) {
				// what the program wrote during the copy is copied too, before the truncation (a few
				// passes at most: a program that writes faster than a copy would keep this going)
				copied += live.transferTo(copied, end - copied, out);
			}
			live.truncate(0);
		}
	}

	private static void truncate(Path log) throws IOException {
		try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE)) {
			c.truncate(0);
		}
	}

	private static long sizeOf(Path p) throws IOException {
		try {
			return Files.size(p);
		} catch (NoSuchFileException gone) {
			return 0;
		}
	}
}
