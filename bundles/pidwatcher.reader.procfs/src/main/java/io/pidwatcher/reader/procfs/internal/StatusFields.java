package io.pidwatcher.reader.procfs.internal;

/**
 * The fields of /proc/&lt;pid&gt;/status that stat lacks: the real uid, the thread group id and
 * resident memory. Kernel threads and zombies have no VmRSS line; their RSS is 0.
 */
record StatusFields(int realUid, int tgid, long rssBytes) {

	static StatusFields parse(byte[] buf, int len) {
		int uid = -1, tgid = -1;
		long rssKb = 0;
		int line = 0;
		while (line < len) {
			int end = line;
			while (end < len && buf[end] != '\n') {
				end++;
			}
			if (startsWith(buf, line, end, "Uid:")) {
				uid = (int) firstNumber(buf, line + 4, end);
			} else if (startsWith(buf, line, end, "Tgid:")) {
				tgid = (int) firstNumber(buf, line + 5, end);
			} else if (startsWith(buf, line, end, "VmRSS:")) {
				rssKb = firstNumber(buf, line + 6, end);
			}
			line = end + 1;
		}
		if (uid < 0) {
			throw new IllegalArgumentException("status has no Uid line");
		}
		return new StatusFields(uid, tgid, rssKb * 1024);
	}

	private static boolean startsWith(byte[] buf, int from, int to, String key) {
		if (to - from < key.length()) {
			return false;
		}
		for (int i = 0; i < key.length(); i++) {
			if (buf[from + i] != key.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static long firstNumber(byte[] buf, int from, int to) {
		int i = from;
		while (i < to && (buf[i] < '0' || buf[i] > '9')) {
			i++;
		}
		long value = 0;
		while (i < to && buf[i] >= '0' && buf[i] <= '9') {
			value = value * 10 + (buf[i++] - '0');
		}
		return value;
	}
}
