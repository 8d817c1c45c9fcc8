import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** runit: runsvdir on a scan directory of our own, one runsv per program. */
final class RunitPeer implements Peer {

	private Process daemon;
	private final List<Path> services = new ArrayList<>();
	private Path log;

	@Override
	public String name() {
		return "runit";
	}

	@Override
	public String missing() {
		return Peer.onPath("runsvdir") && Peer.onPath("sv") ? null : "runsvdir/sv not found: apt-get install runit";
	}

	@Override
	public int settleSeconds() {
		return 5;
	}

	@Override
	public void start(Path dir, List<Program> programs) throws IOException {
		Path scan = Files.createDirectories(dir.resolve("service"));
		for (Program p : programs) {
			services.add(RunScript.write(scan.resolve(p.name()), p));
		}
		log = dir.resolve("runsvdir.out");
		// -P: each runsv in its own session, as in the documented boot setup
		daemon = Peer.spawn(dir, log, List.of("runsvdir", "-P", scan.toString()));
	}

	@Override
	public List<Integer> ownProcesses() {
		return daemon != null && daemon.isAlive() ? Procs.descendants(daemon.pid(), List.of("runsvdir", "runsv")) : List.of();
	}

	/** sv force-stop (TERM, KILL after -w 2 s), sv exit each runsv, then runsvdir is stopped. */
	@Override
	public void stopAll() throws Exception {
		List<String> stop = new ArrayList<>(List.of("sv", "-w", "2", "force-stop"));
		services.forEach(s -> stop.add(s.toString()));
		Peer.run(log, 120, stop.toArray(String[]::new));
		List<String> exit = new ArrayList<>(List.of("sv", "exit"));
		services.forEach(s -> exit.add(s.toString()));
		Peer.run(log, 60, exit.toArray(String[]::new));
		daemon.destroy();
		Peer.awaitExit(daemon, 10);
	}

	/** The run script runit and s6 share: export the marker, exec the program. */
	static final class RunScript {
		static Path write(Path serviceDir, Program p) throws IOException {
			Files.createDirectories(serviceDir);
			Path run = serviceDir.resolve("run");
			Files.writeString(run, "#!/bin/sh\nexport BENCHPEERS=" + p.token() + "\nexec " + p.commandLine() + " 2>&1\n");
			Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
			return serviceDir;
		}
	}
}
