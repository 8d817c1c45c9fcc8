package io.pidwatcher.reader.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.reader.TaskSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser on real output of pidwatcher.ko (Debian 6.1 and 6.12 kernels), captured in QEMU guests by
 * itests/device-e2e/capture-guest.sh (see itests/device-e2e/README.md to capture again).
 */
class CapturedOutputTest {

	private static byte[] resource(String name) throws IOException {
		try (InputStream in = CapturedOutputTest.class.getResourceAsStream(name)) {
			assertThat(in).as(name).isNotNull();
			return in.readAllBytes();
		}
	}

	private static DeviceSnapshot snapshot(String name) throws Exception {
		byte[] b = resource(name);
		return DeviceProtocol.parseSnapshot(b, b.length);
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void allTaggedWithEscapedCommAndValues(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-all-tagged.txt");
		assertThat(s.filter()).isEqualTo("all-tagged");
		assertThat(s.truncated()).isFalse();
		assertThat(s.tasks()).allMatch(TaskSnapshot::isTagged);
		assertThat(s.tasks()).extracting(TaskSnapshot::comm).contains("sleep", "a b\\\u00e9x", "sh");
		assertThat(s.tasks()).extracting(TaskSnapshot::tagValue)
				.contains("web", "caf\u00e9 bar\\1", "tab\tnl\u0001", "v".repeat(4096));
		TaskSnapshot cut = s.tasks().stream().filter(t -> t.tagValue().startsWith("vvv")).findFirst().orElseThrow();
		assertThat(s.truncatedValues()).containsExactly(cut.pid());
		// the double-forked setsid sleeper: tagged "web", parent gone (ppid 1)
		assertThat(s.tasks()).anyMatch(t -> t.tagValue().equals("web") && t.ppid() == 1);
		assertThat(s.tasks()).allMatch(t -> t.pid() == t.tgid() && t.threads() >= 1 && t.rssBytes() > 0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void allListsUntaggedProcessesToo(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-all.txt");
		assertThat(s.filter()).isEqualTo("all");
		assertThat(s.tasks()).anyMatch(t -> !t.isTagged()).anyMatch(TaskSnapshot::isTagged);
		assertThat(s.tasks()).anyMatch(t -> t.pid() == 1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void valueFilterWithEscapedHeader(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-value.txt");
		assertThat(s.filter()).isEqualTo("value:caf\\xc3\\xa9\\x20bar\\x5c1");
		assertThat(s.tasks()).singleElement().satisfies(t -> {
			assertThat(t.tagValue()).isEqualTo("caf\u00e9 bar\\1");
			assertThat(t.comm()).isEqualTo("a b\\\u00e9x");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void truncatedSnapshot(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-truncated.txt");
		assertThat(s.truncated()).isTrue();
		assertThat(s.tasks()).hasSize(2); // max_tasks=2
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void exitRecords(String kernel) throws Exception {
		List<ExitRecord> records = new ArrayList<>();
		for (String line : new String(resource("captured-" + kernel + "-events.txt"), StandardCharsets.US_ASCII).split("\n")) {
			records.add(DeviceProtocol.parseEvent(line));
		}
		assertThat(records).hasSizeGreaterThanOrEqualTo(5).allMatch(r -> r instanceof ExitRecord.Exit);
		ExitRecord.Exit killed = (ExitRecord.Exit) records.get(0);
		assertThat(killed.value()).isEqualTo("caf\u00e9 bar\\1");
		assertThat(killed.exitCode()).isEqualTo(9); // wait status of SIGKILL
		assertThat(records).anyMatch(r -> r instanceof ExitRecord.Exit e && e.valueTruncated() && e.value().length() == 4096);
		assertThat(records).anyMatch(r -> r instanceof ExitRecord.Exit e && e.exitCode() == 15 && e.value().equals("web"));
		assertThat(records).allMatch(r -> ((ExitRecord.Exit) r).exitBoottimeNanos() > ((ExitRecord.Exit) r).startNanos());
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void capturedOutputWithAnotherVersionIsRefused(String kernel) throws Exception {
		byte[] b = resource("captured-" + kernel + "-all-tagged.txt");
		b["pidwatcher ".length()] = '2';
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(b, b.length))
				.isInstanceOf(ProtocolException.class).hasMessageContaining("unsupported device protocol version \"2\"");
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void capturedOutputCutShortIsRefused(String kernel) throws Exception {
		byte[] b = resource("captured-" + kernel + "-all.txt");
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(b, b.length / 2)).isInstanceOf(ProtocolException.class);
	}
}
