package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The connector's message parser on well-formed records and on garbage: skipped, counted, never thrown. */
class ProcEventParserTest {

	private final List<String> skipped = new ArrayList<>();

	/** One datagram as the kernel builds it: nlmsghdr, cn_msg, proc_event (header + data words). */
	static byte[] datagram(int idx, long seq, long ack, int what, int cpu, int... data) {
		int eventLength = 16 + 4 * data.length;
		ByteBuffer b = ByteBuffer.allocate(16 + 20 + eventLength).order(ByteOrder.nativeOrder());
		b.putInt(b.capacity()).putShort((short) ProcEventParser.NLMSG_DONE).putShort((short) 0).putInt(0).putInt(0);
		b.putInt(idx).putInt(1).putInt((int) seq).putInt((int) ack).putShort((short) eventLength).putShort((short) 0);
		b.putInt(what).putInt(cpu).putLong(123456789L);
		for (int d : data) {
			b.putInt(d);
		}
		return b.array();
	}

	private List<ProcEvent> parse(byte[] bytes) {
		return parse(bytes, bytes.length);
	}

	private List<ProcEvent> parse(byte[] bytes, int length) {
		return ProcEventParser.parse(bytes, length, skipped::add).events();
	}

	@Test
	void forkExecExitUidAndAckAreRead() {
		assertThat(parse(datagram(1, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200)))
				.containsExactly(new ProcEvent.Fork(1, 7, 100, 100, 200, 200));
		assertThat(parse(datagram(1, 8, 0, ProcEventParser.PROC_EVENT_EXEC, 0, 200, 200)))
				.containsExactly(new ProcEvent.Exec(0, 8, 200, 200));
		assertThat(parse(datagram(1, 9, 0, ProcEventParser.PROC_EVENT_EXIT, 1, 200, 200, 7 << 8, 17, 100, 100)))
				.containsExactly(new ProcEvent.Exit(1, 9, 200, 200, 7 << 8));
		assertThat(parse(datagram(1, 10, 0, ProcEventParser.PROC_EVENT_UID, 1, 200, 200, 0, 0)))
				.containsExactly(new ProcEvent.UidChange(1, 10, 200, 200));
		assertThat(parse(datagram(1, 0, 43, ProcEventParser.PROC_EVENT_NONE, 0, 0)))
				.containsExactly(new ProcEvent.Ack(0, 0, 43, 0));
		assertThat(parse(datagram(1, 11, 0, 0x200, 1, 200, 200, 0, 0, 0, 0))).containsExactly(new ProcEvent.Other(1, 11, 0x200));
		assertThat(skipped).isEmpty();
	}

	@Test
	void theEventsTimestampIsRead() {
		byte[] fork = datagram(1, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200);
		assertThat(ProcEventParser.parse(fork, fork.length, skipped::add).newestNanos()).isEqualTo(123456789L);
		byte[] foreign = datagram(2, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200);
		assertThat(ProcEventParser.parse(foreign, foreign.length, skipped::add).newestNanos())
				.as("no process event, no timestamp").isEqualTo(Long.MIN_VALUE);
	}

	@Test
	void shortRecordsAreSkippedWithAReason() {
		byte[] fork = datagram(1, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200);
		for (int length = 0; length < fork.length; length++) {
			assertThat(parse(fork, length)).as("fork record cut at %d bytes", length).isEmpty();
		}
		// a record whose own lengths are consistent but whose data is too short for its kind
		assertThat(parse(datagram(1, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100))).isEmpty();
		assertThat(parse(datagram(1, 7, 0, ProcEventParser.PROC_EVENT_EXIT, 1, 100))).isEmpty();
		assertThat(skipped).anyMatch(s -> s.contains("needs 16"));
		assertThat(skipped).anyMatch(s -> s.contains("netlink message length"));
	}

	@Test
	void otherConnectorsAndNetlinkTypesAreSkipped() {
		assertThat(parse(datagram(7, 1, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200))).isEmpty();
		byte[] error = datagram(1, 1, 0, ProcEventParser.PROC_EVENT_EXEC, 1, 5, 5);
		ByteBuffer.wrap(error).order(ByteOrder.nativeOrder()).putShort(4, (short) ProcEventParser.NLMSG_ERROR);
		assertThat(parse(error)).isEmpty();
		assertThat(skipped).anyMatch(s -> s.contains("not process events")).anyMatch(s -> s.contains("error"));
	}

	@Test
	void anOverrunMessageIsReportedAsLoss() {
		byte[] overrun = datagram(1, 1, 0, ProcEventParser.PROC_EVENT_EXEC, 1, 5, 5);
		ByteBuffer.wrap(overrun).order(ByteOrder.nativeOrder()).putShort(4, (short) ProcEventParser.NLMSG_OVERRUN);
		assertThat(ProcEventParser.parse(overrun, overrun.length, skipped::add).overrun()).isTrue();
	}

	@Test
	void lengthsThatLieAreNeverFollowedOutOfTheBuffer() {
		byte[] lie = datagram(1, 7, 0, ProcEventParser.PROC_EVENT_FORK, 1, 100, 100, 200, 200);
		ByteBuffer b = ByteBuffer.wrap(lie).order(ByteOrder.nativeOrder());
		b.putInt(0, Integer.MAX_VALUE); // nlmsg_len beyond the datagram
		assertThat(parse(lie)).isEmpty();
		b.putInt(0, lie.length).putShort(16 + 16, (short) 60000); // cn_msg len beyond the message
		assertThat(parse(lie)).isEmpty();
		b.putShort(16 + 16, (short) 0); // no proc_event at all
		assertThat(parse(lie)).isEmpty();
		b.putInt(0, 3); // shorter than its own header: must not loop forever
		assertThat(parse(lie)).isEmpty();
		assertThat(parse(lie, -5)).isEmpty();
	}

	@Test
	void randomGarbageNeverThrows() {
		Random random = new Random(11);
		byte[] good = datagram(1, 7, 0, ProcEventParser.PROC_EVENT_EXIT, 1, 200, 200, 0, 9, 100, 100);
		for (int i = 0; i < 200_000; i++) {
			byte[] bytes;
			if (i % 2 == 0) {
				bytes = new byte[random.nextInt(120)];
				random.nextBytes(bytes);
			} else { // a valid record with a few bytes flipped: reaches deeper checks
				bytes = good.clone();
				for (int k = 0; k < 1 + random.nextInt(4); k++) {
					bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
				}
			}
			ProcEventParser.parse(bytes, random.nextInt(bytes.length + 8) - 4, s -> { });
		}
	}

	@Test
	void sequenceGapsArePerCpu() {
		CpuSequences seq = new CpuSequences();
		assertThat(seq.gapBefore(0, 10)).isFalse();
		assertThat(seq.gapBefore(1, 500)).isFalse();
		assertThat(seq.gapBefore(0, 11)).isFalse();
		assertThat(seq.gapBefore(1, 501)).isFalse();
		assertThat(seq.gapBefore(0, 13)).as("12 never came").isTrue();
		assertThat(seq.gapBefore(0, 14)).isFalse();
		assertThat(seq.gapBefore(1, 0xffffffffL)).isTrue();
		assertThat(seq.gapBefore(1, 0)).as("the 32-bit counter wraps").isFalse();
		seq.reset();
		assertThat(seq.gapBefore(0, 99)).isFalse();
	}
}
