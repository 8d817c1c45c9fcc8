package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Pid reuse: a pid cannot be forced onto a new process, so a real, unrelated process stands in for
 * the one that took a dead task's pid: the stopper is told it tracked that pid with another start
 * time. It must never signal it (not even the SIGSTOP of the freeze).
 */
class TreeStopperTest {

	@Test
	void aTrackedPidNowHeldByAProcessWithAnotherStartTimeIsNeverSignalled() throws Exception {
		Process stranger = new ProcessBuilder("sleep", "60").start();
		try {
			int pid = (int) stranger.pid();
			long realStart = 5_000_000_000L;
			TaskSnapshot now = new TaskSnapshot(pid, 1, pid, 1, 'S', 0, "sleep", realStart, 0, 0, null);
			Set<TaskId> tracked = new HashSet<>(Set.of(new TaskId(pid, realStart - 1_000_000_000L)));
			TreeStopper stopper = new TreeStopper("web", tracked, () -> new ProcessSnapshot("test", "TAG",
					ScanScope.everything(), 0, Instant.now(), List.of(now), false));
			stopper.stop(15, Duration.ofMillis(500));
			assertThat(stranger.waitFor(300, TimeUnit.MILLISECONDS)).as("the stranger was killed").isFalse();
			String state = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
			assertThat(state.substring(state.lastIndexOf(')') + 2).charAt(0)).as("not frozen").isNotEqualTo('T');
		} finally {
			stranger.destroyForcibly();
		}
	}
}
