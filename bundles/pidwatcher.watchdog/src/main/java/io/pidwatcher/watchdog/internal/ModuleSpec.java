package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.DurationText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A module's config, parsed and checked. Parsing collects a reason for people on the first
 * problem, so pw:modules can show "invalid: interval 'fast' is not a duration".
 */
record ModuleSpec(
		String name,
		List<String> command,
		Path directory,
		Map<String, String> environment,
		Duration interval,
		boolean autostart,
		String strategy,
		Map<String, String> strategyParameters,
		String group,
		List<String> policies,
		Map<String, Map<String, String>> policyParameters,
		int stopSignal,
		String stopSignalName,
		Duration stopTimeout,
		boolean notifyProtocol,
		Duration startTimeout,
		LogPolicy log,
		ProcessIdentity identity,
		MainRule main,
		// readiness (issue 14 part 2)
		ReadyRule ready,
		// dependencies (issue 14 part 1): requires=, after=
		DependencyGraph.Edges dependencies,
		// exit-code rules (issue 14 part 4): restart=, success.exit=, and whether strategy= was left out
		ExitRule exitRule,
		boolean defaultStrategy) {

	/** The strategy of a module that names none: one that backs off (issue 14 part 4). */
	static final String DEFAULT_STRATEGY = "backoff";

	static final Duration MIN_INTERVAL = Duration.ofMillis(50);
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:+-]{1,64}");
	private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

	/** Parses Config Admin properties; throws IllegalArgumentException with the reason. */
	static ModuleSpec parse(String name, Map<String, Object> props, Path home) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("module name '" + name + "' must be 1-64 letters, digits or _ . @ : + -");
		}
		KeyNames.checkPlainKeys(props); // identity (issue 14 part 7)
		String commandText = text(props, "command", null);
		if (commandText == null || commandText.isBlank()) {
			throw new IllegalArgumentException("no command (add command=/path/to/program args...)");
		}
		List<String> command = CommandLine.split(commandText);
		if (command.isEmpty()) {
			throw new IllegalArgumentException("no command (add command=/path/to/program args...)");
		}
		String dirText = text(props, "directory", "");
		Path directory = dirText.isBlank() ? home : home.resolve(dirText).normalize();
		if (!Files.isDirectory(directory)) {
			throw new IllegalArgumentException("directory " + directory + " does not exist");
		}
		Map<String, String> env = new TreeMap<>();
		Map<String, String> strategyParameters = new TreeMap<>();
		Map<String, Map<String, String>> policyParameters = new TreeMap<>();
		for (Map.Entry<String, Object> e : props.entrySet()) {
			String key = e.getKey();
			if (key.startsWith("env.")) {
				String var = key.substring(4);
				if (!ENV_NAME.matcher(var).matches()) {
					throw new IllegalArgumentException("'" + key + "': '" + var + "' is not an environment variable name");
				}
				env.put(var, String.valueOf(e.getValue()));
			} else if ((key.startsWith("strategy.") || key.startsWith("policy.")) && String.valueOf(e.getValue()).isBlank()) {
				// a blank value would mean the default to a strategy and an error to a policy: one answer
				throw new IllegalArgumentException("'" + key + "' is empty (leave the key out for the default)");
			} else if (key.startsWith("strategy.")) {
				strategyParameters.put(key.substring(9), String.valueOf(e.getValue()));
			} else if (key.startsWith("policy.")) {
				String rest = key.substring(7);
				int dot = rest.indexOf('.');
				if (dot <= 0 || dot == rest.length() - 1) {
					throw new IllegalArgumentException("'" + key + "' is not policy.<policy>.<parameter>");
				}
				policyParameters.computeIfAbsent(rest.substring(0, dot), k -> new TreeMap<>())
						.put(rest.substring(dot + 1), String.valueOf(e.getValue()));
			}
		}
		checkExecutable(command.get(0), directory, env.getOrDefault("PATH", System.getenv("PATH")));

		Duration interval = duration(props, "interval", "1s");
		if (interval.compareTo(MIN_INTERVAL) < 0) {
			throw new IllegalArgumentException("interval " + DurationText.format(interval) + " is below the minimum of "
					+ DurationText.format(MIN_INTERVAL));
		}
		boolean autostart = bool(props, "autostart", true);
		String strategy = text(props, "strategy", DEFAULT_STRATEGY).trim();
		if (strategy.isEmpty()) {
			throw new IllegalArgumentException("strategy is empty (leave the key out for the default, '" + DEFAULT_STRATEGY
					+ "')");
		}
		String group = text(props, "group", "").trim();
		if (!group.isEmpty() && !NAME.matcher(group).matches()) {
			throw new IllegalArgumentException("group '" + group + "' must be 1-64 letters, digits or _ . @ : + -");
		}
		List<String> policies = list(props, "policies");
		String signalName = text(props, "stop.signal", "TERM").trim();
		int signal = Signals.number(signalName);
		Duration stopTimeout = duration(props, "stop.timeout", "10s");
		boolean notify = bool(props, "notify", false);
		Duration startTimeout = duration(props, "start.timeout", "90s");
		LogPolicy log = LogPolicy.parse(props);
		ProcessIdentity identity = ProcessIdentity.parse(props, UnixAccounts.system(), UnixAccounts.runningAsRoot());
		IdentityCommand.checkTools(identity);
		if (notify && identity.user().filter(u -> u.uid() != 0).isPresent()) {
			// var/run is the runtime's alone (0700): another user cannot reach the socket, and every start would time out
			throw new IllegalArgumentException("notify=true with user=" + identity.user().get().name() + ": the notify "
					+ "socket is not reachable by another user (not supported yet)");
		}
		// readiness (issue 14 part 2): ready= and notify=
		ReadyRule ready = ReadyRule.parse(props, notify, directory, env.getOrDefault("PATH", System.getenv("PATH")));
		return new ModuleSpec(name, List.copyOf(command), directory, env, interval, autostart, strategy,
				strategyParameters, group, policies, policyParameters, signal, signalName.toUpperCase(), stopTimeout, notify,
				startTimeout, log, identity,
				MainRule.parse(props, directory),
				ready,
				DependencyGraph.Edges.parse(name, props), // dependencies (issue 14 part 1)
				// exit-code rules (issue 14 part 4)
				ExitRule.parse(props), !props.containsKey("strategy"));
	}

	/** Whether a change to this spec needs the module restarted to take effect. */
	boolean differsInHowItStarts(ModuleSpec other) {
		return !command.equals(other.command) || !directory.equals(other.directory)
				|| !environment.equals(other.environment) || notifyProtocol != other.notifyProtocol
				|| !identity.equals(other.identity) || !main.equals(other.main);
	}

	Map<String, String> policyParameters(String policy) {
		return policyParameters.getOrDefault(policy, Map.of());
	}

	static void checkExecutable(String program, Path directory, String path) {
		if (program.contains("/")) {
			Path p = directory.resolve(program);
			if (!Files.isRegularFile(p)) {
				throw new IllegalArgumentException("command " + program + " does not exist");
			}
			if (!Files.isExecutable(p)) {
				throw new IllegalArgumentException("command " + program + " is not executable");
			}
			return;
		}
		for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
			if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program)) && Files.isRegularFile(Path.of(dir, program))) {
				return;
			}
		}
		throw new IllegalArgumentException("command " + program + " not found on PATH");
	}

	static String text(Map<String, Object> props, String key, String fallback) {
		Object v = props.get(key);
		if (v == null) {
			return fallback;
		}
		if (v instanceof String[] a) {
			return String.join(",", a);
		}
		if (v.getClass().isArray()) {
			return Arrays.deepToString(new Object[] { v });
		}
		return v.toString();
	}

	private static Duration duration(Map<String, Object> props, String key, String fallback) {
		String t = text(props, key, fallback);
		try {
			return DurationText.parse(t);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(key + ": " + e.getMessage());
		}
	}

	static boolean bool(Map<String, Object> props, String key, boolean fallback) {
		String t = text(props, key, Boolean.toString(fallback)).trim().toLowerCase();
		return switch (t) {
			case "true", "yes", "on", "1" -> true;
			case "false", "no", "off", "0" -> false;
			default -> throw new IllegalArgumentException(key + " '" + t + "' is neither true nor false");
		};
	}

	private static List<String> list(Map<String, Object> props, String key) {
		List<String> out = new ArrayList<>();
		for (String s : text(props, key, "").split("[,\\s]+")) {
			if (!s.isBlank() && !out.contains(s.trim())) {
				out.add(s.trim());
			}
		}
		return out;
	}

	/** The order the keys are shown in pw:status. */
	Map<String, String> summary() {
		Map<String, String> m = new LinkedHashMap<>();
		m.put("interval", DurationText.format(interval));
		m.put("strategy", strategy + (defaultStrategy ? " (the default)" : ""));
		m.put("restart", exitRule.describe()); // exit-code rules (issue 14 part 4)
		m.put("main", main.describe());
		m.put("stop", "SIG" + stopSignalName + ", SIGKILL after " + DurationText.format(stopTimeout));
		return m;
	}
}
