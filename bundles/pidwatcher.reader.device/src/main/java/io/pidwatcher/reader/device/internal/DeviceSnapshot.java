package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.List;

/**
 * One parsed snapshot of /dev/pidwatcher.
 *
 * @param boottimeNanos CLOCK_BOOTTIME when the kernel took it
 * @param truncated     the module hit max_tasks or max_snapshot_bytes
 * @param filter        the filter the snapshot was taken with, as the header prints it
 * @param tasks         one row per thread group, start times exactly as the kernel printed them
 * @param truncatedValues pids whose tag value the module cut at 4096 bytes ({@code ~} rows)
 */
record DeviceSnapshot(long boottimeNanos, boolean truncated, String filter, List<TaskSnapshot> tasks,
		List<Integer> truncatedValues) {

	DeviceSnapshot {
		tasks = List.copyOf(tasks);
		truncatedValues = List.copyOf(truncatedValues);
	}
}
