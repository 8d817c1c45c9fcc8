import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pidwatcher: the exported runtime jar with a home in the run directory, one
 * etc/pidwatcher.module-NAME.cfg per program, on the /proc reader.
 */
final class PidwatcherPeer implements Peer {

	private final String name;
	private final Path jar;
	private final List<String> jvmOptions;
	private Process runtime;
	private Path etc;
	private List<Program> programs = List.of();

	PidwatcherPeer(String name, Path jar, List<String> jvmOptions) {
		this.name = name;
		this.jar = jar;
		this.jvmOptions = jvmOptions;
	}

	List<String> jvmOptions() {
		return jvmOptions;
	}

	@Override
	public String name() {
		return name;
	}

	@Override
	public String missing() {
		return Files.isRegularFile(jar) ? null : jar + " not found: mvn -B -q install -DskipTests";
	}

	@Override
	public int settleSeconds() {
		return 60; // start-up and JIT compilation settle: idle means steady state
	}

	@Override
	public void start(Path dir, List<Program> programs) throws IOException {
		this.programs = programs;
		Path home = Files.createDirectories(dir.resolve("home"));
		etc = Files.createDirectories(home.resolve("etc"));
		for (Program p : programs) {
			// strategy fixed with no delay: restart at once, as the other tools do; the stop timeout
			// is theirs too. A tree program fails when its main dies (liveness main), as elsewhere.
			Files.writeString(etc.resolve("pidwatcher.module-" + p.name() + ".cfg"), "command=" + p.commandLine()
					+ "\ninterval=1s\nstrategy=fixed\nstrategy.delay=0\nstop.timeout=2s\nenv.BENCHPEERS=" + p.token() + "\n"
					+ (p.treeMain() ? "policies=liveness\npolicy.liveness.main=true\n" : ""));
		}
		List<String> cmd = new ArrayList<>(List.of("java"));
		cmd.addAll(jvmOptions);
		cmd.addAll(List.of("-Dpidwatcher.home=" + home, "-Dgosh.args=--nointeractive", "-jar", jar.toString()));
		runtime = Peer.spawn(home, home.resolve("runtime.out"), cmd);
	}

	@Override
	public List<Integer> ownProcesses() {
		return runtime != null && runtime.isAlive() ? List.of((int) runtime.pid()) : List.of();
	}

	/**
	 * Deletes the module files (each tree is stopped whole), waits until the runtime has stopped
	 * them, then stops the runtime (which alone would leave the modules running, by design).
	 */
	@Override
	public void stopAll() throws Exception {
		try (DirectoryStream<Path> cfgs = Files.newDirectoryStream(etc, "pidwatcher.module-*.cfg")) {
			for (Path cfg : cfgs) {
				Files.delete(cfg);
			}
		}
		long deadline = System.nanoTime() + 60_000_000_000L;
		String marker = programs.isEmpty() ? null : programs.get(0).token().replaceAll("[^-]*$", "");
		while (marker != null && System.nanoTime() < deadline && !Procs.withMarker(marker).isEmpty()) {
			Thread.sleep(250);
		}
		runtime.destroy();
		Peer.awaitExit(runtime, 30);
	}
}
