package io.pidwatcher.api.reader;

import org.osgi.annotation.versioning.ConsumerType;
/**
 * Whiteboard service: register one to be told when a tagged process exits. Readers call every
 * registered listener, on a reader thread, so implementations return quickly and never block.
 *
 * <p>Every running reader reports exits, not only the active one: each reader reports an exit at
 * most once, so with the kernel device loaded the same exit arrives twice (source "device" and
 * source "procfs"), usually within milliseconds. Use {@link ExitEvent#task()} to ignore repeats:
 * readers report start times in /proc's clock ticks (10 ms), so the {@link TaskId} of a process is
 * the same whichever reader saw it.
 */
@ConsumerType
@FunctionalInterface
public interface ExitListener {

	void exited(ExitEvent event);
}
