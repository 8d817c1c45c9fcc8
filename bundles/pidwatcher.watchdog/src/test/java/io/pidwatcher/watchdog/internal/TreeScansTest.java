package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Which scans a tree stop takes: the module's own where the reader's lineage is trusted, and a
 * scan of every process only where the tree may have escaped it (issue 12 part 3).
 */
class TreeScansTest {

	/** A reader whose answers the test sets; it counts what it is asked. */
	private static final class Reader {
		OptionalLong lineage = OptionalLong.empty();
		List<TaskSnapshot> module = List.of();
		List<TaskSnapshot> everything = List.of();
		final List<ScanScope> asked = new ArrayList<>();

		ProcessSnapshot scan(ScanScope scope) {
			asked.add(scope);
			List<TaskSnapshot> tasks = scope.kind() == ScanScope.Kind.EVERYTHING ? everything : module;
			return new ProcessSnapshot("test", "TAG", scope, 0, Instant.now(), tasks, false, lineage);
		}

		long everythingScans() {
			return asked.stream().filter(s -> s.kind() == ScanScope.Kind.EVERYTHING).count();
		}
	}

	private final Reader reader = new Reader();
	private final LineageTrust trust = new LineageTrust();
	/** What the test says is dead, as a task's own /proc/PID/stat would. */
	private final Set<TaskId> dead = new HashSet<>();
	private final Set<TaskId> tracked = new HashSet<>();
	private final TreeScans scans = new TreeScans("web", tracked, reader::scan, () -> {
		ProcessSnapshot all = reader.scan(ScanScope.everything());
		trust.scannedEverything(all);
		return all;
	}, trust, id -> !dead.contains(id));


	private static TaskSnapshot member(int pid, Membership how) {
		return new TaskSnapshot(pid, 1, pid, 1, 'S', 0, "t" + pid, pid * 10L, 0, 0, "web", how);
	}

	@Test
	void aReaderWithoutLineageIsScannedInFullEveryTime() {
		reader.everything = List.of(member(10, Membership.TAG));
		scans.get();
		scans.get();
		assertThat(reader.everythingScans()).isEqualTo(2);
		assertThat(reader.asked).as("no module scan beside each scan of everything").containsOnly(ScanScope.everything());
	}

	@Test
	void aTrustedLineageServesTheStopWithTheModulesOwnScans() {
		reader.lineage = OptionalLong.of(7);
		reader.module = List.of(member(10, Membership.TAG), member(11, Membership.FORK));
		reader.everything = reader.module;
		scans.get(); // the first: no scan of everything under generation 7 yet
		tracked.add(reader.module.get(0).id());
		tracked.add(reader.module.get(1).id());
		for (int i = 0; i < 5; i++) {
			assertThat(scans.get().scope()).isEqualTo(ScanScope.module("web"));
		}
		assertThat(reader.everythingScans()).isEqualTo(1);
	}

	@Test
	void aNewGenerationIsScannedInFullOnceMore() {
		reader.lineage = OptionalLong.of(7);
		scans.get();
		scans.get();
		reader.lineage = OptionalLong.of(8); // rebuilt after lost events: a member may be missing
		assertThat(scans.get().scope()).isEqualTo(ScanScope.everything());
		assertThat(scans.get().scope()).isEqualTo(ScanScope.module("web"));
		assertThat(reader.everythingScans()).isEqualTo(2);
	}

	@Test
	void aTrackedTaskThatIsDeadCostsNoFullScan() {
		reader.lineage = OptionalLong.of(7);
		scans.get();
		TaskSnapshot killed = member(20, Membership.TAG); // the main just killed: the lineage dropped it
		tracked.add(killed.id());
		dead.add(killed.id());
		assertThat(scans.get().scope()).isEqualTo(ScanScope.module("web"));
		assertThat(reader.everythingScans()).isEqualTo(1);
	}

	@Test
	void aTrackedTaskTheLineageLacksCostsOneFullScanAndIsGoneForGoodWhenThatLacksItToo() {
		reader.lineage = OptionalLong.of(7);
		scans.get();
		TaskSnapshot adopted = member(20, Membership.TAG); // tracked from the state file, say
		tracked.add(adopted.id());
		reader.everything = List.of(adopted);
		assertThat(scans.get().scope()).as("an escaped task: everything").isEqualTo(ScanScope.everything());
		reader.everything = List.of(); // now it is dead
		assertThat(scans.get().scope()).isEqualTo(ScanScope.everything());
		assertThat(scans.get().scope()).as("a dead task costs no more full scans").isEqualTo(ScanScope.module("web"));
		assertThat(scans.get().scope()).isEqualTo(ScanScope.module("web"));
		assertThat(reader.everythingScans()).isEqualTo(3);
	}
}
