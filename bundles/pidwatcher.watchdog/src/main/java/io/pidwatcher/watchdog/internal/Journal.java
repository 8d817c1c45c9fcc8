package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.JournalEntry;

import java.io.IOException;
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
	private final Path file;
	private Writer out;
	private String lastError;

	Journal(Path file, int capacity) {
		this.file = file;
		this.capacity = capacity;
	}

	synchronized void add(JournalEntry entry) {
		if (ring.size() == capacity) {
			ring.removeFirst();
		}
		ring.addLast(entry);
		if (file != null) {
			write(entry);
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
	synchronized String lastError() {
		return lastError;
	}

	synchronized void close() {
		if (out != null) {
			try {
				out.close();
			} catch (IOException e) {
				// nothing left to do
			}
			out = null;
		}
	}

	private void write(JournalEntry e) {
		try {
			if (out == null) {
				Files.createDirectories(file.getParent());
				if (Files.exists(file) && Files.size(file) > MAX_FILE_BYTES) {
					Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
				}
				out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
						StandardOpenOption.APPEND);
			}
			out.write(toJson(e));
			out.write('\n');
			out.flush();
			if (Files.size(file) > MAX_FILE_BYTES) {
				close();
			}
			lastError = null;
		} catch (IOException ex) {
			lastError = ex.toString();
			close();
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
