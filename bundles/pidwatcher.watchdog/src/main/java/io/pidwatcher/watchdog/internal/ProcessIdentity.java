package io.pidwatcher.watchdog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Who a module's program runs as and within which limits: the keys {@code user},
 * {@code user.group}, {@code user.groups}, {@code umask}, {@code nice}, {@code limit.<name>} and
 * {@code no_new_privs}. They are checked when the config is read (an unknown user is an invalid
 * config, not a start that fails forever) and applied by {@link IdentityCommand} between fork and
 * exec.
 *
 * @param user        the account to run as, if any
 * @param gid         the primary group, if it changes (the user's own one by default)
 * @param groups      the supplementary groups, if they change (the user's from /etc/group by default)
 * @param umask       the file mode creation mask, if it changes
 * @param nice        the niceness, if it changes
 * @param limits      resource limits by prlimit name
 * @param noNewPrivs  whether the program and its children can never gain privileges (setuid, file caps)
 */
record ProcessIdentity(Optional<UnixAccounts.Account> user, OptionalInt gid, Optional<List<Integer>> groups,
		OptionalInt umask, OptionalInt nice, Map<String, ResourceLimit> limits, boolean noNewPrivs) {

	/** The program runs as the runtime does. */
	static final ProcessIdentity INHERITED = new ProcessIdentity(Optional.empty(), OptionalInt.empty(), Optional.empty(),
			OptionalInt.empty(), OptionalInt.empty(), Map.of(), false);

	/**
	 * Reads the identity keys of a module config.
	 *
	 * @param runtimeIsRoot whether the runtime can change the user (checked here so the message names the key)
	 * @throws IllegalArgumentException naming the key
	 */
	static ProcessIdentity parse(Map<String, Object> props, UnixAccounts accounts, boolean runtimeIsRoot) {
		Map<String, String> keys = new TreeMap<>();
		for (Map.Entry<String, Object> e : props.entrySet()) {
			keys.put(e.getKey(), ModuleSpec.text(props, e.getKey(), ""));
		}
		Optional<UnixAccounts.Account> user = Optional.empty();
		String userText = keys.getOrDefault("user", "").trim();
		if (!userText.isEmpty()) {
			user = accounts.user(userText);
			if (user.isEmpty()) {
				throw new IllegalArgumentException("user '" + userText + "' does not exist (not in /etc/passwd)");
			}
		}
		OptionalInt gid = OptionalInt.empty();
		String groupText = keys.getOrDefault("user.group", "").trim();
		if (!groupText.isEmpty()) {
			gid = group(accounts, "user.group", groupText);
		} else if (user.isPresent()) {
			gid = OptionalInt.of(user.get().gid());
		}
		Optional<List<Integer>> groups = Optional.empty();
		String groupsText = keys.get("user.groups");
		if (groupsText != null) {
			List<Integer> list = new ArrayList<>();
			for (String g : groupsText.split("[,\\s]+")) {
				if (!g.isBlank()) {
					list.add(group(accounts, "user.groups", g.trim()).getAsInt());
				}
			}
			groups = Optional.of(List.copyOf(list));
		} else if (user.isPresent()) {
			groups = Optional.of(List.copyOf(accounts.groupsOf(user.get().name(), gid.getAsInt())));
		}
		if (!runtimeIsRoot && (user.isPresent() || gid.isPresent() || groups.isPresent())) {
			String key = user.isPresent() ? "user" : gid.isPresent() ? "user.group" : "user.groups";
			throw new IllegalArgumentException(key + ": the runtime does not run as root, so it cannot change "
					+ "the user or groups of a program");
		}
		OptionalInt umask = OptionalInt.empty();
		String umaskText = keys.getOrDefault("umask", "").trim();
		if (!umaskText.isEmpty()) {
			if (!umaskText.matches("0?[0-7]{3}")) {
				throw new IllegalArgumentException("umask '" + umaskText + "' is not an octal mask such as 022 or 0027");
			}
			umask = OptionalInt.of(Integer.parseInt(umaskText, 8));
		}
		OptionalInt nice = OptionalInt.empty();
		String niceText = keys.getOrDefault("nice", "").trim();
		if (!niceText.isEmpty()) {
			int n;
			try {
				n = Integer.parseInt(niceText);
			} catch (NumberFormatException e) {
				throw new IllegalArgumentException("nice '" + niceText + "' is not a whole number from -20 to 19");
			}
			if (n < -20 || n > 19) {
				throw new IllegalArgumentException("nice " + n + " is out of range: -20 (most favourable) to 19");
			}
			nice = OptionalInt.of(n);
		}
		Map<String, ResourceLimit> limits = new TreeMap<>();
		for (Map.Entry<String, String> e : keys.entrySet()) {
			if (e.getKey().startsWith("limit.")) {
				String name = e.getKey().substring(6);
				limits.put(name, ResourceLimit.parse(name, e.getValue()));
			}
		}
		boolean nnp = ModuleSpec.bool(props, "no_new_privs", false);
		return new ProcessIdentity(user, gid, groups, umask, nice, Map.copyOf(limits), nnp);
	}

	private static OptionalInt group(UnixAccounts accounts, String key, String nameOrGid) {
		OptionalInt gid = accounts.group(nameOrGid);
		if (gid.isEmpty()) {
			throw new IllegalArgumentException(key + ": group '" + nameOrGid + "' does not exist (not in /etc/group)");
		}
		return gid;
	}

	/**
	 * Variables a login would set for the user (as systemd does for User=): USER, LOGNAME, HOME,
	 * SHELL. The module's env.* keys still win.
	 */
	Map<String, String> environment() {
		if (user.isEmpty()) {
			return Map.of();
		}
		UnixAccounts.Account a = user.get();
		Map<String, String> env = new TreeMap<>();
		env.put("USER", a.name());
		env.put("LOGNAME", a.name());
		if (!a.home().isEmpty()) {
			env.put("HOME", a.home());
		}
		if (!a.shell().isEmpty()) {
			env.put("SHELL", a.shell());
		}
		return env;
	}
}
