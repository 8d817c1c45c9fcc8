import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** supervisord (Debian's supervisor), in the foreground (-n) on its own config file. */
final class SupervisordPeer implements Peer {

	private Process daemon;

	@Override
	public String name() {
		return "supervisord";
	}

	@Override
	public String missing() {
		return Peer.onPath("supervisord") ? null : "supervisord not found: apt-get install supervisor";
	}

	@Override
	public int settleSeconds() {
		return 5;
	}

	@Override
	public void start(Path dir, List<Program> programs) throws IOException {
		StringBuilder conf = new StringBuilder();
		conf.append("[supervisord]\nnodaemon=true\nlogfile=").append(dir.resolve("supervisord.log"))
				.append("\npidfile=").append(dir.resolve("supervisord.pid")).append("\nchildlogdir=").append(dir)
				.append("\nminfds=16384\nminprocs=16384\n\n");
		for (Program p : programs) {
			// autorestart=true: restart whatever the exit (the default, unexpected, lets exit 0 be);
			// startsecs, startretries and the backoff stay the defaults (1 s, 3)
			conf.append("[program:").append(p.name()).append("]\ncommand=").append(p.commandLine())
					.append("\nautorestart=true\nstopwaitsecs=2\nredirect_stderr=true\nenvironment=BENCHPEERS=\"")
					.append(p.token()).append("\"\n\n");
		}
		Path file = dir.resolve("supervisord.conf");
		Files.writeString(file, conf);
		daemon = Peer.spawn(dir, dir.resolve("supervisord.out"), List.of("supervisord", "-n", "-c", file.toString()));
	}

	@Override
	public List<Integer> ownProcesses() {
		return daemon != null && daemon.isAlive() ? Procs.descendants(daemon.pid(), List.of("supervisord")) : List.of();
	}

	/** SIGTERM: supervisord stops every program (TERM, KILL after stopwaitsecs) and exits. */
	@Override
	public void stopAll() throws Exception {
		daemon.destroy();
		Peer.awaitExit(daemon, 60);
	}
}
