package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** ready= as users write it (issue 14 part 2): each probe, the default, and bad values naming the key. */
class ReadyRuleTest {

	private static final Path ROOT = Path.of("/");

	private static ModuleSpec parse(String... keys) {
		Map<String, Object> props = new LinkedHashMap<>();
		props.put("command", "sh");
		for (int i = 0; i < keys.length; i += 2) {
			props.put(keys[i], keys[i + 1]);
		}
		return ModuleSpec.parse("m", props, ROOT);
	}

	@Test
	void runningIsTheDefaultAndNotifyKeepsItsMeaning() {
		assertThat(KeyNames.PLAIN).contains("ready");
		assertThat(parse().ready()).isEqualTo(ReadyRule.RUNNING);
		assertThat(parse("ready", "running").ready()).isEqualTo(ReadyRule.RUNNING);
		assertThat(parse("notify", "true").ready()).isEqualTo(ReadyRule.NOTIFY);
		assertThat(parse("notify", "true").ready().describe()).isEqualTo("notify=true");
	}

	@Test
	void tcpTakesANameAnIpv4OrABracketedIpv6Literal() {
		ReadyRule v4 = parse("ready", "tcp:127.0.0.1:5432").ready();
		assertThat(v4.kind()).isEqualTo(ReadyRule.Kind.TCP);
		assertThat(v4.host()).isEqualTo("127.0.0.1");
		assertThat(v4.port()).isEqualTo(5432);
		assertThat(v4.describe()).isEqualTo("ready=tcp:127.0.0.1:5432");
		ReadyRule v6 = parse("ready", "tcp:[::1]:8080").ready();
		assertThat(v6.host()).isEqualTo("::1");
		assertThat(v6.port()).isEqualTo(8080);
		assertThat(v6.describe()).isEqualTo("ready=tcp:[::1]:8080");
		assertThat(parse("ready", " tcp:db.example.org:1 ").ready().host()).isEqualTo("db.example.org");
		assertThat(parse("ready", "tcp:localhost:65535").ready().port()).isEqualTo(65535);
	}

	@Test
	void execIsSplitLikeCommandAndItsProgramMustExist() {
		ReadyRule exec = parse("ready", "exec:sh -c 'test -e /x'").ready();
		assertThat(exec.kind()).isEqualTo(ReadyRule.Kind.EXEC);
		assertThat(exec.command()).containsExactly("sh", "-c", "test -e /x");
		assertThatThrownBy(() -> parse("ready", "exec:no-such-probe-program"))
				.hasMessage("ready=exec:no-such-probe-program: command no-such-probe-program not found on PATH");
		assertThatThrownBy(() -> parse("ready", "exec:sh 'open")).hasMessageStartingWith("ready=exec:sh 'open: unterminated");
	}

	@Test
	void fileIsResolvedAgainstTheDirectory() {
		assertThat(parse("ready", "file:/run/x.ready").ready().file()).isEqualTo(Path.of("/run/x.ready"));
		assertThat(parse("ready", "file:tmp/../tmp/x").ready().file()).isEqualTo(Path.of("/tmp/x"));
	}

	@Test
	void badValuesNameTheKey() {
		assertThatThrownBy(() -> parse("ready", "tcp:nohost")).hasMessage("ready=tcp:nohost: no port (ready=tcp:HOST:PORT)");
		assertThatThrownBy(() -> parse("ready", "tcp:h:99999")).hasMessage("ready=tcp:h:99999: port '99999' is not 1-65535");
		assertThatThrownBy(() -> parse("ready", "tcp:h:0")).hasMessage("ready=tcp:h:0: port '0' is not 1-65535");
		assertThatThrownBy(() -> parse("ready", "tcp:h:http")).hasMessage("ready=tcp:h:http: port 'http' is not 1-65535");
		assertThatThrownBy(() -> parse("ready", "tcp::80")).hasMessage("ready=tcp::80: '' is not a host name or address");
		assertThatThrownBy(() -> parse("ready", "tcp:300.1.1.1:80"))
				.hasMessage("ready=tcp:300.1.1.1:80: '300.1.1.1' is not a host name or address");
		assertThatThrownBy(() -> parse("ready", "tcp:::1:80"))
				.hasMessage("ready=tcp:::1:80: an IPv6 address is written [ADDRESS]:PORT");
		assertThatThrownBy(() -> parse("ready", "tcp:[::1]80"))
				.hasMessage("ready=tcp:[::1]80: an IPv6 address is written [ADDRESS]:PORT");
		assertThatThrownBy(() -> parse("ready", "tcp:[nope]:80")).hasMessage("ready=tcp:[nope]:80: 'nope' is not an IPv6 address");
		assertThatThrownBy(() -> parse("ready", "exec:")).hasMessage("ready=exec:: no command (ready=exec:COMMAND ARGS...)");
		assertThatThrownBy(() -> parse("ready", "exec:   ")).hasMessageStartingWith("ready=exec:: no command");
		assertThatThrownBy(() -> parse("ready", "file:")).hasMessage("ready=file:: no file (ready=file:PATH)");
		assertThatThrownBy(() -> parse("ready", "foo:x"))
				.hasMessage("ready 'foo:x' is not one of running, tcp:HOST:PORT, exec:COMMAND, file:PATH");
		assertThatThrownBy(() -> parse("ready", "")).hasMessage("ready is empty (leave the key out for the default, 'running')");
		assertThatThrownBy(() -> parse("ready", "tcp:127.0.0.1:5432", "notify", "true"))
				.hasMessageStartingWith("ready=tcp:127.0.0.1:5432 and notify=true both say when the module is ready");
		assertThatThrownBy(() -> parse("redy", "running")).hasMessage("unknown key 'redy' (did you mean 'ready'?)");
	}
}
