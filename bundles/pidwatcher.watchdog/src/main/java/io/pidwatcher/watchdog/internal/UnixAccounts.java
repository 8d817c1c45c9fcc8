package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Users and groups as {@code /etc/passwd} and {@code /etc/group} list them, read when a module
 * config is read so that {@code user=postgers} is an invalid config with a reason rather than a
 * program that fails at every start. Only the files are read (no NSS): a user known only to LDAP
 * is given by number.
 */
final class UnixAccounts {

	/** One line of /etc/passwd. */
	record Account(String name, int uid, int gid, String home, String shell) {
	}

	private final Path passwd;
	private final Path group;

	UnixAccounts(Path passwd, Path group) {
		this.passwd = passwd;
		this.group = group;
	}

	static UnixAccounts system() {
		return new UnixAccounts(Path.of("/etc/passwd"), Path.of("/etc/group"));
	}

	/** The account named or numbered so; a number with no passwd line is an account without name or home. */
	Optional<Account> user(String nameOrUid) {
		Integer number = number(nameOrUid);
		for (String[] f : lines(passwd, 7)) {
			if (f[0].equals(nameOrUid) || number != null && f[2].equals(nameOrUid)) {
				Integer uid = number(f[2]);
				Integer gid = number(f[3]);
				if (uid != null && gid != null) {
					return Optional.of(new Account(f[0], uid, gid, f[5], f[6]));
				}
			}
		}
		return Optional.empty();
	}

	/** The gid of the group named or numbered so; a number is taken as it is even without a group line. */
	OptionalInt group(String nameOrGid) {
		Integer number = number(nameOrGid);
		if (number != null) {
			return OptionalInt.of(number);
		}
		for (String[] f : lines(group, 3)) {
			Integer gid = number(f[2]);
			if (f[0].equals(nameOrGid) && gid != null) {
				return OptionalInt.of(gid);
			}
		}
		return OptionalInt.empty();
	}

	/** The supplementary groups /etc/group gives the user (what initgroups(3) would set), without its primary one. */
	List<Integer> groupsOf(String user, int primaryGid) {
		List<Integer> out = new ArrayList<>();
		for (String[] f : lines(group, 4)) {
			Integer gid = number(f[2]);
			if (gid != null && gid != primaryGid && !out.contains(gid) && List.of(f[3].split(",")).contains(user)) {
				out.add(gid);
			}
		}
		return out;
	}

	/** Whether this process runs with effective uid 0, as read from /proc/self/status. */
	static boolean runningAsRoot() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("Uid:")) {
					return line.split("\\s+")[2].equals("0");
				}
			}
		} catch (IOException | ArrayIndexOutOfBoundsException e) {
			// not Linux: say no, and the key that needs root says why it is refused
		}
		return false;
	}

	private static List<String[]> lines(Path file, int fields) {
		List<String[]> out = new ArrayList<>();
		try {
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				String[] f = line.split(":", -1);
				if (f.length >= fields && !line.startsWith("#")) {
					out.add(f);
				}
			}
		} catch (IOException e) {
			// no such file: nobody is known by name, numbers still work
		}
		return out;
	}

	private static Integer number(String text) {
		if (!text.matches("[0-9]{1,10}")) {
			return null;
		}
		long n = Long.parseLong(text);
		// (uid_t)-1 means "unchanged" to setresuid: not an identity
		return n < 0xFFFFFFFFL && n <= Integer.MAX_VALUE ? (int) n : null;
	}
}
