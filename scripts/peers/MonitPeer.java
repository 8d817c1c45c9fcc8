import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * monit in the foreground (-I) on its own control file with a 1 s cycle (its shortest). monit
 * does not run programs, it polls them: each program gets a start script that backgrounds it and
 * writes its pid file (a daemon writes its own), and the usual stop script, kill of that pid.
 */
final class MonitPeer implements Peer {

	private Process daemon;
	private Path control;
	private Path log;
	private List<Program> programs = List.of();

	@Override
	public String name() {
		return "monit";
	}

	@Override
	public String missing() {
		return Peer.onPath("monit") ? null : "monit not found: apt-get install monit";
	}

	@Override
	public int settleSeconds() {
		return 5;
	}

	@Override
	public void start(Path dir, List<Program> programs) throws IOException {
		this.programs = programs;
		Path scripts = Files.createDirectories(dir.resolve("scripts"));
		StringBuilder rc = new StringBuilder("set daemon 1\nset logfile ").append(dir.resolve("monit.log"))
				.append("\nset pidfile ").append(dir.resolve("monit.pid")).append("\nset idfile ").append(dir.resolve("monit.id"))
				.append("\nset statefile ").append(dir.resolve("monit.state"))
				.append("\nset httpd unixsocket ").append(dir.resolve("monit.sock")).append("\n  allow localhost\n\n");
		for (Program p : programs) {
			String body = p.writesPidfile() ? "exec " + p.commandLine() + " </dev/null >/dev/null 2>&1\n"
					: p.commandLine() + " </dev/null >/dev/null 2>&1 &\necho $! > " + p.pidfile() + "\n";
			Path start = script(scripts.resolve(p.name() + ".start"), "export BENCHPEERS=" + p.token() + "\n" + body);
			Path stop = script(scripts.resolve(p.name() + ".stop"), "kill $(cat " + p.pidfile() + ")\n");
			rc.append("check process ").append(p.name()).append(" with pidfile ").append(p.pidfile())
					.append("\n  start program = \"").append(start).append("\"\n  stop program = \"").append(stop).append("\"\n\n");
		}
		control = dir.resolve("monitrc");
		Files.writeString(control, rc);
		Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-------")); // monit insists
		log = dir.resolve("monit.out");
		daemon = Peer.spawn(dir, log, List.of("monit", "-I", "-c", control.toString()));
	}

	private static Path script(Path file, String body) throws IOException {
		Files.writeString(file, "#!/bin/sh\n" + body);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
		return file;
	}

	/** Whether the process in the program's pid file still runs. */
	private static boolean running(Program p) {
		try {
			int pid = Integer.parseInt(Files.readString(p.pidfile()).trim());
			return Procs.stat(pid).map(s -> s.state() != 'Z').orElse(false);
		} catch (IOException | RuntimeException e) {
			return false;
		}
	}

	@Override
	public List<Integer> ownProcesses() {
		return daemon != null && daemon.isAlive() ? Procs.descendants(daemon.pid(), List.of("monit")) : List.of();
	}

	/** monit stop all (runs every stop script), then the monit daemon is stopped. */
	@Override
	public void stopAll() throws Exception {
		Peer.run(log, 60, "monit", "-c", control.toString(), "stop", "all");
		// the command only asks; monit runs the stop scripts from its cycle, one service after another
		long deadline = System.nanoTime() + 30_000_000_000L;
		while (System.nanoTime() < deadline && programs.stream().anyMatch(MonitPeer::running)) {
			Thread.sleep(250);
		}
		daemon.destroy();
		Peer.awaitExit(daemon, 30);
	}
}
