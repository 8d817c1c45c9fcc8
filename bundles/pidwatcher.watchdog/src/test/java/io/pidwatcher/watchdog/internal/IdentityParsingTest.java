package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity keys (user, groups, umask, nice, limit.*, no_new_privs) as people write them, and the argv they give. */
class IdentityParsingTest {

	@TempDir
	Path dir;

	private UnixAccounts accounts;

	@BeforeEach
	void accounts() throws IOException {
		Files.writeString(dir.resolve("passwd"), """
				root:x:0:0:root:/root:/bin/bash
				postgres:x:104:110:PostgreSQL:/var/lib/postgresql:/bin/bash
				web:x:1001:1001::/srv/web:
				""");
		Files.writeString(dir.resolve("group"), """
				root:x:0:
				ssl-cert:x:109:postgres,web
				postgres:x:110:
				web:x:1001:
				audio:x:29:web
				""");
		accounts = new UnixAccounts(dir.resolve("passwd"), dir.resolve("group"));
	}

	private ProcessIdentity parse(String... keyValues) {
		Map<String, Object> props = new HashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			props.put(keyValues[i], keyValues[i + 1]);
		}
		return ProcessIdentity.parse(props, accounts, true);
	}

	@Test
	void noKeysIsTheRuntimesIdentityAndNoPrefix() {
		ProcessIdentity id = parse("command", "sleep 1");
		assertThat(id).isEqualTo(ProcessIdentity.INHERITED);
		assertThat(IdentityCommand.prefix(id)).isEmpty();
		assertThat(id.environment()).isEmpty();
	}

	@Test
	void aUserBringsItsPrimaryAndSupplementaryGroupsAndItsLoginVariables() {
		ProcessIdentity id = parse("user", "web");
		assertThat(id.user().orElseThrow().uid()).isEqualTo(1001);
		assertThat(id.gid()).isEqualTo(OptionalInt.of(1001));
		assertThat(id.groups().orElseThrow()).containsExactly(109, 29);
		assertThat(id.environment()).containsEntry("USER", "web").containsEntry("LOGNAME", "web")
				.containsEntry("HOME", "/srv/web").doesNotContainKey("SHELL");
		assertThat(IdentityCommand.prefix(id)).containsExactly("/usr/bin/setpriv", "--regid=1001", "--groups=109,29",
				"--reuid=1001", "--");
		// by number too
		assertThat(parse("user", "104").user().orElseThrow().name()).isEqualTo("postgres");
	}

	@Test
	void groupsCanBeGivenOrCleared() {
		ProcessIdentity id = parse("user", "postgres", "user.group", "ssl-cert", "user.groups", "audio, 4242");
		assertThat(id.gid()).isEqualTo(OptionalInt.of(109));
		assertThat(id.groups().orElseThrow()).containsExactly(29, 4242);
		assertThat(IdentityCommand.prefix(parse("user", "postgres", "user.groups", ""))).contains("--clear-groups");
	}

	@Test
	void unknownUsersAndGroupsNameTheKey() {
		assertThatThrownBy(() -> parse("user", "postgers")).hasMessage("user 'postgers' does not exist (not in /etc/passwd)");
		assertThatThrownBy(() -> parse("user", "99999")).hasMessageContaining("user '99999' does not exist");
		assertThatThrownBy(() -> parse("user", "web", "user.group", "nogroup"))
				.hasMessage("user.group: group 'nogroup' does not exist (not in /etc/group)");
		assertThatThrownBy(() -> parse("user.groups", "audio,wheel")).hasMessageContaining("user.groups: group 'wheel'");
	}

	@Test
	void aRuntimeThatIsNotRootCannotChangeTheUser() {
		assertThatThrownBy(() -> ProcessIdentity.parse(Map.of("user", "web"), accounts, false))
				.hasMessageStartingWith("user: the runtime does not run as root");
		// limits, umask and nice need no root (lowering)
		assertThat(ProcessIdentity.parse(Map.of("umask", "077", "nice", "5", "limit.core", "0"), accounts, false).umask())
				.isEqualTo(OptionalInt.of(077));
	}

	@Test
	void umaskAndNice() {
		assertThat(parse("umask", "0027").umask()).isEqualTo(OptionalInt.of(027));
		assertThat(parse("umask", "022").umask()).isEqualTo(OptionalInt.of(022));
		assertThatThrownBy(() -> parse("umask", "0888")).hasMessageStartingWith("umask '0888' is not an octal mask");
		assertThatThrownBy(() -> parse("umask", "u=rwx")).hasMessageStartingWith("umask 'u=rwx'");
		assertThat(parse("nice", "-20").nice()).isEqualTo(OptionalInt.of(-20));
		assertThat(parse("nice", "19").nice()).isEqualTo(OptionalInt.of(19));
		assertThatThrownBy(() -> parse("nice", "20")).hasMessageStartingWith("nice 20 is out of range");
		assertThatThrownBy(() -> parse("nice", "-21")).hasMessageStartingWith("nice -21 is out of range");
		assertThatThrownBy(() -> parse("nice", "low")).hasMessageStartingWith("nice 'low' is not a whole number");
		assertThat(IdentityCommand.prefix(parse("umask", "027", "nice", "-5"))).containsExactly("/usr/bin/nice", "-n", "-5",
				"/usr/bin/sh", "-c", "umask 0027; exec \"$0\" \"$@\"");
	}

	@Test
	void limitsAsPrlimitNamesThem() {
		assertThat(ResourceLimit.parse("nofile", "4096")).isEqualTo(
				new ResourceLimit("nofile", OptionalLong.of(4096), OptionalLong.of(4096)));
		assertThat(ResourceLimit.parse("nofile", "1024:4096").prlimitOption()).isEqualTo("--nofile=1024:4096");
		assertThat(ResourceLimit.parse("core", "infinity").prlimitOption()).isEqualTo("--core=unlimited:unlimited");
		assertThat(ResourceLimit.parse("as", "512M:unlimited").prlimitOption()).isEqualTo("--as=536870912:unlimited");
		assertThat(ResourceLimit.parse("memlock", "64k").soft()).isEqualTo(OptionalLong.of(65536));
		assertThat(ResourceLimit.parse("cpu", "60").hard()).isEqualTo(OptionalLong.of(60));
		ProcessIdentity id = parse("limit.nofile", "100:200", "limit.core", "0", "no_new_privs", "true");
		assertThat(IdentityCommand.prefix(id)).containsExactly("/usr/bin/prlimit", "--core=0:0", "--nofile=100:200", "--",
				"/usr/bin/setpriv", "--nnp", "--");
	}

	@Test
	void badLimitsNameTheKey() {
		assertThatThrownBy(() -> parse("limit.nofiles", "10"))
				.hasMessageStartingWith("unknown key 'limit.nofiles': no resource limit 'nofiles' (did you mean 'limit.nofile'?)");
		assertThatThrownBy(() -> parse("limit.nofile", "-1")).hasMessage("limit.nofile '-1' is negative");
		assertThatThrownBy(() -> parse("limit.nofile", "lots")).hasMessage("limit.nofile 'lots' is not a whole number or infinity");
		assertThatThrownBy(() -> parse("limit.stack", "big")).hasMessageContaining("is not a size");
		assertThatThrownBy(() -> parse("limit.nproc", "99999999999999999999")).hasMessageContaining("limit.nproc");
		assertThatThrownBy(() -> parse("limit.nproc", "9223372036854775807")).hasMessageContaining("too large");
		assertThatThrownBy(() -> parse("limit.nofile", "100000000")).hasMessageContaining("fs.nr_open");
		assertThatThrownBy(() -> parse("limit.nofile", "infinity")).hasMessageContaining("fs.nr_open");
		assertThatThrownBy(() -> parse("limit.nofile", "200:100")).hasMessageContaining("soft limit is above the hard");
		assertThatThrownBy(() -> parse("limit.core", "infinity:100")).hasMessageContaining("unlimited soft limit needs");
		assertThatThrownBy(() -> parse("limit.rtprio", "100")).hasMessageContaining("out of range");
		assertThatThrownBy(() -> parse("no_new_privs", "maybe")).hasMessageContaining("no_new_privs 'maybe'");
	}

	@Test
	void aChangeOfIdentityNeedsARestart() {
		Path root = Path.of("/");
		ModuleSpec plain = ModuleSpec.parse("m", Map.of("command", "sh"), root);
		ModuleSpec limited = ModuleSpec.parse("m", Map.of("command", "sh", "limit.core", "0"), root);
		assertThat(plain.differsInHowItStarts(limited)).isTrue();
		assertThat(limited.differsInHowItStarts(ModuleSpec.parse("m", Map.of("command", "sh", "limit.core", "0"), root)))
				.isFalse();
		assertThat(List.of(plain.identity())).containsExactly(ProcessIdentity.INHERITED);
	}

	@Test
	void notifyWithAnotherUserIsRefusedRatherThanTimingOutAtEveryStart() {
		Path root = Path.of("/");
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "notify", "true", "user", "nobody"), root))
				.hasMessageStartingWith("notify=true with user=nobody: the notify socket is not reachable");
		assertThat(ModuleSpec.parse("m", Map.of("command", "sh", "notify", "true", "user", "root"), root).notifyProtocol())
				.isTrue();
	}
}
