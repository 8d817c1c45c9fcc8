package io.pidwatcher.logwriter.internal;

import io.pidwatcher.api.supervisor.RuntimeHome;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Felix's log service keeps entries in memory only. This puts them where an operator looks:
 * warnings on the console (a rejected config must not go unnoticed) and everything from INFO up
 * in a file under the home.
 */
@Component(immediate = true, configurationPid = "pidwatcher.log")
@Designate(ocd = LogWriterConfig.class)
public final class LogWriter implements LogListener {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
			.withZone(ZoneId.systemDefault());

	@Reference
	private LogReaderService logReader;

	@Reference
	private RuntimeHome home;

	@Reference
	private LoggerAdmin loggerAdmin;

	private final PrintStream console = System.err;
	private LogLevel consoleLevel;
	private LogLevel fileLevel;
	private Path logFile;
	private OutputStream stream;
	private Writer file;
	/** Lines not written since the file stopped taking them (a full disk); -1 while it takes them. */
	private long lostLines = -1;

	@Activate
	void activate(LogWriterConfig config) {
		consoleLevel = level(config.consoleLevel(), LogLevel.WARN);
		fileLevel = level(config.fileLevel(), LogLevel.INFO);
		logFile = home.var().resolve("log").resolve("pidwatcher.log");
		// No open here: on a read-only var/ an exception here left the component inactive, and with
		// it the console, so the runtime said nothing at all. write() opens the file and says once
		// when it cannot.
		try {
			Files.createDirectories(logFile.getParent());
		} catch (IOException e) {
			// said by the first write()
		}
		// OSGi loggers default to WARN; lower the root so INFO (e.g. config changes) reaches the file.
		loggerAdmin.getLoggerContext(null).setLogLevels(Map.of(org.osgi.service.log.Logger.ROOT_LOGGER_NAME, LogLevel.INFO));
		logReader.addLogListener(this);
		// Entries logged before this listener existed (start-up) are kept by the log service.
		List<LogEntry> earlier = Collections.list(logReader.getLog());
		Collections.reverse(earlier);
		earlier.forEach(this::logged);
	}

	@Deactivate
	void deactivate() {
		logReader.removeLogListener(this);
		synchronized (this) {
			close();
		}
	}

	private void open() throws IOException {
		stream = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		file = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
	}

	/** Closes the stream itself too: a writer whose last flush fails (a full disk) leaves it open. */
	private void close() {
		try {
			if (file != null) {
				file.close();
			}
		} catch (IOException e) {
			// the stream is closed below
		}
		try {
			if (stream != null) {
				stream.close();
			}
		} catch (IOException e) {
			// nothing left to do
		}
		file = null;
		stream = null;
	}

	/**
	 * Writes one line. A file that cannot be written (a full disk) is said once on the console, not
	 * once per line, and reopened for each later line (a writer that failed may hold half a line
	 * in its buffer); when it takes lines again, it says how many were lost.
	 */
	private void write(String line) {
		try {
			if (file == null) {
				open();
			}
			if (lostLines > 0) {
				file.write(TIME.format(Instant.now()) + " WARN [pidwatcher.logwriter] " + lostLines
						+ " lines were lost while this file could not be written\n");
			}
			file.write(line);
			file.write('\n');
			file.flush();
			if (lostLines >= 0) {
				console.println("pidwatcher: the log file " + logFile + " is written again (" + lostLines + " lines lost)");
				lostLines = -1;
			}
		} catch (IOException e) {
			close();
			if (lostLines < 0) {
				console.println("pidwatcher: cannot write the log file " + logFile + ": " + e.getMessage()
						+ "; its lines are lost (warnings still show here) until it can be written again");
				lostLines = 0;
			}
			lostLines++;
		}
	}

	@Override
	public void logged(LogEntry entry) {
		LogLevel level = entry.getLogLevel();
		String bundle = entry.getBundle() == null ? "-" : entry.getBundle().getSymbolicName();
		String line = TIME.format(Instant.ofEpochMilli(entry.getTime())) + " " + level + " [" + bundle + "] "
				+ entry.getMessage() + (entry.getException() == null ? "" : " (" + entry.getException() + ")");
		if (bundle.startsWith("pidwatcher.") && consoleLevel.implies(level)) {
			console.println("pidwatcher: " + level + " " + entry.getMessage());
		}
		// The framework logs every bundle and service event at INFO; only failures among them matter.
		boolean frameworkEvent = entry.getLoggerName() != null && entry.getLoggerName().startsWith("Events.");
		if (fileLevel.implies(level) && (!frameworkEvent || LogLevel.WARN.implies(level))) {
			synchronized (this) {
				write(line);
			}
		}
	}

	private static LogLevel level(String name, LogLevel fallback) {
		try {
			return LogLevel.valueOf(name.trim().toUpperCase());
		} catch (IllegalArgumentException e) {
			return fallback;
		}
	}
}
