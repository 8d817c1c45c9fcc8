package io.pidwatcher.hwwatchdog.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What survives a reset, in var/hwwatchdog/: {@code armed.properties} while the device is held
 * (with the boot id), {@code reset-reason.properties} once pings stop on purpose (written and
 * synced before the last ping is withheld), and {@code last-reset.properties}, the cause found
 * at the next start when the machine restarted with the device still armed. A frozen or killed
 * runtime writes nothing, so a reset without a recorded reason says exactly that.
 */
final class ResetRecord {

	static final String NO_REASON = "no reason recorded: the runtime stopped pinging without deciding to "
			+ "(it froze, or was killed)";

	private final Path dir;

	ResetRecord(Path dir) {
		this.dir = dir;
	}

	Path armedFile() {
		return dir.resolve("armed.properties");
	}

	Path reasonFile() {
		return dir.resolve("reset-reason.properties");
	}

	Path lastResetFile() {
		return dir.resolve("last-reset.properties");
	}

	/** A reset found at start: when the previous boot armed the device, and why it stopped pinging. */
	record LastReset(String bootId, String armedAt, String reason, String foundAt) {

		String describe() {
			return "the machine restarted while the hardware watchdog was armed (previous boot " + bootId + ", armed at "
					+ armedAt + "); cause: " + reason;
		}
	}

	/**
	 * Called when the device is opened: a record armed in another boot means that boot ended with
	 * the watchdog armed. Its cause becomes {@code last-reset.properties}, returned here.
	 */
	Optional<LastReset> takeOverFrom(String currentBootId) throws IOException {
		Optional<Properties> armed = read(armedFile());
		Optional<Properties> reason = read(reasonFile());
		Files.deleteIfExists(reasonFile());
		if (armed.isEmpty() || currentBootId.equals(armed.get().getProperty("boot"))) {
			return Optional.empty(); // a runtime restarted in this boot: no reset happened
		}
		String bootId = armed.get().getProperty("boot", "?");
		String why = reason.filter(r -> bootId.equals(r.getProperty("boot")))
				.map(r -> r.getProperty("reason") + " (recorded at " + r.getProperty("at") + ")").orElse(NO_REASON);
		LastReset last = new LastReset(bootId, armed.get().getProperty("at", "?"), why, Instant.now().toString());
		Properties p = new Properties();
		p.setProperty("boot", last.bootId());
		p.setProperty("armed", last.armedAt());
		p.setProperty("reason", last.reason());
		p.setProperty("found", last.foundAt());
		writeSynced(lastResetFile(), p);
		return Optional.of(last);
	}

	/** The last reset found at some start, if any (kept until the next one replaces it). */
	Optional<LastReset> lastReset() {
		try {
			return read(lastResetFile()).map(p -> new LastReset(p.getProperty("boot", "?"), p.getProperty("armed", "?"),
					p.getProperty("reason", "?"), p.getProperty("found", "?")));
		} catch (IOException e) {
			return Optional.empty();
		}
	}

	void armed(String bootId, String device, int timeoutSeconds) throws IOException {
		Properties p = new Properties();
		p.setProperty("boot", bootId);
		p.setProperty("at", Instant.now().toString());
		p.setProperty("device", device);
		p.setProperty("timeout", timeoutSeconds + "s");
		writeSynced(armedFile(), p);
	}

	/** Before the pings stop on purpose: on disk and synced, since the reset may come any moment. */
	void resetComing(String bootId, String reason) throws IOException {
		Properties p = new Properties();
		p.setProperty("boot", bootId);
		p.setProperty("at", Instant.now().toString());
		p.setProperty("reason", reason);
		writeSynced(reasonFile(), p);
	}

	/** Pings go on again: no reset is coming. */
	void resetCalledOff() throws IOException {
		Files.deleteIfExists(reasonFile());
	}

	/** The magic close: nothing is armed any more. */
	void disarmed() throws IOException {
		Files.deleteIfExists(reasonFile());
		Files.deleteIfExists(armedFile());
	}

	/** The kernel's id of this boot (changes at every boot). */
	static String currentBootId() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Optional<Properties> read(Path file) throws IOException {
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		Properties p = new Properties();
		p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
		return Optional.of(p);
	}

	/** Temporary file, fsync, rename, fsync of the directory: whole or absent after a reset. */
	private void writeSynced(Path file, Properties p) throws IOException {
		Files.createDirectories(dir);
		StringWriter text = new StringWriter();
		p.store(text, null);
		Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
		try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			ch.write(StandardCharsets.UTF_8.encode(text.toString()));
			ch.force(true);
		}
		Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
			d.force(true);
		}
	}
}
