import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** s6: s6-svscan on a scan directory of our own, one s6-supervise per program. */
final class S6Peer implements Peer {

	private Process daemon;
	private Path scan;
	private Path log;

	@Override
	public String name() {
		return "s6";
	}

	@Override
	public String missing() {
		return Peer.onPath("s6-svscan") && Peer.onPath("s6-svscanctl") ? null : "s6-svscan not found: apt-get install s6";
	}

	@Override
	public int settleSeconds() {
		return 5;
	}

	@Override
	public void start(Path dir, List<Program> programs) throws IOException {
		scan = Files.createDirectories(dir.resolve("scan"));
		for (Program p : programs) {
			Path service = RunitPeer.RunScript.write(scan.resolve(p.name()), p);
			// SIGKILL 2 s after the down signal, as the other tools' stop timeouts
			Files.writeString(service.resolve("timeout-kill"), "2000\n");
		}
		log = dir.resolve("s6-svscan.out");
		daemon = Peer.spawn(dir, log, List.of("s6-svscan", "-c", Integer.toString(Math.max(500, 2 * programs.size())), scan.toString()));
	}

	@Override
	public List<Integer> ownProcesses() {
		return daemon != null && daemon.isAlive() ? Procs.descendants(daemon.pid(), List.of("s6-svscan", "s6-supervise")) : List.of();
	}

	/** s6-svscanctl -t: every s6-supervise brings its service down and exits, then s6-svscan exits. */
	@Override
	public void stopAll() throws Exception {
		Peer.run(log, 30, "s6-svscanctl", "-t", scan.toString());
		Peer.awaitExit(daemon, 60);
	}
}
