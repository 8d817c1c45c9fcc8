package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.JournalEntry;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Every state change of every module: a bounded ring in memory for pw:events, and a JSON-lines
 * file ({@code var/watchdog/journal.jsonl}, one object per line, rotated to {@code .1} past a
 * size) that outlives the runtime. The file is written line by line and flushed, so a kill -9 loses
 * at most the line being written.
 */
final class Journal {

	private static final long MAX_FILE_BYTES = 4L << 20;

	private final Deque<JournalEntry> ring = new ArrayDeque<>();
	private final int capacity;
	/** Entries kept for the file while it cannot be written; beyond this many the oldest are lost. */
	private static final int MAX_UNWRITTEN = 10_000;

	private final Path file;
	private final WriteTrouble trouble;
	/**
	 * Where the file is written: the watchdog's recorder thread, so no file I/O happens under the
	 * lock that exit events need (a test's journal writes at once, on the caller's thread).
	 */
	private final Executor writer;
	/** Guards the file and the fields below it; taken without this object's monitor held. */
	private final Object fileLock = new Object();
	private boolean writeScheduled;
	private Writer out;
	private OutputStream stream;
	private String lastError;
	private final Deque<JournalEntry> unwritten = new ArrayDeque<>();
	private boolean failing;
	private long lostWhileFailing;
	private long lateWhileFailing;

	Journal(Path file, int capacity) {
		this(file, capacity, WriteTrouble.SILENT, Runnable::run);
	}

	Journal(Path file, int capacity, WriteTrouble trouble, Executor writer) {
		this.file = file;
		this.capacity = capacity;
		this.trouble = trouble;
		this.writer = writer;
	}

	/**
	 * Fills the ring with the last entries of the file, so pw:events shows what happened before
	 * the runtime restarted. Lines it cannot read (a line cut by kill -9) are skipped.
	 */
	synchronized void loadTail() {
		if (file == null || !Files.isRegularFile(file)) {
			return;
		}
		try {
			List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
			for (String line : lines.subList(Math.max(0, lines.size() - capacity), lines.size())) {
				JournalEntry e = fromJson(line);
				if (e != null) {
					if (ring.size() == capacity) {
						ring.removeFirst();
					}
					ring.addLast(e);
				}
			}
		} catch (IOException | RuntimeException e) {
			lastError = e.toString();
		}
	}

	private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
			"\\{\"at\":\"([^\"]+)\",\"module\":(\"(?:[^\"\\\\]|\\\\.)*\"),\"instance\":(\"(?:[^\"\\\\]|\\\\.)*\"),"
					+ "\"from\":\"([a-z ]+)\",\"to\":\"([a-z ]+)\",\"reason\":(\"(?:[^\"\\\\]|\\\\.)*\")\\}");

	/** Reads back a line written by {@link #toJson}; null when it is not one. */
	static JournalEntry fromJson(String line) {
		java.util.regex.Matcher m = LINE.matcher(line.trim());
		if (!m.matches()) {
			return null;
		}
		return new JournalEntry(java.time.Instant.parse(m.group(1)), unquote(m.group(2)), unquote(m.group(3)),
				state(m.group(4)), state(m.group(5)), unquote(m.group(6)));
	}

	private static io.pidwatcher.api.supervisor.ModuleState state(String label) {
		return io.pidwatcher.api.supervisor.ModuleState.valueOf(label.toUpperCase().replace(' ', '_'));
	}

	private static String unquote(String quoted) {
		StringBuilder b = new StringBuilder();
		for (int i = 1; i < quoted.length() - 1; i++) {
			char c = quoted.charAt(i);
			if (c != '\\') {
				b.append(c);
				continue;
			}
			char n = quoted.charAt(++i);
			switch (n) {
				case 'n' -> b.append('\n');
				case 'r' -> b.append('\r');
				case 't' -> b.append('\t');
				case 'u' -> {
					b.append((char) Integer.parseInt(quoted.substring(i + 1, i + 5), 16));
					i += 4;
				}
				default -> b.append(n);
			}
		}
		return b.toString();
	}

	synchronized void add(JournalEntry entry) {
		if (ring.size() == capacity) {
			ring.removeFirst();
		}
		ring.addLast(entry);
		if (file != null) {
			if (unwritten.size() == MAX_UNWRITTEN) {
				unwritten.removeFirst();
				lostWhileFailing++;
			}
			unwritten.addLast(entry);
			if (!writeScheduled) {
				writeScheduled = true;
				writer.execute(this::flush);
			}
		}
	}

	/** Writes the entries that could not be written before (the disk was full), in order. */
	void retry() {
		flush();
	}

	/** Writes every entry not written yet, in order, on the calling thread. */
	void flush() {
		synchronized (this) {
			writeScheduled = false;
			if (file == null || unwritten.isEmpty()) {
				return;
			}
		}
		synchronized (fileLock) {
			writeUnwritten();
		}
	}

	synchronized List<JournalEntry> recent(String module, int limit) {
		List<JournalEntry> out = new ArrayList<>();
		var it = ring.descendingIterator();
		while (it.hasNext() && out.size() < limit) {
			JournalEntry e = it.next();
			if (module == null || module.equals(e.module())) {
				out.add(0, e);
			}
		}
		return out;
	}

	/** Why the file could not be written last time, or null. */
	String lastError() {
		synchronized (fileLock) {
			return lastError;
		}
	}

	/** Writes what is pending, then closes the file. */
	void close() {
		flush();
		synchronized (fileLock) {
			closeFile();
		}
	}

	private void closeFile() {
		if (out != null) {
			try {
				out.close();
			} catch (IOException e) {
				// nothing left to do
			}
			out = null;
		}
		if (stream != null) {
			// The writer does not close its stream when its last flush fails (a full disk): this does.
			try {
				stream.close();
			} catch (IOException e) {
				// nothing left to do
			}
			stream = null;
		}
	}

	/** Called with {@link #fileLock} held, never with this object's monitor: the monitor is taken per entry. */
	private void writeUnwritten() {
		while (true) {
			JournalEntry next;
			synchronized (this) {
				next = unwritten.peekFirst();
			}
			if (next == null) {
				break;
			}
			if (!write(next)) {
				if (!failing) {
					failing = true;
					trouble.cannotWrite("the journal", file, new IOException(lastError), "its entries are kept in memory "
							+ "(pidwatcher events shows them) and written when it can be written again");
				}
				return;
			}
			synchronized (this) {
				if (unwritten.peekFirst() == next) {
					unwritten.removeFirst();
				}
			}
			if (failing) {
				lateWhileFailing++;
			}
		}
		if (failing) {
			failing = false;
			long lost;
			synchronized (this) {
				lost = lostWhileFailing;
				lostWhileFailing = 0;
			}
			trouble.writtenAgain("the journal", file, ": " + lateWhileFailing + " entries written late, " + lost + " lost");
			lateWhileFailing = 0;
		}
	}

	private boolean write(JournalEntry e) {
		try {
			if (out == null) {
				Files.createDirectories(file.getParent());
				if (Files.exists(file) && Files.size(file) > MAX_FILE_BYTES) {
					Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
				}
				boolean cut = endsWithoutNewline(file);
				stream = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
				out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
				if (cut) {
					out.write('\n'); // a line cut by kill -9 stays alone, unreadable, instead of spoiling ours
				}
			}
			out.write(toJson(e));
			out.write('\n');
			out.flush();
			if (Files.size(file) > MAX_FILE_BYTES) {
				closeFile();
			}
			lastError = null;
			return true;
		} catch (IOException ex) {
			lastError = ex.getMessage() == null ? ex.toString() : ex.getMessage();
			closeFile();
			return false;
		}
	}

	private static boolean endsWithoutNewline(Path file) throws IOException {
		if (!Files.exists(file) || Files.size(file) == 0) {
			return false;
		}
		try (var c = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
			java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
			c.read(last, c.size() - 1);
			return last.get(0) != '\n';
		}
	}

	static String toJson(JournalEntry e) {
		return "{\"at\":\"" + e.at() + "\",\"module\":" + quote(e.module()) + ",\"instance\":" + quote(e.instance())
				+ ",\"from\":\"" + e.from().label() + "\",\"to\":\"" + e.to().label() + "\",\"reason\":"
				+ quote(e.reason()) + "}";
	}

	static String quote(String s) {
		StringBuilder b = new StringBuilder("\"");
		for (char c : (s == null ? "" : s).toCharArray()) {
			switch (c) {
				case '"' -> b.append("\\\"");
				case '\\' -> b.append("\\\\");
				case '\n' -> b.append("\\n");
				case '\r' -> b.append("\\r");
				case '\t' -> b.append("\\t");
				default -> {
					if (c < 0x20) {
						b.append(String.format("\\u%04x", (int) c));
					} else {
						b.append(c);
					}
				}
			}
		}
		return b.append('"').toString();
	}
}
