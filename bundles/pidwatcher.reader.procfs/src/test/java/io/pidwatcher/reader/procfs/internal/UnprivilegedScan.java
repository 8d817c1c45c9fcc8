package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.file.Path;

/**
 * Runs one tagged scan and prints its counts and pids. Started by {@link ScanAsUnprivilegedUserTest}
 * in a JVM that runs as nobody, where most of /proc is unreadable.
 */
public final class UnprivilegedScan {

	private UnprivilegedScan() {
	}

	public static void main(String[] args) {
		ProcfsScanner.Result result = new ProcfsScanner(Path.of("/proc")).scan(args[0], ScanScope.tagged());
		System.out.println("examined=" + result.examined() + " unreadable=" + result.unreadable()
				+ " vanished=" + result.vanished());
		for (TaskSnapshot task : result.tasks()) {
			System.out.println("pid=" + task.pid() + " value=" + task.tagValue());
		}
	}
}
