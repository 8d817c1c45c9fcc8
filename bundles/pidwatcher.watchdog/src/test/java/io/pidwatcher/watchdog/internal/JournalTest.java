package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal file is JSON lines that a restarted runtime reads back into pw:events. */
class JournalTest {

	@Test
	void entriesSurviveARestartAndABrokenLastLine(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("journal.jsonl");
		Journal first = new Journal(file, 3);
		JournalEntry odd = new JournalEntry(Instant.parse("2026-01-02T03:04:05.123Z"), "web", "web.x.1",
				ModuleState.GAVE_UP, ModuleState.WAITING, "quote \" backslash \\ tab \t newline \n ctrl \u0001 done");
		first.add(new JournalEntry(Instant.now(), "db", "", ModuleState.STOPPED, ModuleState.STARTING, "autostart"));
		first.add(odd);
		first.close();
		assertThat(Files.readAllLines(file)).hasSize(2).allMatch(l -> l.startsWith("{\"at\":"));
		Files.writeString(file, "{\"at\":\"2026-01-02T03:04", StandardOpenOption.APPEND); // cut by kill -9

		Journal second = new Journal(file, 3);
		second.loadTail();
		assertThat(second.recent(null, 10)).hasSize(2).last().isEqualTo(odd);
		assertThat(second.recent("db", 10)).singleElement().extracting(JournalEntry::reason).isEqualTo("autostart");
		JournalEntry next = new JournalEntry(Instant.now(), "db", "", ModuleState.STARTING, ModuleState.RUNNING, "up");
		second.add(next);
		second.close();
		Journal third = new Journal(file, 3);
		third.loadTail();
		assertThat(third.recent(null, 10)).as("the cut line does not swallow the next entry").last().isEqualTo(next);
	}
}
