package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * The health history of a module holds {@link HealthRecord#MAX_SAMPLES} samples. Readers make new records
 * every scan; kept as they come, 200 modules of 25 tasks held 3 million task records (about 600 MiB
 * of live heap after five minutes of the soak test). A task that did not change is one record.
 */
class ModuleSamplesTest {

	/** A fresh record each call, as a reader makes one per scan; comm and tag are new strings too. */
	private static TaskSnapshot scanned(int pid, long cpu) {
		return new TaskSnapshot(pid, 1, pid, 1, 'S', 0, new String("sleeper"), 1000L * pid, cpu, 4096, new String("web"));
	}

	private static HealthSample sample(long at, List<TaskSnapshot> tasks) {
		return new HealthSample(at, tasks.get(0).id(), tasks, 0);
	}

	@Test
	void aQuietTreeIsHeldOnceHoweverManySamplesAreKept() {
		HealthRecord m = new HealthRecord();
		for (int i = 0; i < HealthRecord.MAX_SAMPLES; i++) {
			m.addSample(sample(i, IntStream.rangeClosed(1, 25).mapToObj(pid -> scanned(pid, 0)).toList()));
		}
		Set<TaskSnapshot> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
		m.samples.forEach(s -> distinct.addAll(s.tasks()));
		assertThat(m.samples).hasSize(HealthRecord.MAX_SAMPLES);
		assertThat(distinct).hasSize(25);
	}

	@Test
	void aChangedTaskIsANewRecordThatSharesItsUnchangedStrings() {
		HealthRecord m = new HealthRecord();
		m.addSample(sample(1, List.of(scanned(1, 0))));
		m.addSample(sample(2, List.of(scanned(1, 5_000_000))));
		TaskSnapshot before = m.samples.getFirst().tasks().get(0);
		TaskSnapshot after = m.samples.getLast().tasks().get(0);
		assertThat(after).isNotSameAs(before).isEqualTo(scanned(1, 5_000_000));
		assertThat(after.comm()).isSameAs(before.comm());
		assertThat(after.tagValue()).isSameAs(before.tagValue());
	}
}
