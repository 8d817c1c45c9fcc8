package io.pidwatcher.watchdog.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Applies a {@link ProcessIdentity} between fork and exec, which Java's ProcessBuilder cannot:
 * the command is prefixed by util-linux and coreutils programs that each change one thing of
 * their own process and exec the next, so the pid the watchdog started stays the program's pid
 * and the tag variable in the environment is inherited all the way:
 * {@code prlimit --nofile=..} (limits, while still root, so hard limits can rise),
 * {@code nice -n N}, {@code sh -c 'umask 027; exec "$0" "$@"'}, and last
 * {@code setpriv --reuid --regid --groups --nnp} (after it nothing can be raised again).
 */
final class IdentityCommand {

	private IdentityCommand() {
	}

	/**
	 * @throws IllegalArgumentException naming the key when a program it needs is not installed
	 */
	static void checkTools(ProcessIdentity id) {
		if (!id.limits().isEmpty()) {
			tool("prlimit", "limit." + id.limits().keySet().iterator().next());
		}
		if (id.nice().isPresent()) {
			tool("nice", "nice");
		}
		if (id.umask().isPresent()) {
			tool("sh", "umask");
		}
		if (id.user().isPresent() || id.gid().isPresent() || id.groups().isPresent() || id.noNewPrivs()) {
			tool("setpriv", id.user().isPresent() ? "user" : id.noNewPrivs() ? "no_new_privs" : "user.group");
		}
	}

	/** The words to put before the module's command; empty when the identity is the runtime's. */
	static List<String> prefix(ProcessIdentity id) {
		List<String> argv = new ArrayList<>();
		if (!id.limits().isEmpty()) {
			argv.add(tool("prlimit", "limit.*").toString());
			id.limits().values().stream().map(ResourceLimit::prlimitOption).sorted().forEach(argv::add);
			argv.add("--");
		}
		if (id.nice().isPresent()) {
			argv.add(tool("nice", "nice").toString());
			argv.add("-n");
			argv.add(Integer.toString(id.nice().getAsInt()));
		}
		if (id.umask().isPresent()) {
			argv.add(tool("sh", "umask").toString());
			argv.add("-c");
			argv.add(String.format("umask %04o; exec \"$0\" \"$@\"", id.umask().getAsInt()));
		}
		if (id.user().isPresent() || id.gid().isPresent() || id.groups().isPresent() || id.noNewPrivs()) {
			argv.add(tool("setpriv", "user").toString());
			id.gid().ifPresent(g -> argv.add("--regid=" + g));
			id.groups().ifPresent(gs -> argv.add(gs.isEmpty() ? "--clear-groups"
					: "--groups=" + gs.stream().map(String::valueOf).collect(Collectors.joining(","))));
			// the uid last: setpriv changes groups first whatever the order, but a reader sees the intent
			id.user().ifPresent(u -> argv.add("--reuid=" + u.uid()));
			if (id.noNewPrivs()) {
				argv.add("--nnp");
			}
			argv.add("--");
		}
		return argv;
	}

	private static Path tool(String name, String key) {
		for (String dir : new String[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }) {
			Path p = Path.of(dir, name);
			if (Files.isExecutable(p)) {
				return p;
			}
		}
		throw new IllegalArgumentException(key + " needs the program " + name + " (util-linux), which is not installed");
	}
}
