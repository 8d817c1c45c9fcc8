package io.pidwatcher.watchdog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The keys of {@code etc/pidwatcher.module-<name>.cfg}. The watchdog parses the raw properties
 * itself (so that a bad value makes a per-module error message rather than a component that
 * silently fails to activate); this definition is what makes every key self-documenting through
 * Metatype.
 */
@ObjectClassDefinition(
		name = "pidwatcher module",
		description = "One supervised program. File: etc/pidwatcher.module-<name>.cfg; <name> becomes the value of the "
				+ "tag variable (PIDWATCHER_MODULE) of every process of the module. Also accepted: env.<VAR>=value "
				+ "(added to the environment), strategy.<key>=value (parameters of the restart strategy, e.g. "
				+ "strategy.delay=2s), policy.<policy>.<key>=value (parameters of a health policy, e.g. policy.cpu.limit=90), "
				+ "limit.<name>=N, SOFT:HARD or infinity (a resource limit as prlimit names it: nofile, core, nproc, as, "
				+ "memlock, stack, cpu, fsize, data, rss, locks, sigpending, msgqueue, nice, rtprio, rttime; sizes take "
				+ "k, M, G). Any other key makes the config invalid.")
@interface ModuleConfig {

	@AttributeDefinition(description = "The program and its arguments, split like a shell splits a simple command: "
			+ "'single' and \"double\" quotes and backslashes work; no variables, globs or pipes (use sh -c '...'). "
			+ "The program must exist: an absolute path, a path relative to 'directory', or a name on PATH.")
	String command();

	@AttributeDefinition(required = false, description = "Working directory of the program. Default: the runtime's home.")
	String directory() default "";

	@AttributeDefinition(required = false, description = "The watchdog timer: how often the module's process tree is "
			+ "scanned and its health policies evaluated, e.g. 500ms, 2s. Deaths of the main process are noticed at once "
			+ "whatever the interval.")
	String interval() default "1s";

	@AttributeDefinition(required = false, description = "Start the module when its config appears (and when the runtime "
			+ "starts and finds it not running).")
	boolean autostart() default true;

	@AttributeDefinition(required = false, description = "Name of the restart strategy service (pidwatcher.strategy "
			+ "property) that decides when a failed module restarts (restart= decides whether). Default: 'backoff' "
			+ "(100ms doubling to 30s, reset after a run of 10min); 'fixed' restarts after strategy.delay every time. "
			+ "A strategy that is not deployed is shown as unavailable and decided once it appears.")
	String strategy() default "backoff";

	// exit-code rules (issue 14 part 4)
	@AttributeDefinition(required = false, description = "Whether a failed module is restarted at all, as systemd's "
			+ "Restart=: 'always', 'on-failure' (not after a clean exit), 'on-abnormal' (only after an unclean signal, a "
			+ "timeout or an unhealthy verdict), 'on-success' (only after a clean exit), 'never'. A module not restarted "
			+ "is stopped (after a clean exit) or gave up (after a failure), and says which rule decided.", options = {
					@Option(value = "always"), @Option(value = "on-failure"), @Option(value = "on-abnormal"),
					@Option(value = "on-success"), @Option(value = "never") })
	String restart() default "always";

	@AttributeDefinition(name = "success.exit", required = false, description = "Exit statuses (0-255) and signal "
			+ "names (SIGUSR1 or USR1) that count as a clean exit besides status 0 and SIGHUP, SIGINT, SIGTERM, SIGPIPE, "
			+ "as systemd's SuccessExitStatus=; separated by spaces or commas, e.g. '3 75 SIGUSR1'.")
	String success_exit() default "";
	// end of exit-code rules

	@AttributeDefinition(required = false, description = "Name of the module's group, for the 'group' strategy "
			+ "(one_for_all, rest_for_one); the group's start order is the order its modules were first defined.")
	String group() default "";

	@AttributeDefinition(required = false, description = "Comma-separated health policies (pidwatcher.policy property), "
			+ "e.g. 'liveness,cpu,memory,stuck,zombies,heartbeat'. Parameters: policy.<name>.<key>.")
	String policies() default "";

	@AttributeDefinition(name = "stop.signal", required = false, description = "Signal that asks the tree to stop "
			+ "(TERM, INT, HUP, QUIT, USR1, USR2 or a number). SIGKILL follows after stop.timeout.")
	String stop_signal() default "TERM";

	@AttributeDefinition(name = "stop.timeout", required = false, description = "How long to wait after the stop signal "
			+ "before SIGKILL.")
	String stop_timeout() default "10s";

	@AttributeDefinition(required = false, description = "Give the program a systemd-style NOTIFY_SOCKET. It is RUNNING "
			+ "only after it sends READY=1; WATCHDOG=1 messages feed the 'heartbeat' policy.")
	boolean notify$() default false;

	@AttributeDefinition(name = "start.timeout", required = false, description = "How long the program may take to "
			+ "be ready (ready=, or READY=1 with notify=true) before the start counts as failed and goes to the strategy "
			+ "(systemd's TimeoutStartSec); with pidfile=: how long it may take to write the pid file.")
	String start_timeout() default "90s";

	// readiness (issue 14 part 2)
	@AttributeDefinition(required = false, description = "When the started module is ready, and so running (a module "
			+ "that requires it waits for that): 'running' (the first scan that finds its tree), 'tcp:HOST:PORT' (a TCP "
			+ "connect succeeds; [ADDRESS]:PORT for IPv6), 'exec:COMMAND ARGS' (the command, split like command=, run "
			+ "as the module's user without the module's tag, exits 0), 'file:PATH' (the file, relative to 'directory', "
			+ "exists and was written since the start). Probed every 100ms (exec: 250ms after each run) until it passes "
			+ "or start.timeout runs out, which is a failure for the strategy. Not with notify=true, which waits for "
			+ "READY=1.")
	String ready() default "running";

	@AttributeDefinition(required = false, description = "Which process is the main one, whose death is the module's "
			+ "death (then the whole tree is stopped before the restart): 'started' (the started process, systemd's "
			+ "Type=simple), 'pidfile' (the pid in pidfile=, systemd's Type=forking with PIDFile=), 'daemon' (the started "
			+ "process, or the member it leaves behind when it exits with status 0), 'none' (dead only when the whole "
			+ "tree is gone). Default: pidfile when pidfile= is set, else daemon.")
	String main() default "daemon";

	@AttributeDefinition(required = false, description = "The file a daemonizing program writes its main pid to "
			+ "(relative to 'directory'); implies main=pidfile. Read once this run has written it (a file older than "
			+ "the run is ignored), within start.timeout, and again whenever it changes.")
	String pidfile() default "";

	@AttributeDefinition(name = "log.size", required = false, description = "Standard output and error go to "
			+ "var/log/<name>.log; it is rotated when it grows beyond this many bytes (suffixes k, M, G).")
	String log_size() default "10M";

	@AttributeDefinition(name = "log.files", required = false, description = "How many rotated logs to keep "
			+ "(<name>.log.1 ... <name>.log.N).")
	int log_files() default 3;

	@AttributeDefinition(name = "log.rotate", required = false, description = "When the log is rotated besides past "
			+ "log.size: 'size' (only then), 'hourly' or 'daily' (also at the first check, every few seconds, after the "
			+ "hour or day, local time, in which it was written).")
	String log_rotate() default "size";

	@AttributeDefinition(name = "log.compress", required = false, description = "Gzip the rotated logs (<name>.log.1.gz "
			+ "... <name>.log.N.gz), after the rotation, off the engine.")
	boolean log_compress() default false;

	@AttributeDefinition(name = "log.max", required = false, description = "Bound on all of <name>.log* together: a size "
			+ "(10M, 1G) or a percentage of the file system holding var/ (5%). The oldest rotated logs are deleted first "
			+ "to stay under it; the live log is rotated when it alone passes it. Default: no bound beyond log.size and "
			+ "log.files.")
	String log_max() default "";

	@AttributeDefinition(required = false, description = "Run the program as this user (name or uid; the runtime must "
			+ "run as root). Its primary group and supplementary groups from /etc/group apply unless user.group and "
			+ "user.groups say otherwise; USER, LOGNAME, HOME and SHELL are set from /etc/passwd.")
	String user() default "";

	@AttributeDefinition(name = "user.group", required = false, description = "Primary group (name or gid). Default: "
			+ "the user's. (The key 'group' is the module's group for the group strategy.)")
	String user_group() default "";

	@AttributeDefinition(name = "user.groups", required = false, description = "Supplementary groups, comma-separated "
			+ "names or gids; empty for none. Default: the user's groups in /etc/group.")
	String user_groups() default "";

	@AttributeDefinition(required = false, description = "File mode creation mask, octal (022, 0027).")
	String umask() default "";

	@AttributeDefinition(required = false, description = "Niceness of the program, -20 (most favourable) to 19.")
	String nice() default "";

	@AttributeDefinition(name = "no_new_privs", required = false, description = "Set PR_SET_NO_NEW_PRIVS: the program "
			+ "and its children can never gain privileges through setuid programs or file capabilities.")
	boolean no__new__privs() default false;

	// dependencies (issue 14 part 1)
	@AttributeDefinition(required = false, description = "Modules this one requires, separated by commas or spaces: "
			+ "it starts only once they are running, is stopped before they stop, and when one fails it is stopped "
			+ "and started again once that one runs again (systemd's Requires= with After=). A cycle makes the config "
			+ "invalid; so does a name no module defines within 10 s.")
	String requires() default "";

	@AttributeDefinition(required = false, description = "Modules this one starts after when both are being started "
			+ "(systemd's After=, alone): ordering only, no stop or restart follows.")
	String after() default "";
}
