import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One program every tool runs the same way: its argv (an absolute pwtest path first, the token
 * last) and the token that marks each of its processes on the command line and in the
 * environment (BENCHPEERS=token), so the harness finds them in /proc whatever the tool did.
 *
 * @param name     the tool-side name (a service directory, a module, a [program:] section)
 * @param token    unique to the run, the tool and the program
 * @param argv     what to exec
 * @param pidfile  for monit: where the start script (or the daemon itself) writes the main pid
 * @param treeMain the main process's death is a failure even while its children live (tree programs)
 */
record Program(String name, String token, List<String> argv, Path pidfile, boolean treeMain) {

	/** Whether the program writes its own pid file (it daemonizes); otherwise the start script does. */
	boolean writesPidfile() {
		return argv.size() > 2 && argv.get(1).equals("daemon");
	}

	/** argv as one shell-quoted line, for run scripts, supervisord's and pidwatcher's command=. */
	String commandLine() {
		return argv.stream().map(Program::quote).collect(Collectors.joining(" "));
	}

	static String quote(String arg) {
		if (arg.matches("[A-Za-z0-9_./=:+-]+")) {
			return arg;
		}
		return "'" + arg.replace("'", "'\\''") + "'";
	}
}
