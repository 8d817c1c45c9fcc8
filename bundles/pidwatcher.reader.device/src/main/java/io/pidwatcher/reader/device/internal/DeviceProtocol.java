package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parser of /dev/pidwatcher's text, protocol version 2 (kmod/README.md). Strict on purpose: the
 * header's version is checked before anything else is read, every byte must be printable ASCII or
 * a newline, every field must be well formed, and the row count must match the header. Anything
 * else is a {@link ProtocolException} naming the line, never a half-parsed snapshot.
 */
final class DeviceProtocol {

	/** The one protocol version this parser speaks. */
	static final int VERSION = 2;

	private static final String MAGIC = "pidwatcher ";
	private static final int ROW_FIELDS = 12;

	private DeviceProtocol() {
	}

	/** Parses a whole snapshot, header first. */
	static DeviceSnapshot parseSnapshot(byte[] data, int length) throws ProtocolException {
		if (length == 0) {
			throw new ProtocolException("empty snapshot (no header line)");
		}
		int headerEnd = indexOf(data, 0, length, (byte) '\n');
		if (headerEnd < 0) {
			throw new ProtocolException("header line is not terminated by a newline");
		}
		String header = ascii(data, 0, headerEnd, 1);
		checkVersion(header);
		String[] fields = header.split(" ", -1);
		if (fields.length != 6) {
			throw new ProtocolException("line 1: header has " + fields.length + " fields, expected 6: " + quote(header));
		}
		long boottime = parseUnsignedLong(keyed(fields[2], "boottime_ns", 1), "boottime_ns", 1);
		int count = parseInt(keyed(fields[3], "tasks", 1), "tasks", 1);
		String truncatedText = keyed(fields[4], "truncated", 1);
		if (!truncatedText.equals("0") && !truncatedText.equals("1")) {
			throw new ProtocolException("line 1: truncated=" + quote(truncatedText) + " is neither 0 nor 1");
		}
		String filter = keyed(fields[5], "filter", 1);
		if (!filter.equals("all") && !filter.equals("all-tagged") && !filter.startsWith("value:")) {
			throw new ProtocolException("line 1: unknown filter " + quote(filter));
		}

		List<TaskSnapshot> tasks = new ArrayList<>(count);
		List<Integer> cut = new ArrayList<>();
		int lineNo = 1;
		int start = headerEnd + 1;
		while (start < length) {
			lineNo++;
			int end = indexOf(data, start, length, (byte) '\n');
			if (end < 0) {
				throw new ProtocolException("line " + lineNo + ": row is not terminated by a newline (short read?)");
			}
			TaskSnapshot task = parseRow(ascii(data, start, end, lineNo), lineNo);
			if (task.tagValue() != null && data[indexOfValue(data, start, end)] == '~') {
				cut.add(task.pid());
			}
			tasks.add(task);
			start = end + 1;
		}
		if (tasks.size() != count) {
			throw new ProtocolException("header announces tasks=" + count + " but " + tasks.size() + " rows follow");
		}
		return new DeviceSnapshot(boottime, truncatedText.equals("1"), filter, tasks, cut);
	}

	/** The version check alone, so a caller can refuse a device before relying on anything else it says. */
	static void checkVersion(String headerLine) throws ProtocolException {
		if (!headerLine.startsWith(MAGIC)) {
			throw new ProtocolException("not a pidwatcher device: header does not start with \"pidwatcher \": "
					+ quote(headerLine.length() > 60 ? headerLine.substring(0, 60) + "..." : headerLine));
		}
		int end = headerLine.indexOf(' ', MAGIC.length());
		String version = headerLine.substring(MAGIC.length(), end < 0 ? headerLine.length() : end);
		if (!version.equals(Integer.toString(VERSION))) {
			throw new ProtocolException("unsupported device protocol version " + quote(version)
					+ "; this reader speaks version " + VERSION + " only (upgrade pidwatcher or load a matching module)");
		}
	}

	private static TaskSnapshot parseRow(String line, int lineNo) throws ProtocolException {
		String[] f = line.split(" ", -1);
		if (f.length != ROW_FIELDS) {
			throw new ProtocolException("line " + lineNo + ": row has " + f.length + " fields, expected " + ROW_FIELDS
					+ ": " + quote(line));
		}
		int pid = parseInt(f[0], "pid", lineNo);
		int ppid = parseInt(f[1], "ppid", lineNo);
		int tgid = parseInt(f[2], "tgid", lineNo);
		int threads = parseInt(f[3], "threads", lineNo);
		if (f[4].length() != 1 || "RSDTtZXI".indexOf(f[4].charAt(0)) < 0) {
			throw new ProtocolException("line " + lineNo + ": state " + quote(f[4]) + " is not a task state letter");
		}
		int uid = (int) parseUnsigned(f[5], "uid", lineNo, 0xffff_ffffL);
		long startNs = parseUnsignedLong(f[6], "start_ns", lineNo);
		long cpuNs = parseUnsignedLong(f[7], "cpu_ns", lineNo);
		long rss = parseUnsignedLong(f[8], "rss_bytes", lineNo);
		String comm = unescape(f[9], "comm", lineNo);
		Membership membership = parseMembership(f[10], lineNo);
		String value = parseValue(f[11], lineNo, true);
		if ((membership == null) != (value == null)) {
			throw new ProtocolException("line " + lineNo + ": membership " + quote(f[10]) + " and value "
					+ quote(f[11]) + " disagree (\"-\" goes with \"-\" only): " + quote(line));
		}
		// a non-member (only listed with the "all" filter) carries TAG, as TaskSnapshot documents
		return new TaskSnapshot(pid, ppid, tgid, threads, f[4].charAt(0), uid, comm, startNs, cpuNs, rss, value,
				membership == null ? Membership.TAG : membership);
	}

	/** {@code env} (the tag is in its environment), {@code fork} (inherited at fork) or {@code -} (null). */
	private static Membership parseMembership(String field, int lineNo) throws ProtocolException {
		return switch (field) {
			case "env" -> Membership.TAG;
			case "fork" -> Membership.FORK;
			case "-" -> null;
			default -> throw new ProtocolException("line " + lineNo + ": membership " + quote(field)
					+ " is none of env, fork, -");
		};
	}

	/** {@code -} (untagged, only when allowed), {@code =v} or {@code ~v}. */
	private static String parseValue(String field, int lineNo, boolean untaggedAllowed) throws ProtocolException {
		if (field.equals("-") && untaggedAllowed) {
			return null;
		}
		if (field.isEmpty() || (field.charAt(0) != '=' && field.charAt(0) != '~')) {
			throw new ProtocolException("line " + lineNo + ": value column " + quote(field)
					+ " starts with neither '=' nor '~'" + (untaggedAllowed ? " nor is '-'" : ""));
		}
		return unescape(field.substring(1), "value", lineNo);
	}

	/**
	 * Parses event-mode lines. Each read() of the device returns whole lines; a caller keeps a
	 * partial last line for the next read.
	 */
	static ExitRecord parseEvent(String line) throws ProtocolException {
		String[] f = line.split(" ", -1);
		if (f[0].equals("lost") && f.length == 2) {
			return new ExitRecord.Lost(parseUnsignedLong(f[1], "lost count", 1));
		}
		if (!f[0].equals("exit") || f.length != 6) {
			throw new ProtocolException("not an exit record: " + quote(line));
		}
		int pid = parseInt(f[1], "pid", 1);
		long start = parseUnsignedLong(f[2], "start_ns", 1);
		int code;
		try {
			code = Integer.parseInt(f[3]);
		} catch (NumberFormatException e) {
			throw new ProtocolException("exit_code " + quote(f[3]) + " is not an integer in " + quote(line));
		}
		long at = parseUnsignedLong(f[4], "boottime_ns", 1);
		String value = parseValue(f[5], 1, false);
		return new ExitRecord.Exit(pid, start, code, at, value, f[5].charAt(0) == '~');
	}

	/** Checks a byte range is printable ASCII (protocol text) and returns it as a String. */
	static String ascii(byte[] data, int from, int to, int lineNo) throws ProtocolException {
		for (int i = from; i < to; i++) {
			int b = data[i] & 0xff;
			if (b < 0x20 || b >= 0x7f) {
				throw new ProtocolException(String.format("line %d, column %d: byte 0x%02x where protocol text "
						+ "(printable ASCII) was expected: the device output is garbled", lineNo, i - from + 1, b));
			}
		}
		return new String(data, from, to - from, StandardCharsets.US_ASCII);
	}

	/** Reverses the module's escaping: every byte &lt;= 0x20, 0x7f, &gt;= 0x80 and '\' as \xHH. */
	static String unescape(String field, String what, int lineNo) throws ProtocolException {
		if (field.indexOf('\\') < 0) {
			return field;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
		for (int i = 0; i < field.length(); i++) {
			char c = field.charAt(i);
			if (c != '\\') {
				out.write(c);
				continue;
			}
			if (i + 3 >= field.length() || field.charAt(i + 1) != 'x') {
				throw new ProtocolException("line " + lineNo + ": bad escape in " + what + " " + quote(field)
						+ " (only \\xHH is defined)");
			}
			int hi = Character.digit(field.charAt(i + 2), 16);
			int lo = Character.digit(field.charAt(i + 3), 16);
			if (hi < 0 || lo < 0) {
				throw new ProtocolException("line " + lineNo + ": bad escape in " + what + " " + quote(field)
						+ " (\\x must be followed by two hex digits)");
			}
			out.write(hi << 4 | lo);
			i += 3;
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	/** Escapes a value the way the module does, for "value" filter commands that need no escaping but for tests. */
	static String escape(byte[] raw) {
		StringBuilder s = new StringBuilder(raw.length);
		for (byte b : raw) {
			int c = b & 0xff;
			if (c <= 0x20 || c >= 0x7f || c == '\\') {
				s.append(String.format("\\x%02x", c));
			} else {
				s.append((char) c);
			}
		}
		return s.toString();
	}

	private static String keyed(String field, String key, int lineNo) throws ProtocolException {
		if (!field.startsWith(key + "=")) {
			throw new ProtocolException("line " + lineNo + ": expected " + key + "=..., found " + quote(field));
		}
		return field.substring(key.length() + 1);
	}

	private static int parseInt(String text, String what, int lineNo) throws ProtocolException {
		return (int) parseUnsigned(text, what, lineNo, Integer.MAX_VALUE);
	}

	private static long parseUnsignedLong(String text, String what, int lineNo) throws ProtocolException {
		if (text.isEmpty() || text.length() > 20 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
			throw new ProtocolException("line " + lineNo + ": " + what + " " + quote(text) + " is not an unsigned number");
		}
		try {
			return Long.parseUnsignedLong(text);
		} catch (NumberFormatException e) {
			throw new ProtocolException("line " + lineNo + ": " + what + " " + quote(text) + " does not fit 64 bits");
		}
	}

	private static long parseUnsigned(String text, String what, int lineNo, long max) throws ProtocolException {
		long v = parseUnsignedLong(text, what, lineNo);
		if (v < 0 || v > max) {
			throw new ProtocolException("line " + lineNo + ": " + what + " " + text + " is out of range");
		}
		return v;
	}

	private static int indexOf(byte[] data, int from, int to, byte b) {
		for (int i = from; i < to; i++) {
			if (data[i] == b) {
				return i;
			}
		}
		return -1;
	}

	/** Index of the first byte of the value column (after the 11th space) in a row. */
	private static int indexOfValue(byte[] data, int from, int to) {
		int spaces = 0;
		for (int i = from; i < to; i++) {
			if (data[i] == ' ' && ++spaces == ROW_FIELDS - 1) {
				return i + 1;
			}
		}
		return from;
	}

	private static String quote(String s) {
		return "\"" + s + "\"";
	}
}
