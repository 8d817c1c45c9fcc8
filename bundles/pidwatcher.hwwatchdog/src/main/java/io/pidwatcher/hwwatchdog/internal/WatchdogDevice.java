package io.pidwatcher.hwwatchdog.internal;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An open watchdog device. Once open, the machine resets unless {@link #keepAlive()} is called
 * within the timeout, or the device is closed with the magic 'V' ({@link #magicClose()}). A
 * process that dies holding it closes it without the magic, and the reset still comes: that is
 * the point.
 */
final class WatchdogDevice {

	private static final byte[] MAGIC = "V".getBytes(StandardCharsets.US_ASCII);

	private final String path;
	private final int fd;
	private final int timeoutSeconds;

	private WatchdogDevice(String path, int fd, int timeoutSeconds) {
		this.path = path;
		this.fd = fd;
		this.timeoutSeconds = timeoutSeconds;
	}

	/**
	 * Opens {@code path} and sets its timeout; the exception's message names the device and says
	 * what is wrong in a user's words (missing driver, held by another owner, not a watchdog).
	 */
	static WatchdogDevice open(String path, int timeoutSeconds) throws IOException {
		int fd;
		try {
			fd = LibC.INSTANCE.open(path, LibC.O_WRONLY | LibC.O_CLOEXEC);
		} catch (LastErrorException e) {
			throw new IOException(switch (e.getErrorCode()) {
				case LibC.ENOENT -> "no watchdog device " + path + " (is a watchdog driver loaded: softdog, iTCO_wdt, "
						+ "a board's own? check device= in etc/pidwatcher.hwwatchdog.cfg)";
				case LibC.EBUSY -> path + " is already held by another owner (systemd's RuntimeWatchdogSec= in "
						+ "/etc/systemd/system.conf, or a watchdog daemon): leaving it to that owner, pidwatcher does not feed it";
				case LibC.EACCES -> "no permission to open " + path + " (the runtime needs root, or the device's group)";
				default -> "cannot open " + path + ": " + LibC.INSTANCE.strerror(e.getErrorCode());
			}, e);
		}
		int[] timeout = { timeoutSeconds };
		try {
			LibC.INSTANCE.ioctl(fd, LibC.WDIOC_SETTIMEOUT, timeout);
		} catch (LastErrorException e) {
			int errno = e.getErrorCode();
			// Close with the magic: a driver that opened has armed itself, and must not reset for our mistake.
			closeWithMagic(fd);
			throw new IOException(errno == LibC.ENOTTY
					? path + " is not a watchdog device (it does not understand WDIOC_SETTIMEOUT)"
					: path + " refuses a timeout of " + timeoutSeconds + " s: " + LibC.INSTANCE.strerror(errno), e);
		}
		return new WatchdogDevice(path, fd, timeout[0]);
	}

	String path() {
		return path;
	}

	/** The timeout the driver set (it may round the one asked for). */
	int timeoutSeconds() {
		return timeoutSeconds;
	}

	void keepAlive() throws IOException {
		try {
			LibC.INSTANCE.ioctl(fd, LibC.WDIOC_KEEPALIVE, new int[1]);
		} catch (LastErrorException e) {
			throw new IOException("cannot ping " + path + ": " + LibC.INSTANCE.strerror(e.getErrorCode()), e);
		}
	}

	/** The clean stop: 'V', then close; the driver disarms (unless built with nowayout). */
	void magicClose() {
		closeWithMagic(fd);
	}

	private static void closeWithMagic(int fd) {
		try {
			LibC.INSTANCE.write(fd, MAGIC, MAGIC.length);
		} catch (LastErrorException e) {
			// closing is all that is left to do
		}
		try {
			LibC.INSTANCE.close(fd);
		} catch (LastErrorException e) {
			// gone either way
		}
	}
}
