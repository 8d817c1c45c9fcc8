package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file: the lifecycle keys round-trip, and a file of the previous version still reads. */
class StateFileTest {

	@TempDir
	Path dir;

	@Test
	void aFailedModuleWithItsHistoryRoundTrips() {
		Path file = dir.resolve("state.properties");
		List<Failure> failures = List.of(
				new Failure(Instant.parse("2026-12-01T10:00:00.123456789Z"), Failure.Kind.EXITED,
						"all tasks exited (main pid 7 exit status 0)", OptionalInt.of(0)),
				new Failure(Instant.parse("2026-12-01T10:00:05Z"), Failure.Kind.UNHEALTHY,
						"odd = \\ reason\nwith a newline and ü", OptionalInt.empty()));
		StateFile.Entry entry = new StateFile.Entry(new TaskId(7, 123), "web.x.1", null, 3, Set.of(new TaskId(8, 124)),
				false, ModuleState.FAILED, Instant.parse("2026-12-01T09:59:00Z"), failures, true, null);
		new StateFile(file, WriteTrouble.SILENT).put("web.a", entry);
		assertThat(new StateFile(file, WriteTrouble.SILENT).load()).isEqualTo(Map.of("web.a", entry));
	}

	@Test
	void aFileOfThePreviousVersionReadsWithoutLifecycle() throws Exception {
		Path file = dir.resolve("state.properties");
		Files.writeString(file, """
				# pidwatcher watchdog state, for adoption after a restart. Rewritten whole.
				web.main=7@123
				web.instance=web.x.1
				web.started=2026-12-01T09:59:00Z
				web.restarts=2
				web.stopped=false
				web.untagged=8@124
				""");
		StateFile.Entry e = new StateFile(file, WriteTrouble.SILENT).load().get("web");
		assertThat(e).isEqualTo(new StateFile.Entry(new TaskId(7, 123), "web.x.1", Instant.parse("2026-12-01T09:59:00Z"),
				2, Set.of(new TaskId(8, 124)), false));
		assertThat(e.state()).isNull();
		assertThat(e.failures()).isEmpty();
	}

	/** Issue 11 part 4: a process released on request stays released across a runtime restart. */
	@Test
	void releasedTasksRoundTrip() {
		Path file = dir.resolve("state.properties");
		StateFile.Entry entry = new StateFile.Entry(new TaskId(7, 123), "web.x.1", null, 0, Set.of(), false, null, null,
				List.of(), false, null, Set.of(new TaskId(9, 125), new TaskId(10, 126)));
		new StateFile(file, WriteTrouble.SILENT).put("web", entry);
		assertThat(new StateFile(file, WriteTrouble.SILENT).load().get("web").released())
				.containsExactlyInAnyOrder(new TaskId(9, 125), new TaskId(10, 126));
	}
}
