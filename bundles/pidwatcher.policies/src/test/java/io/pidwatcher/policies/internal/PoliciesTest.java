package io.pidwatcher.policies.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The policies are pure functions of samples: driven here with made-up samples and clocks. */
class PoliciesTest {

	private static final long S = 1_000_000_000L;
	private static final HealthCheck.Heartbeat NO_SOCKET = new HealthCheck.Heartbeat(false, 0, OptionalLong.empty(), OptionalLong.empty(), false);

	private static TaskSnapshot task(int pid, char state, long rss) {
		return new TaskSnapshot(pid, 1, pid, 1, state, 0, "p", 1000 + pid, 0, rss, "m");
	}

	private static HealthSample sample(long seconds, double cpu, TaskSnapshot... tasks) {
		return new HealthSample(seconds * S, new TaskId(tasks[0].pid(), tasks[0].startTimeNanos()), List.of(tasks), cpu);
	}

	private static HealthCheck check(Map<String, String> params, List<HealthSample> samples, HealthCheck.Heartbeat hb, long now) {
		return new HealthCheck("m", params, samples, hb, now);
	}

	@Test
	void cpuNeedsNOfTheLastMSamplesAboveTheLimit() {
		List<HealthSample> s = new ArrayList<>();
		s.add(sample(0, 0, task(1, 'R', 0)));
		for (double cpu : new double[] { 95, 10, 95 }) {
			s.add(sample(s.size(), cpu, task(1, 'R', 0)));
		}
		Map<String, String> p = Map.of("limit", "90", "samples", "3", "window", "5");
		assertThat(new CpuPolicy().evaluate(check(p, s, NO_SOCKET, 4 * S))).isInstanceOf(HealthVerdict.Healthy.class);
		s.add(sample(4, 99, task(1, 'R', 0)));
		HealthVerdict v = new CpuPolicy().evaluate(check(p, s, NO_SOCKET, 5 * S));
		assertThat(v).isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(v.explanation()).contains("3 of the last 4 samples above 90%");
	}

	@Test
	void memoryIsSummedOverTheTree() {
		List<HealthSample> s = List.of(sample(0, 0, task(1, 'S', 30L << 20), task(2, 'S', 30L << 20)));
		HealthVerdict v = new MemoryPolicy().evaluate(check(Map.of("limit", "50M"), s, NO_SOCKET, S));
		assertThat(v).isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(v.explanation()).contains("tree RSS 60.0M (limit 50.0M)");
		assertThatThrownBy(() -> new MemoryPolicy().evaluate(check(Map.of(), s, NO_SOCKET, S)))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy.memory.limit is required");
	}

	@Test
	void stuckCountsOnlyAnUnbrokenRunOfSamplesInTheState() {
		List<HealthSample> s = List.of(sample(0, 0, task(1, 'D', 0)), sample(1, 0, task(1, 'S', 0)),
				sample(2, 0, task(1, 'D', 0)), sample(5, 0, task(1, 'D', 0)));
		assertThat(new StuckPolicy().evaluate(check(Map.of("limit", "4s"), s, NO_SOCKET, 5 * S)))
				.isInstanceOf(HealthVerdict.Healthy.class);
		HealthVerdict v = new StuckPolicy().evaluate(check(Map.of("limit", "3s"), s, NO_SOCKET, 5 * S));
		assertThat(v).isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(v.explanation()).contains("in state D for 3.0s");
	}

	@Test
	void tasksCountsTheLiveTasksOfTheWholeTree() {
		List<HealthSample> s = List.of(sample(0, 0, task(1, 'S', 0), task(2, 'R', 0), task(3, 'Z', 0)));
		assertThat(new TasksPolicy().evaluate(check(Map.of("max", "1"), s, NO_SOCKET, S)))
				.isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(new TasksPolicy().evaluate(check(Map.of("max", "2"), s, NO_SOCKET, S)).explanation())
				.as("a zombie is not a live task").isEqualTo("2 tasks (max 2)");
		assertThat(new TasksPolicy().evaluate(check(Map.of("max", "2"), s, NO_SOCKET, S)))
				.isInstanceOf(HealthVerdict.Healthy.class);
		assertThatThrownBy(() -> new TasksPolicy().evaluate(check(Map.of("max", "many"), s, NO_SOCKET, S)))
				.hasMessageContaining("policy.tasks.max 'many' is not a whole number");
	}

	@Test
	void zombiesAndLiveness() {
		List<HealthSample> s = List.of(sample(0, 0, task(1, 'S', 0), task(2, 'Z', 0), task(3, 'Z', 0)));
		assertThat(new ZombiesPolicy().evaluate(check(Map.of("max", "1"), s, NO_SOCKET, S)))
				.isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(new LivenessPolicy().evaluate(check(Map.of("min", "2"), s, NO_SOCKET, S)).explanation())
				.contains("1 tasks alive (at least 2 required)");
		List<HealthSample> mainGone = List.of(new HealthSample(0, new TaskId(9, 9), List.of(task(1, 'S', 0)), 0));
		assertThat(new LivenessPolicy().evaluate(check(Map.of("main", "true"), mainGone, NO_SOCKET, S)))
				.isInstanceOf(HealthVerdict.Unhealthy.class);
	}

	@Test
	void heartbeatTimesOutFromTheLastBeatOrFromReadiness() {
		List<HealthSample> s = List.of(sample(0, 0, task(1, 'S', 0)));
		Map<String, String> p = Map.of("timeout", "2s");
		assertThat(new HeartbeatPolicy().evaluate(check(p, s, new HealthCheck.Heartbeat(true, 0, OptionalLong.of(3 * S), OptionalLong.of(S), false), 4 * S)))
				.isInstanceOf(HealthVerdict.Healthy.class);
		assertThat(new HeartbeatPolicy().evaluate(check(p, s, new HealthCheck.Heartbeat(true, 0, OptionalLong.of(3 * S), OptionalLong.of(S), false), 6 * S)))
				.isInstanceOf(HealthVerdict.Unhealthy.class);
		assertThat(new HeartbeatPolicy().evaluate(check(p, s, new HealthCheck.Heartbeat(true, 0, OptionalLong.empty(), OptionalLong.of(S), false), 2 * S)))
				.isInstanceOf(HealthVerdict.Healthy.class);
		assertThat(new HeartbeatPolicy().evaluate(check(p, s, new HealthCheck.Heartbeat(true, 0, OptionalLong.empty(), OptionalLong.of(S), true), 2 * S)).explanation())
				.contains("WATCHDOG=trigger");
		assertThatThrownBy(() -> new HeartbeatPolicy().evaluate(check(p, s, NO_SOCKET, S)))
				.hasMessageContaining("notify=true");
	}
}
