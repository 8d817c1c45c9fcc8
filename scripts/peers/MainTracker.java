import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds each program's main process as it appears, cheaply enough to poll every 50 µs with
 * thousands of processes on the machine: only pids handed out since the last poll
 * (/proc/sys/kernel/ns_last_pid) are read, plus the few that were forked but had not yet exec'd.
 *
 * A main process is a pwtest carrying a program's token whose parent is not a pwtest with the
 * same token (that would be one of its children). It is "seen" when it has exec'd pwtest, the
 * moment the program runs again, whatever the tool did before (a shell, setsid, jspawnhelper).
 */
final class MainTracker {

	/** A newly seen main process and when the harness saw it. */
	record Main(int pid, long seenNanos, long startTicks) {
	}

	private static final long PENDING_NANOS = 3_000_000_000L;

	private final Map<String, String> programByToken = new HashMap<>();
	private final Map<String, Main> mains = new HashMap<>();
	private final Map<Integer, Long> pending = new HashMap<>(); // forked, not yet pwtest: pid -> first seen
	private final int pidMax = Procs.pidMax();
	private int lastPid;

	MainTracker(List<Program> programs) {
		programs.forEach(p -> programByToken.put(p.token(), p.name()));
		lastPid = Procs.lastPid();
		// the mains already running
		for (int pid : Procs.pids()) {
			consider(pid, System.nanoTime());
		}
	}

	/** The latest main process seen for the program, or null. */
	Main main(String program) {
		return mains.get(program);
	}

	int pendingCount() {
		return pending.size();
	}

	/** Reads the pids handed out since the last poll, and those still pending. */
	void poll() {
		long now = System.nanoTime();
		int last = Procs.lastPid();
		for (Iterator<Map.Entry<Integer, Long>> it = pending.entrySet().iterator(); it.hasNext();) {
			Map.Entry<Integer, Long> e = it.next();
			if (consider(e.getKey(), now) || now - e.getValue() > PENDING_NANOS) {
				it.remove();
			}
		}
		for (int pid = lastPid, steps = 0; pid != last && steps < pidMax; steps++) {
			pid = pid + 1 >= pidMax ? 300 : pid + 1; // the kernel wraps to 300 (RESERVED_PIDS)
			if (!consider(pid, now) && Procs.stat(pid).isPresent()) {
				pending.put(pid, now);
			}
		}
		lastPid = last;
	}

	/** True when the pid is decided: gone, a main (recorded), or a pwtest that is not one. */
	private boolean consider(int pid, long now) {
		var stat = Procs.stat(pid);
		if (stat.isEmpty() || stat.get().state() == 'Z') {
			return true;
		}
		if (!stat.get().comm().equals("pwtest")) {
			return false; // maybe not exec'd yet
		}
		String cmdline = Procs.cmdline(pid);
		if (cmdline.isBlank()) {
			return false; // inside execve: the comm is new, the arguments not yet in place
		}
		String token = tokenOf(cmdline);
		if (token == null) {
			return true;
		}
		var parent = Procs.stat(stat.get().ppid());
		if (parent.isPresent() && parent.get().comm().equals("pwtest") && token.equals(tokenOf(Procs.cmdline(parent.get().pid())))) {
			return true; // a child of the main
		}
		String program = programByToken.get(token);
		Main known = mains.get(program);
		if (known == null || known.pid() != pid) {
			mains.put(program, new Main(pid, System.nanoTime(), stat.get().startTicks()));
		}
		return true;
	}

	private String tokenOf(String cmdline) {
		int space = cmdline.stripTrailing().lastIndexOf(' ');
		String last = cmdline.stripTrailing().substring(space + 1);
		return programByToken.containsKey(last) ? last : null;
	}
}
