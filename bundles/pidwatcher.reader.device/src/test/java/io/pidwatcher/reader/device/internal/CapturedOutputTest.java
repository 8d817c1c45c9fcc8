package io.pidwatcher.reader.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.reader.Membership;
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
		// the double-forked setsid sleeper: "web", parent gone (ppid 1), a member by fork
		assertThat(s.tasks()).anyMatch(t -> t.tagValue().equals("web") && t.ppid() == 1 && t.membership() == Membership.FORK);
		assertThat(s.tasks()).allMatch(t -> t.pid() == t.tgid() && t.threads() >= 1 && t.rssBytes() > 0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void membersByForkKeepTheInheritedValue(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-all-tagged.txt");
		// sh -c 'env -i sleep 300 & PIDWATCHER_MODULE=other sleep 300 & wait', started with the value "lineage"
		TaskSnapshot shell = s.tasks().stream().filter(t -> t.comm().equals("sh") && "lineage".equals(t.tagValue()))
				.findFirst().orElseThrow();
		assertThat(shell.membership()).isEqualTo(Membership.TAG);
		assertThat(s.tasks()).filteredOn(t -> t.ppid() == shell.pid())
				.hasSize(2)
				.allSatisfy(t -> {
					assertThat(t.comm()).isEqualTo("sleep");
					assertThat(t.tagValue()).isEqualTo("lineage"); // not "other", not absent
					assertThat(t.membership()).isEqualTo(Membership.FORK);
				});
		// the processes started with the tag are members by environment; their children by fork
		assertThat(s.tasks()).filteredOn(t -> t.comm().equals("a b\\\u00e9x")).singleElement()
				.extracting(TaskSnapshot::membership).isEqualTo(Membership.TAG);
		assertThat(s.tasks()).extracting(TaskSnapshot::membership).contains(Membership.TAG, Membership.FORK);
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void allListsUntaggedProcessesToo(String kernel) throws Exception {
		DeviceSnapshot s = snapshot("captured-" + kernel + "-all.txt");
		assertThat(s.filter()).isEqualTo("all");
		assertThat(s.tasks()).anyMatch(t -> !t.isTagged()).anyMatch(TaskSnapshot::isTagged);
		assertThat(s.tasks()).anyMatch(t -> t.pid() == 1);
		// a non-member carries TAG (TaskSnapshot's rule); members by fork are listed by "all" too
		assertThat(s.tasks()).filteredOn(t -> !t.isTagged()).allMatch(t -> t.membership() == Membership.TAG);
		assertThat(s.tasks()).anyMatch(t -> t.membership() == Membership.FORK && "lineage".equals(t.tagValue()));
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
		// members by fork (the env -i child, the child with another value) exit with the inherited value
		assertThat(records).filteredOn(r -> r instanceof ExitRecord.Exit e && e.value().equals("lineage")).hasSize(3);
		assertThat(records).allMatch(r -> ((ExitRecord.Exit) r).exitBoottimeNanos() > ((ExitRecord.Exit) r).startNanos());
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void capturedOutputWithAnotherVersionIsRefused(String kernel) throws Exception {
		byte[] b = resource("captured-" + kernel + "-all-tagged.txt");
		b["pidwatcher ".length()] = '1';
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(b, b.length))
				.isInstanceOf(ProtocolException.class).hasMessageContaining("unsupported device protocol version \"1\"");
	}

	@ParameterizedTest
	@ValueSource(strings = { "6.1", "6.12" })
	void capturedOutputCutShortIsRefused(String kernel) throws Exception {
		byte[] b = resource("captured-" + kernel + "-all.txt");
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(b, b.length / 2)).isInstanceOf(ProtocolException.class);
	}
}
