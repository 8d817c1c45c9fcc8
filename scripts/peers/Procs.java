import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the harness reads from /proc, and nothing else: every observation of the benchmark comes
 * from here, never from a tool's own account of what it did.
 */
final class Procs {

	static final long CLK_TCK = 100; // USER_HZ

	/** The fields of /proc/PID/stat the harness uses. */
	record Stat(int pid, String comm, char state, int ppid, long cpuTicks, long startTicks) {
	}

	private Procs() {
	}

	static List<Integer> pids() {
		List<Integer> pids = new ArrayList<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path d : dirs) {
				pids.add(Integer.parseInt(d.getFileName().toString()));
			}
		} catch (IOException e) {
			throw new IllegalStateException("cannot list /proc", e);
		}
		return pids;
	}

	static Optional<Stat> stat(int pid) {
		try {
			String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
			int open = s.indexOf('('), close = s.lastIndexOf(')');
			String[] f = s.substring(close + 2).split(" ");
			return Optional.of(new Stat(pid, s.substring(open + 1, close), f[0].charAt(0), Integer.parseInt(f[1]),
					Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])));
		} catch (IOException | RuntimeException e) {
			return Optional.empty(); // gone
		}
	}

	/** The command line with NULs as spaces; empty for a gone process or a kernel thread. */
	static String cmdline(int pid) {
		try {
			byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
			for (int i = 0; i < b.length; i++) {
				if (b[i] == 0) {
					b[i] = ' ';
				}
			}
			return new String(b, StandardCharsets.UTF_8);
		} catch (IOException e) {
			return "";
		}
	}

	/** The pid most recently handed out in our pid namespace: new processes are those after it. */
	static int lastPid() {
		return sysctl("ns_last_pid");
	}

	static int pidMax() {
		return sysctl("pid_max");
	}

	/**
	 * A /proc/sys/kernel integer, read in one read(2): these files answer a read at a non-zero
	 * offset with end of file, and Files.readString of a size-0 file reads one byte first.
	 */
	private static int sysctl(String name) {
		try (var in = new java.io.FileInputStream("/proc/sys/kernel/" + name)) {
			byte[] b = new byte[64];
			int n = in.read(b);
			return Integer.parseInt(new String(b, 0, n, StandardCharsets.US_ASCII).trim());
		} catch (IOException | RuntimeException e) {
			throw new IllegalStateException("cannot read /proc/sys/kernel/" + name, e);
		}
	}

	/** Live (not zombie) processes whose command line contains {@code marker}. */
	static List<Stat> withMarker(String marker) {
		List<Stat> out = new ArrayList<>();
		for (int pid : pids()) {
			if (cmdline(pid).contains(marker)) {
				stat(pid).filter(s -> s.state() != 'Z').ifPresent(out::add);
			}
		}
		return out;
	}

	/** Every process's stat, by pid. */
	static Map<Integer, Stat> table() {
		Map<Integer, Stat> table = new HashMap<>();
		for (int pid : pids()) {
			stat(pid).ifPresent(s -> table.put(pid, s));
		}
		return table;
	}

	/** {@code root} and its descendants whose comm is one of {@code comms}. */
	static List<Integer> descendants(long root, List<String> comms) {
		Map<Integer, Stat> table = table();
		List<Integer> out = new ArrayList<>();
		for (Stat s : table.values()) {
			if (!comms.contains(s.comm())) {
				continue;
			}
			for (Stat a = s; a != null; a = a.ppid() > 0 ? table.get(a.ppid()) : null) {
				if (a.pid() == root) {
					out.add(s.pid());
					break;
				}
			}
		}
		return out;
	}

	static long cpuTicks(List<Integer> pids) {
		return pids.stream().mapToLong(p -> stat(p).map(Stat::cpuTicks).orElse(0L)).sum();
	}

	/** Resident set size of these processes, summed, in kB ({@code key} VmRSS from status or Pss from smaps_rollup). */
	static long memoryKb(List<Integer> pids, String file, String key) {
		long kb = 0;
		for (int pid : pids) {
			try {
				for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/" + file))) {
					if (line.startsWith(key + ":")) {
						kb += Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
						break;
					}
				}
			} catch (IOException | RuntimeException e) {
				// gone
			}
		}
		return kb;
	}

	static void kill9(int pid) {
		ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
	}
}
