package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * user=, user.group=, user.groups=, umask=, nice=, limit.<name>= and no_new_privs= are applied to
 * the program itself (the pid the watchdog started), checked in /proc/<pid>/status, /limits and
 * /stat with the test's own eyes, for a real unprivileged user this test creates and removes; the
 * tag and the tree survive the change of user. Bad identity keys make only their module invalid.
 */
class IdentityTest extends WatchdogTestBase {

	private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
	private final String user = "pwid" + suffix;
	private final String primary = "pwidp" + suffix;
	private final String supplementary = "pwids" + suffix;
	private final List<List<String>> undo = new ArrayList<>();

	@BeforeEach
	void createUser() throws Exception {
		run("groupadd", primary);
		undo.add(0, List.of("groupdel", primary));
		run("groupadd", supplementary);
		undo.add(0, List.of("groupdel", supplementary));
		run("useradd", "--no-create-home", "--no-user-group", "--gid", primary, "--groups", supplementary, "--home-dir",
				"/nonexistent", "--shell", "/usr/sbin/nologin", user);
		undo.add(0, List.of("userdel", "--force", user));
	}

	@AfterEach
	void removeUser() throws Exception {
		// the user's processes go first (the base class would remove the modules only after this)
		try {
			modules.close();
		} finally {
			AssertionError first = null;
			for (List<String> command : undo) {
				try {
					run(command.toArray(String[]::new));
				} catch (AssertionError e) {
					first = first == null ? e : first;
				}
			}
			if (first != null) {
				throw first;
			}
		}
	}

	@Test
	void theProgramRunsAsTheUserWithItsGroupsLimitsUmaskAndNiceness() throws Exception {
		int uid = id("-u", user);
		int gid = id("-g", user);
		int supplementaryGid = gid(supplementary);
		String name = modules.define(TestPrograms.uniqueModule("identity"), "command", "/bin/sh -c 'sleep 120 & wait'",
				"interval", "200ms", "user", user, "umask", "027", "nice", "7", "limit.nofile", "123:456",
				"limit.core", "0", "limit.as", "1G:infinity", "no_new_privs", "true");
		ModuleStatus s = modules.await(name, "running with its child", st -> st.state() == ModuleState.RUNNING
				&& st.main() != null && st.tasks().size() == 2);
		int pid = s.main().pid();
		// the pid started is the program's: every helper exec'd in place
		assertThat(Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).trim()).isEqualTo("sh");

		Map<String, String> status = status(pid);
		assertThat(status.get("Uid")).isEqualTo(uid + "\t" + uid + "\t" + uid + "\t" + uid);
		assertThat(status.get("Gid")).isEqualTo(gid + "\t" + gid + "\t" + gid + "\t" + gid);
		assertThat(status.get("Groups").trim()).isEqualTo(Integer.toString(supplementaryGid));
		assertThat(status.get("NoNewPrivs")).isEqualTo("1");
		assertThat(status.get("Umask")).isEqualTo("0027");
		String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
		assertThat(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]).as("nice").isEqualTo("7");
		List<String> limits = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "limits"));
		assertThat(limit(limits, "Max open files")).containsExactly("123", "456");
		assertThat(limit(limits, "Max core file size")).containsExactly("0", "0");
		assertThat(limit(limits, "Max address space")).containsExactly("1073741824", "unlimited");

		// the tag and the lineage cross the change of user: the test's /proc walk and the runtime's reader
		List<Proc.Task> tree = modules.liveTree(name);
		assertThat(tree).extracting(Proc.Task::pid).contains(pid).hasSize(2);
		int child = tree.stream().mapToInt(Proc.Task::pid).filter(p -> p != pid).findFirst().orElseThrow();
		assertThat(status(child).get("Uid")).startsWith(uid + "\t");
		assertThat(Proc.tagged(name)).hasSize(2);
		assertThat(s.tasks()).extracting(TaskSnapshot::pid).containsExactlyInAnyOrder(pid, child);
		String environ = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")));
		assertThat(environ.split("\0")).contains("USER=" + user, "LOGNAME=" + user, "HOME=/nonexistent");
	}

	@Test
	void explicitGroupsReplaceTheUsersOwn() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("groups"), "command", "sleep 120", "user", user,
				"user.group", supplementary, "user.groups", "");
		int pid = modules.awaitState(name, ModuleState.RUNNING).main().pid();
		int supplementaryGid = gid(supplementary);
		Map<String, String> status = status(pid);
		assertThat(status.get("Gid")).startsWith(supplementaryGid + "\t");
		assertThat(status.get("Groups").trim()).isEmpty();
		assertThat(status.get("NoNewPrivs")).isEqualTo("0");
	}

	@Test
	void badIdentityKeysMakeOnlyTheirModuleInvalidAndNameTheKey() throws Exception {
		String healthy = modules.define(TestPrograms.uniqueModule("healthy"), "command", "sleep 120", "user", user);
		ModuleStatus before = modules.awaitState(healthy, ModuleState.RUNNING);
		Map<String, String> reasons = new LinkedHashMap<>();
		reasons.put("user=nosuchuser" + suffix, "user 'nosuchuser" + suffix + "' does not exist");
		reasons.put("user.group=nosuchgroup" + suffix, "user.group: group 'nosuchgroup" + suffix + "' does not exist");
		reasons.put("limit.nofiles=10", "unknown key 'limit.nofiles'");
		reasons.put("limit.nofile=-5", "limit.nofile '-5' is negative");
		reasons.put("limit.nproc=99999999999999999999", "limit.nproc");
		reasons.put("umask=999", "umask '999'");
		reasons.put("nice=20", "nice 20 is out of range");
		Map<String, String> bad = new LinkedHashMap<>();
		for (String keyValue : reasons.keySet()) {
			String[] kv = keyValue.split("=", 2);
			bad.put(modules.define(TestPrograms.uniqueModule("bad"), "command", "sleep 120", "user", user, kv[0], kv[1]),
					reasons.get(keyValue));
		}
		for (Map.Entry<String, String> e : bad.entrySet()) {
			assertThat(modules.awaitState(e.getKey(), ModuleState.INVALID).reason()).contains(e.getValue());
			assertThat(modules.liveTree(e.getKey())).isEmpty();
		}
		ModuleStatus after = supervisor.status(healthy);
		assertThat(after.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(after.main()).isEqualTo(before.main());
	}

	private static List<String> limit(List<String> limits, String name) {
		String line = limits.stream().filter(l -> l.startsWith(name)).findFirst().orElseThrow();
		String[] f = line.substring(26).trim().split("\\s+");
		return List.of(f[0], f[1]);
	}

	private static Map<String, String> status(int pid) throws IOException {
		Map<String, String> m = new LinkedHashMap<>();
		for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
			int colon = line.indexOf(':');
			m.put(line.substring(0, colon), line.substring(colon + 1).replaceFirst("^\\t", ""));
		}
		return m;
	}

	private static int gid(String group) throws IOException {
		return Integer.parseInt(Files.readAllLines(Path.of("/etc/group")).stream().filter(l -> l.startsWith(group + ":"))
				.findFirst().orElseThrow().split(":")[2]);
	}

	private static int id(String option, String user) throws Exception {
		return Integer.parseInt(run("id", option, user).trim());
	}

	private static String run(String... command) throws Exception {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		if (!p.waitFor(10, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(String.join(" ", command) + " did not finish in 10s");
		}
		String out = new String(p.getInputStream().readAllBytes());
		if (p.exitValue() != 0) {
			throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
		}
		return out;
	}
}
