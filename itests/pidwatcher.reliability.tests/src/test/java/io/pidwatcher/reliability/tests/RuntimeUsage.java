package io.pidwatcher.reliability.tests;

import io.pidwatcher.testing.ExportedRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The runtime JVM's cost over time, from outside: CPU (utime + stime of /proc/PID/stat), RSS
 * (VmRSS), threads, and the reader's scan cost as the control socket's {@code source} verb reports
 * it (the text of pw:source), and the committed and used heap (jcmd). The scan cost is read every second (it is the last scan's only),
 * the rest every {@code rowMillis}; each row summarizes the scans seen in its window.
 */
final class RuntimeUsage implements Runnable {

	/** One row of the table: a window of {@code rowMillis}. */
	record Row(double atSeconds, double cpuPercent, long rssKib, long heapCommittedKib, long heapUsedKib, int threads, int scansSeen, double scanMsMedian,
			double scanMsMax, int processesExamined, double scanMicrosPerProcess, int processesOnMachine, String load) {
	}

	private static final Pattern LAST_SCAN = Pattern.compile("last scan  ([0-9.]+) ms, ([0-9]+) processes examined");

	private final ExportedRuntime runtime;
	private final long pid;
	private final long rowMillis;
	private final long ticksPerSecond;
	private final List<Row> rows = java.util.Collections.synchronizedList(new ArrayList<>());
	private volatile boolean stopped;
	private volatile String lastSourceAnswer = "";

	RuntimeUsage(ExportedRuntime runtime, long pid, long rowMillis, long ticksPerSecond) {
		this.runtime = runtime;
		this.pid = pid;
		this.rowMillis = rowMillis;
		this.ticksPerSecond = ticksPerSecond;
	}

	@Override
	public void run() {
		long begin = System.nanoTime();
		long windowStart = begin;
		long ticksAtStart = cpuTicks();
		List<double[]> scans = new ArrayList<>(); // {ms, processes}
		double lastMs = -1;
		while (!stopped) {
			try {
				Thread.sleep(1000);
			} catch (InterruptedException e) {
				return;
			}
			double[] scan = lastScan();
			// the same figures twice in a row are most likely the same scan, seen again
			if (scan != null && scan[0] != lastMs) {
				scans.add(scan);
				lastMs = scan[0];
			}
			long now = System.nanoTime();
			if (now - windowStart >= rowMillis * 1_000_000L) {
				long ticks = cpuTicks();
				double cpu = 100.0 * (ticks - ticksAtStart) / ticksPerSecond / ((now - windowStart) / 1e9);
				double[] ms = scans.stream().mapToDouble(s -> s[0]).sorted().toArray();
				int examined = scans.isEmpty() ? 0 : (int) scans.get(scans.size() - 1)[1];
				double median = ms.length == 0 ? 0 : ms[ms.length / 2];
				long[] heap = heap();
				rows.add(new Row((now - begin) / 1e9, cpu, status("VmRSS"), heap[0], heap[1], (int) status("Threads"), ms.length, median,
						ms.length == 0 ? 0 : ms[ms.length - 1], examined, examined == 0 ? 0 : median * 1000 / examined,
						processesOnMachine(), load()));
				System.out.println("SOAK usage " + format(rows.get(rows.size() - 1)));
				scans.clear();
				windowStart = now;
				ticksAtStart = ticks;
			}
		}
	}

	void stop() {
		stopped = true;
	}

	List<Row> rows() {
		synchronized (rows) {
			return List.copyOf(rows);
		}
	}

	String lastSourceAnswer() {
		return lastSourceAnswer;
	}

	static String header() {
		return String.format("%7s %6s %9s %9s %9s %7s %5s %9s %9s %9s %10s %7s  %s", "t(s)", "CPU%", "RSS(MiB)",
				"heap(MiB)", "used(MiB)", "threads", "scans", "scan(ms)", "max(ms)", "examined", "us/process", "procs", "load");
	}

	static String format(Row r) {
		return String.format("%7.0f %6.1f %9.1f %9.1f %9.1f %7d %5d %9.1f %9.1f %9d %10.1f %7d  %s", r.atSeconds(),
				r.cpuPercent(), r.rssKib() / 1024.0, r.heapCommittedKib() / 1024.0, r.heapUsedKib() / 1024.0, r.threads(), r.scansSeen(), r.scanMsMedian(), r.scanMsMax(), r.processesExamined(),
				r.scanMicrosPerProcess(), r.processesOnMachine(), r.load());
	}

	/** {ms, processes examined} of the reader's last scan, or null when the runtime does not say. */
	private double[] lastScan() {
		try {
			ExportedRuntime.Result r = runtime.request("source");
			lastSourceAnswer = r.out();
			Matcher m = LAST_SCAN.matcher(r.out());
			return r.status() == 0 && m.find() ? new double[] { Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2)) }
					: null;
		} catch (IOException | RuntimeException e) {
			return null;
		}
	}

	private static final Pattern HEAP = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");

	/**
	 * {committed, used} heap of the runtime JVM in KiB (jcmd GC.heap_info): RSS that grows with the
	 * committed heap is the collector sizing its heap, not memory the runtime holds on to.
	 */
	private long[] heap() {
		try {
			Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
			String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			p.waitFor();
			Matcher m = HEAP.matcher(out);
			return m.find() ? new long[] { Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) } : new long[2];
		} catch (IOException e) {
			return new long[2];
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return new long[2];
		}
	}

	/** utime + stime of the runtime JVM, all its threads, in clock ticks. */
	long cpuTicks() {
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(f[11]) + Long.parseLong(f[12]);
		} catch (IOException e) {
			return 0;
		}
	}

	/** A number from /proc/PID/status (VmRSS in KiB, Threads). */
	long status(String key) {
		try {
			return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
					.filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).trim().split("\\s+")[0])
					.mapToLong(Long::parseLong).findFirst().orElse(0);
		} catch (IOException e) {
			return 0;
		}
	}

	static int processesOnMachine() {
		try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
			return (int) dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
		} catch (IOException e) {
			return -1;
		}
	}

	private static String load() {
		try {
			String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return f[0] + " " + f[1];
		} catch (IOException e) {
			return "?";
		}
	}
}
