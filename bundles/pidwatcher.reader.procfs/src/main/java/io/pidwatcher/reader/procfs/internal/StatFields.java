package io.pidwatcher.reader.procfs.internal;

import java.nio.charset.StandardCharsets;

/**
 * The fields of /proc/&lt;pid&gt;/stat that pidwatcher uses. The command name sits in parentheses
 * and may itself contain spaces and ')', so parsing starts from the last ')'.
 */
record StatFields(String comm, char state, int ppid, long utimeTicks, long stimeTicks, int threads,
		long startTicks, long rssPages) {

	/** Field numbers as proc(5) counts them, from 1. */
	private static final int STATE = 3, PPID = 4, UTIME = 14, STIME = 15, NUM_THREADS = 20, STARTTIME = 22, RSS = 24;

	static StatFields parse(byte[] buf, int len) {
		int open = indexOf(buf, len, (byte) '(');
		int close = lastIndexOf(buf, len, (byte) ')');
		if (open < 0 || close < open) {
			throw new IllegalArgumentException("no (comm) in stat line");
		}
		String comm = new String(buf, open + 1, close - open - 1, StandardCharsets.UTF_8);
		long[] fields = new long[RSS + 1];
		char state = '?';
		int field = 3;
		int i = close + 2;
		while (i < len && field <= RSS) {
			int start = i;
			while (i < len && buf[i] != ' ' && buf[i] != '\n') {
				i++;
			}
			if (field == STATE) {
				state = (char) buf[start];
			} else {
				fields[field] = parseLong(buf, start, i);
			}
			field++;
			i++;
		}
		if (field <= RSS) {
			throw new IllegalArgumentException("stat line has only " + (field - 1) + " fields");
		}
		return new StatFields(comm, state, (int) fields[PPID], fields[UTIME], fields[STIME],
				(int) fields[NUM_THREADS], fields[STARTTIME], fields[RSS]);
	}

	private static long parseLong(byte[] buf, int from, int to) {
		boolean negative = from < to && buf[from] == '-';
		long value = 0;
		for (int i = negative ? from + 1 : from; i < to; i++) {
			value = value * 10 + (buf[i] - '0');
		}
		return negative ? -value : value;
	}

	private static int indexOf(byte[] buf, int len, byte b) {
		for (int i = 0; i < len; i++) {
			if (buf[i] == b) {
				return i;
			}
		}
		return -1;
	}

	private static int lastIndexOf(byte[] buf, int len, byte b) {
		for (int i = len - 1; i >= 0; i--) {
			if (buf[i] == b) {
				return i;
			}
		}
		return -1;
	}
}
