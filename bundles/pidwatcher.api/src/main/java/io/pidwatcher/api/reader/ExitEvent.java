package io.pidwatcher.api.reader;

import java.util.OptionalInt;

/**
 * A watched process has exited. Readers deliver these as soon as they learn of an exit (device
 * poll, pidfd), which is what lets the watchdog react in milliseconds rather than a scan later.
 *
 * @param task           the process that exited (pid plus start time: never a reused pid)
 * @param tagValue       the module it belonged to
 * @param waitStatus     the raw wait(2) status when the source knows it (the kernel device does;
 *                       a pidfd on a process that is not our child does not)
 * @param monotonicNanos {@link System#nanoTime()} when the reader learnt of the exit
 * @param source         the reader that saw it, e.g. "device" or "procfs"
 */
public record ExitEvent(TaskId task, String tagValue, OptionalInt waitStatus, long monotonicNanos, String source) {
}
