package io.pidwatcher.reader.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The protocol-2 parser on hand-written device output (captured output: {@link CapturedOutputTest}). */
class DeviceProtocolTest {

	private static DeviceSnapshot parse(String text) throws ProtocolException {
		byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
		return DeviceProtocol.parseSnapshot(b, b.length);
	}

	@Test
	void parsesHeaderAndRows() throws Exception {
		DeviceSnapshot s = parse("""
				pidwatcher 2 boottime_ns=123456789012 tasks=2 truncated=0 filter=all-tagged
				100 1 100 3 S 0 5000000000 12000000 4096000 pwtest env =web
				200 100 200 1 R 1000 6010000000 0 0 sleep fork =web
				""");
		assertThat(s.boottimeNanos()).isEqualTo(123456789012L);
		assertThat(s.truncated()).isFalse();
		assertThat(s.filter()).isEqualTo("all-tagged");
		assertThat(s.tasks()).containsExactly(
				new TaskSnapshot(100, 1, 100, 3, 'S', 0, "pwtest", 5_000_000_000L, 12_000_000L, 4_096_000L, "web",
						Membership.TAG),
				new TaskSnapshot(200, 100, 200, 1, 'R', 1000, "sleep", 6_010_000_000L, 0, 0, "web", Membership.FORK));
	}

	@Test
	void unescapesCommAndValueBytesIncludingUtf8() throws Exception {
		// comm "a b\c", value "x=1 ü\n" (ü is UTF-8 c3 bc)
		DeviceSnapshot s = parse("pidwatcher 2 boottime_ns=1 tasks=1 truncated=0 filter=all\n"
				+ "7 1 7 1 S 0 1 1 1 a\\x20b\\x5cc env =x=1\\x20\\xc3\\xbc\\x0a\n");
		TaskSnapshot t = s.tasks().get(0);
		assertThat(t.comm()).isEqualTo("a b\\c");
		assertThat(t.tagValue()).isEqualTo("x=1 \u00fc\n");
	}

	@Test
	void untaggedAndEmptyAndCutValues() throws Exception {
		DeviceSnapshot s = parse("""
				pidwatcher 2 boottime_ns=1 tasks=3 truncated=0 filter=all
				1 0 1 1 S 0 0 0 0 init - -
				2 1 2 1 S 0 0 0 0 sh env =
				3 1 3 1 S 0 0 0 0 sh fork ~aaaa
				""");
		assertThat(s.tasks()).extracting(TaskSnapshot::tagValue).containsExactly(null, "", "aaaa");
		// a non-member carries TAG, as TaskSnapshot documents
		assertThat(s.tasks()).extracting(TaskSnapshot::membership)
				.containsExactly(Membership.TAG, Membership.TAG, Membership.FORK);
		assertThat(s.truncatedValues()).containsExactly(3);
	}

	@Test
	void valueFilterHeaderAndUnsignedUid() throws Exception {
		DeviceSnapshot s = parse("pidwatcher 2 boottime_ns=18446744073709551615 tasks=1 truncated=0 filter=value:a\\x20b\n"
				+ "9 1 9 1 S 4294967294 0 0 0 x env =a\\x20b\n");
		assertThat(s.filter()).isEqualTo("value:a\\x20b");
		assertThat(s.boottimeNanos()).isEqualTo(-1L); // u64 max, kept as an unsigned long
		assertThat(s.tasks().get(0).uid()).isEqualTo(-2); // 4294967294 (nobody/overflow uid) as unsigned int
	}

	@Test
	void truncatedSnapshot() throws Exception {
		DeviceSnapshot s = parse("""
				pidwatcher 2 boottime_ns=5 tasks=1 truncated=1 filter=all-tagged
				10 1 10 1 S 0 0 0 0 a env =m
				""");
		assertThat(s.truncated()).isTrue();
		assertThat(s.tasks()).hasSize(1);
	}

	@Test
	void emptySnapshot() throws Exception {
		assertThat(parse("pidwatcher 2 boottime_ns=5 tasks=0 truncated=0 filter=all-tagged\n").tasks()).isEmpty();
	}

	@Test
	void unknownVersionIsRefusedBeforeAnythingElseIsRead() {
		assertThatThrownBy(() -> parse("pidwatcher 3 boottime_ns=5 tasks=1 truncated=0 filter=all-tagged extra=1\n"
				+ "anything at all\n"))
				.isInstanceOf(ProtocolException.class)
				.hasMessageContaining("unsupported device protocol version \"3\"")
				.hasMessageContaining("speaks version 2");
		// a protocol-1 module (rows without the membership column) is refused by its header alone
		assertThatThrownBy(() -> parse("pidwatcher 1 boottime_ns=5 tasks=1 truncated=0 filter=all\n"
				+ "1 0 1 1 S 0 0 0 0 init -\n"))
				.hasMessageContaining("unsupported device protocol version \"1\"");
		assertThatThrownBy(() -> DeviceProtocol.checkVersion("pidwatcher 10 whatever"))
				.hasMessageContaining("version \"10\"");
		assertThatThrownBy(() -> DeviceProtocol.checkVersion("hello"))
				.hasMessageContaining("not a pidwatcher device");
	}

	@Test
	void rowCountMustMatchTheHeader() {
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5 tasks=2 truncated=0 filter=all\n"
				+ "1 0 1 1 S 0 0 0 0 init - -\n"))
				.isInstanceOf(ProtocolException.class).hasMessageContaining("tasks=2 but 1 rows");
	}

	@Test
	void shortReadWithoutNewline() {
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5 tasks=1 truncated=0 filter=all\n1 0 1 1 S 0 0"))
				.isInstanceOf(ProtocolException.class).hasMessageContaining("line 2").hasMessageContaining("short read");
	}

	@Test
	void malformedRowsAndHeadersGiveClearErrors() {
		String h = "pidwatcher 2 boottime_ns=5 tasks=1 truncated=0 filter=all\n";
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init -\n")).hasMessageContaining("11 fields, expected 12");
		assertThatThrownBy(() -> parse(h + "x 0 1 1 S 0 0 0 0 init - -\n")).hasMessageContaining("pid \"x\"");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 Q 0 0 0 0 init - -\n")).hasMessageContaining("state \"Q\"");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 in\\x2 - -\n")).hasMessageContaining("bad escape");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 in\\n - -\n")).hasMessageContaining("bad escape");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init env ?x\n")).hasMessageContaining("value column");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 99999999999999999999 0 init - -\n"))
				.hasMessageContaining("does not fit 64 bits");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 -5 0 init - -\n")).hasMessageContaining("not an unsigned number");
		// the membership column: one of env, fork, -; and "-" exactly when the value is "-"
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init tag =a\n"))
				.hasMessageContaining("membership \"tag\" is none of env, fork, -");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init FORK =a\n")).hasMessageContaining("none of env");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init  =a\n")).hasMessageContaining("none of env");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init fork -\n")).hasMessageContaining("disagree");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 S 0 0 0 0 init - =a\n")).hasMessageContaining("disagree");
		assertThatThrownBy(() -> parse("pidwatcher 2 tasks=1 truncated=0 filter=all\n")).hasMessageContaining("5 fields");
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5 tasks=0 truncated=2 filter=all\n"))
				.hasMessageContaining("truncated=\"2\"");
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5 tasks=0 truncated=0 filter=some\n"))
				.hasMessageContaining("unknown filter");
		// the module's internal filter never reaches a reader: kmod/README.md lists three
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5 tasks=0 truncated=0 filter=none\n"))
				.hasMessageContaining("unknown filter");
		assertThatThrownBy(() -> parse(h + "1 0 1 1 P 0 0 0 0 init - -\n")).hasMessageContaining("state \"P\"");
		assertThatThrownBy(() -> parse("")).hasMessageContaining("empty snapshot");
		assertThatThrownBy(() -> parse("pidwatcher 2 boottime_ns=5")).hasMessageContaining("not terminated");
	}

	@Test
	void garbageBytesGiveAClearErrorNeverAnotherException() {
		String h = "pidwatcher 2 boottime_ns=5 tasks=1 truncated=0 filter=all\n";
		byte[] raw = (h + "1 0 1 1 S 0 0 0 0 init env =v\n").getBytes(StandardCharsets.ISO_8859_1);
		raw[h.length() + 20] = (byte) 0xff;
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(raw, raw.length))
				.isInstanceOf(ProtocolException.class).hasMessageContaining("byte 0xff").hasMessageContaining("garbled");
		byte[] nul = (h + "1 0 1 1 S 0 0 0 0 init env =v\0\n").getBytes(StandardCharsets.ISO_8859_1);
		assertThatThrownBy(() -> DeviceProtocol.parseSnapshot(nul, nul.length)).hasMessageContaining("byte 0x00");

		// Random garbage, and random corruption of a valid snapshot: only ProtocolException, or a valid parse.
		Random random = new Random(42);
		byte[] valid = (h + "1 0 1 1 S 0 0 0 0 init fork =v\\x20w\n").getBytes(StandardCharsets.ISO_8859_1);
		for (int i = 0; i < 20_000; i++) {
			byte[] data;
			if (i % 2 == 0) {
				data = new byte[random.nextInt(200)];
				random.nextBytes(data);
			} else {
				data = valid.clone();
				data[random.nextInt(data.length)] = (byte) random.nextInt(256);
			}
			try {
				DeviceProtocol.parseSnapshot(data, data.length);
			} catch (ProtocolException expected) {
				assertThat(expected.getMessage()).isNotBlank();
			}
		}
	}

	@Test
	void exitAndLostRecords() throws Exception {
		assertThat(DeviceProtocol.parseEvent("exit 42 5000000000 9 7000000000 =web\\x20a"))
				.isEqualTo(new ExitRecord.Exit(42, 5_000_000_000L, 9, 7_000_000_000L, "web a", false));
		assertThat(DeviceProtocol.parseEvent("exit 42 1 256 2 ~x"))
				.isEqualTo(new ExitRecord.Exit(42, 1, 256, 2, "x", true));
		assertThat(DeviceProtocol.parseEvent("lost 17")).isEqualTo(new ExitRecord.Lost(17));
		assertThatThrownBy(() -> DeviceProtocol.parseEvent("exit 42 1 9 2 -")).hasMessageContaining("value column");
		assertThatThrownBy(() -> DeviceProtocol.parseEvent("exit 42 1 x 2 =a")).hasMessageContaining("exit_code");
		assertThatThrownBy(() -> DeviceProtocol.parseEvent("fork 42")).hasMessageContaining("not an exit record");
	}

	@Test
	void scopesBecomeKernelFilters() {
		assertThat(DeviceReader.command(ScanScope.tagged())).isEqualTo("all-tagged");
		assertThat(DeviceReader.command(ScanScope.everything())).isEqualTo("all");
		assertThat(DeviceReader.command(ScanScope.module("web"))).isEqualTo("value web");
		assertThat(DeviceReader.command(ScanScope.module("x".repeat(300)))).isEqualTo("all-tagged");
	}

	@Test
	void startTimesAreReportedInProcTicksSoTaskIdsMatchAcrossReaders() {
		TaskSnapshot t = new TaskSnapshot(1, 0, 1, 1, 'S', 0, "a", 5_019_999_999L, 0, 0, "m");
		assertThat(DeviceReader.inTicks(t).startTimeNanos()).isEqualTo(5_010_000_000L);
	}

	@Test
	void escapeRoundTrips() throws Exception {
		byte[] all = new byte[256];
		for (int i = 0; i < 256; i++) {
			all[i] = (byte) i;
		}
		String escaped = DeviceProtocol.escape(all);
		assertThat(escaped).doesNotContain(" ").matches("[\\x21-\\x7e]*");
		assertThat(DeviceProtocol.unescape(escaped, "value", 1).getBytes(StandardCharsets.UTF_8))
				.isEqualTo(new String(all, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
	}
}
