package io.pidwatcher.reader.procfs.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses one datagram of the process events connector: netlink messages (struct nlmsghdr), each
 * carrying a connector message (struct cn_msg) that carries one struct proc_event. Whatever does
 * not fit (too short, another connector, an unknown layout) is skipped with a reason handed to
 * {@code skipped}, never thrown: the socket is shared with the kernel, and a bad record must cost
 * one debug line, not the reader.
 */
final class ProcEventParser {

	static final int NLMSG_HDRLEN = 16;
	static final int CN_MSG_LEN = 20;
	static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
	static final int CN_IDX_PROC = 1, CN_VAL_PROC = 1;
	static final int PROC_EVENT_NONE = 0, PROC_EVENT_FORK = 1, PROC_EVENT_EXEC = 2, PROC_EVENT_UID = 4,
			PROC_EVENT_EXIT = 0x80000000;
	/** what, cpu, timestamp_ns: the header every proc_event starts with. */
	private static final int EVENT_HEADER = 16;

	/**
	 * What one datagram held: the events, whether the kernel said it dropped some (overrun), and
	 * the newest event's timestamp (the kernel's CLOCK_MONOTONIC, which {@link System#nanoTime()}
	 * reads too; Long.MIN_VALUE when it held none).
	 */
	record Parsed(List<ProcEvent> events, boolean overrun, long newestNanos) {
		Parsed(List<ProcEvent> events, boolean overrun) {
			this(events, overrun, Long.MIN_VALUE);
		}
	}

	private ProcEventParser() {
	}

	static Parsed parse(byte[] datagram, int length, Consumer<String> skipped) {
		ByteBuffer buf = ByteBuffer.wrap(datagram, 0, Math.max(0, Math.min(length, datagram.length)))
				.order(ByteOrder.nativeOrder());
		List<ProcEvent> events = new ArrayList<>(1);
		boolean overrun = false;
		long newest = Long.MIN_VALUE;
		int at = 0;
		int end = buf.limit();
		while (end - at >= NLMSG_HDRLEN) {
			long messageLength = Integer.toUnsignedLong(buf.getInt(at));
			int type = Short.toUnsignedInt(buf.getShort(at + 4));
			if (messageLength < NLMSG_HDRLEN || messageLength > end - at) {
				skipped.accept("netlink message length " + messageLength + " at offset " + at + " of a "
						+ end + "-byte datagram");
				break;
			}
			int payload = at + NLMSG_HDRLEN;
			int payloadLength = (int) messageLength - NLMSG_HDRLEN;
			if (type == NLMSG_OVERRUN) {
				overrun = true;
			} else if (type == NLMSG_DONE) {
				ProcEvent e = connectorMessage(buf, payload, payloadLength, skipped);
				if (e != null) {
					events.add(e);
					// checked by connectorMessage: the event's header (what, cpu, timestamp_ns) is there
					newest = Math.max(newest, buf.getLong(payload + CN_MSG_LEN + 8));
				}
			} else if (type != NLMSG_NOOP) {
				skipped.accept("netlink message type " + type + (type == NLMSG_ERROR ? " (error)" : ""));
			}
			at += align4((int) messageLength);
		}
		if (at < end && end - at < NLMSG_HDRLEN && events.isEmpty() && !overrun) {
			skipped.accept((end - at) + " trailing bytes, shorter than a netlink header");
		}
		return new Parsed(events, overrun, newest);
	}

	private static ProcEvent connectorMessage(ByteBuffer buf, int at, int length, Consumer<String> skipped) {
		if (length < CN_MSG_LEN) {
			skipped.accept("connector message of " + length + " bytes, shorter than struct cn_msg");
			return null;
		}
		int idx = buf.getInt(at), val = buf.getInt(at + 4);
		if (idx != CN_IDX_PROC || val != CN_VAL_PROC) {
			skipped.accept("connector message for " + idx + ":" + val + ", not process events");
			return null;
		}
		long seq = Integer.toUnsignedLong(buf.getInt(at + 8));
		long ack = Integer.toUnsignedLong(buf.getInt(at + 12));
		int dataLength = Short.toUnsignedInt(buf.getShort(at + 16));
		if (dataLength > length - CN_MSG_LEN) {
			skipped.accept("connector data length " + dataLength + " beyond the message's " + (length - CN_MSG_LEN)
					+ " bytes");
			return null;
		}
		return procEvent(buf, at + CN_MSG_LEN, dataLength, seq, ack, skipped);
	}

	private static ProcEvent procEvent(ByteBuffer buf, int at, int length, long seq, long ack, Consumer<String> skipped) {
		if (length < EVENT_HEADER) {
			skipped.accept("process event of " + length + " bytes, shorter than its header");
			return null;
		}
		int what = buf.getInt(at);
		int cpu = buf.getInt(at + 4);
		int data = at + EVENT_HEADER;
		int dataLength = length - EVENT_HEADER;
		int needed = switch (what) {
			case PROC_EVENT_NONE -> 4;
			case PROC_EVENT_FORK, PROC_EVENT_EXIT -> 16;
			case PROC_EVENT_EXEC, PROC_EVENT_UID -> 8;
			default -> 0;
		};
		if (dataLength < needed) {
			skipped.accept(String.format("process event 0x%x with %d data bytes, needs %d", what, dataLength, needed));
			return null;
		}
		if (cpu < 0 || cpu > 65535) {
			skipped.accept("process event from cpu " + cpu);
			return null;
		}
		return switch (what) {
			case PROC_EVENT_NONE -> new ProcEvent.Ack(cpu, seq, ack, buf.getInt(data));
			case PROC_EVENT_FORK -> new ProcEvent.Fork(cpu, seq, buf.getInt(data), buf.getInt(data + 4),
					buf.getInt(data + 8), buf.getInt(data + 12));
			case PROC_EVENT_EXEC -> new ProcEvent.Exec(cpu, seq, buf.getInt(data), buf.getInt(data + 4));
			case PROC_EVENT_UID -> new ProcEvent.UidChange(cpu, seq, buf.getInt(data), buf.getInt(data + 4));
			case PROC_EVENT_EXIT -> new ProcEvent.Exit(cpu, seq, buf.getInt(data), buf.getInt(data + 4),
					buf.getInt(data + 8));
			default -> new ProcEvent.Other(cpu, seq, what);
		};
	}

	static int align4(int n) {
		return (n + 3) & ~3;
	}
}
