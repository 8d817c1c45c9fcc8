import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A supervisor under test, run from its own configuration in a temporary directory, never as the
 * system's service. Each implementation knows only how to configure, start and stop its tool the
 * way its documentation says, and which processes are the tool's own.
 */
interface Peer {

	/** The column name. */
	String name();

	/** Why the tool cannot run here (e.g. "supervisord not found: apt-get install supervisor"), or null. */
	String missing();

	/** Seconds to wait after all programs run before idle is measured (a JVM compiles for a while). */
	int settleSeconds();

	/** Writes the configuration for these programs under {@code dir} and starts the tool. */
	void start(Path dir, List<Program> programs) throws IOException;

	/** The tool's own processes (not the programs it runs), for CPU and memory. */
	List<Integer> ownProcesses();

	/** Stops everything the documented way and returns when the tool says it is done (bounded). */
	void stopAll() throws Exception;

	/** Kills the tool's own processes with SIGKILL (cleanup, also after a failure). */
	default void kill() {
		ownProcesses().forEach(Procs::kill9);
	}

	static boolean onPath(String program) {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
			if (new File(dir, program).canExecute()) {
				return true;
			}
		}
		return false;
	}

	/** Runs a command to its end (bounded), its output appended to {@code log}. */
	static int run(Path log, long timeoutSeconds, String... command) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
		if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
			p.destroyForcibly();
			return -1;
		}
		return p.exitValue();
	}

	/** Starts a long-running process, its output appended to {@code log}. */
	static Process spawn(Path dir, Path log, List<String> command) throws IOException {
		return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
	}

	/** Waits up to {@code seconds} for the process to exit; SIGKILL after that. */
	static void awaitExit(Process p, long seconds) throws InterruptedException {
		if (!p.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
			p.destroyForcibly();
			p.waitFor();
		}
	}
}
