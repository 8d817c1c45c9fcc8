import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kills whatever this run started and nothing else: processes whose command line carries the
 * run's marker or its directory, or whose working directory is inside it (runsv and s6-supervise
 * sit in their service directories). The harness itself is spared.
 */
final class Cleanup {

	private final String marker;
	private final Path dir;
	private final long self = ProcessHandle.current().pid();

	Cleanup(String marker, Path dir) {
		this.marker = marker;
		this.dir = dir;
	}

	String marker() {
		return marker;
	}

	/** The tool's own processes first (so nothing is restarted), then everything of the run. */
	void sweep(Peer peer) {
		peer.kill();
		sweep();
	}

	void sweep() {
		for (int round = 0; round < 10; round++) {
			int found = 0;
			for (int pid : Procs.pids()) {
				if (pid != self && ours(pid)) {
					Procs.kill9(pid);
					found++;
				}
			}
			if (found == 0) {
				return;
			}
			try {
				Thread.sleep(100);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private boolean ours(int pid) {
		String cmdline = Procs.cmdline(pid);
		if (cmdline.contains(marker) || cmdline.contains(dir.toString())) {
			return Procs.stat(pid).map(s -> s.state() != 'Z').orElse(false);
		}
		try {
			return Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).startsWith(dir);
		} catch (IOException | UnsupportedOperationException e) {
			return false;
		}
	}
}
