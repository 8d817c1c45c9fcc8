package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The health history shares the task records that did not change between samples: 600 samples of
 * every tree otherwise fill the heap (the soak's live heap grew 87 MiB in 2 minutes when members by
 * fork were never shared).
 */
class HealthRecordTest {

	private static TaskSnapshot task(int pid, long cpu, Membership how) {
		return new TaskSnapshot(pid, 1, pid, 1, 'S', 0, "sleeper", 1_000_000_000L, cpu, 4096, "web", how);
	}

	private static HealthSample sample(long at, TaskSnapshot... tasks) {
		return new HealthSample(at, null, List.of(tasks), 0);
	}

	@Test
	void aMemberByForkThatChangedOnceIsSharedAgainOnceItStopsChanging() {
		HealthRecord health = new HealthRecord();
		health.addSample(sample(1, task(10, 0, Membership.TAG), task(11, 0, Membership.FORK)));
		health.addSample(sample(2, task(10, 0, Membership.TAG), task(11, 5, Membership.FORK))); // 11 used CPU
		health.addSample(sample(3, task(10, 0, Membership.TAG), task(11, 5, Membership.FORK)));
		health.addSample(sample(4, task(10, 0, Membership.TAG), task(11, 5, Membership.FORK)));
		List<HealthSample> samples = List.copyOf(health.samples);
		assertThat(samples.get(3).tasks().get(0)).isSameAs(samples.get(0).tasks().get(0));
		assertThat(samples.get(2).tasks().get(1)).as("unchanged since sample 2: the same record")
				.isSameAs(samples.get(1).tasks().get(1));
		assertThat(samples.get(3).tasks().get(1)).isSameAs(samples.get(1).tasks().get(1));
		assertThat(samples.get(3).tasks().get(1).membership()).isEqualTo(Membership.FORK);
	}
}
