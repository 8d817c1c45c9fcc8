package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main= rules on the trees nginx shows: a launcher (pid 100) that exits once the master (200,
 * parent 1) runs, with workers (201, 202); or, with daemon off, the master is the started process.
 */
class MainProcessTest {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(5);
	private static final long SECOND = 1_000_000_000L;

	@TempDir
	Path dir;

	private static TaskSnapshot task(int pid, int ppid, long start) {
		return new TaskSnapshot(pid, ppid, pid, 1, 'S', 0, "nginx", start, 0, 0, "web");
	}

	private static final TaskSnapshot LAUNCHER = task(100, 50, 10), MASTER = task(200, 1, 20), W1 = task(201, 200, 30),
			W2 = task(202, 200, 31);

	private static MainProcess.Observation seen(long now, TaskId main, boolean startedAlive, Integer exit,
			TaskSnapshot... alive) {
		return new MainProcess.Observation(now, main, 100, true, startedAlive, exit, OptionalInt.empty(), List.of(alive),
				START_TIMEOUT);
	}

	@Test
	void startedIsAliveWhileTheStartedProcessLivesAndDiesWithItWhateverItsWorkers() {
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.STARTED, null), 0, Instant.now());
		assertThat(p.judge(seen(1, LAUNCHER.id(), true, null, LAUNCHER, W1))).isEqualTo(new MainProcess.Alive(LAUNCHER.id(), null));
		MainProcess.Verdict v = p.judge(seen(2, LAUNCHER.id(), false, 137, W1, W2));
		assertThat(v).isInstanceOf(MainProcess.Died.class);
		assertThat(((MainProcess.Died) v).reason()).contains("main process pid 100 was killed by signal 9");
		assertThat(((MainProcess.Died) v).exitStatus()).isEqualTo(137);
		// exit 0 is a death too: only main=daemon hands over
		assertThat(p.judge(seen(3, LAUNCHER.id(), false, 0, MASTER))).isInstanceOf(MainProcess.Died.class);
	}

	@Test
	void aZombieNotReapedYetIsNotJudgedBeforeItsExitStatusIsKnown() {
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.STARTED, null), 0, Instant.now());
		assertThat(p.judge(seen(1, LAUNCHER.id(), true, null, W1))).isInstanceOf(MainProcess.Alive.class);
	}

	@Test
	void daemonHandsOverToTheMasterOnExitZeroThenTheMastersDeathIsTheModules() {
		MainProcess p = new MainProcess(MainRule.DEFAULT, 0, Instant.now());
		MainProcess.Verdict v = p.judge(seen(1, LAUNCHER.id(), false, 0, MASTER, W1, W2));
		assertThat(v).isInstanceOf(MainProcess.Alive.class);
		assertThat(((MainProcess.Alive) v).main()).isEqualTo(MASTER.id());
		assertThat(((MainProcess.Alive) v).change()).contains("left pid 200 (nginx) behind");
		assertThat(p.judge(seen(2, MASTER.id(), false, 0, MASTER, W1, W2))).isEqualTo(new MainProcess.Alive(MASTER.id(), null));
		MainProcess.Verdict dead = p.judge(new MainProcess.Observation(3, MASTER.id(), 100, true, false, 0,
				OptionalInt.of(9), List.of(W1, W2), START_TIMEOUT));
		assertThat(dead).isInstanceOf(MainProcess.Died.class);
		assertThat(((MainProcess.Died) dead).reason()).isEqualTo("main process pid 200 was killed by signal 9 (main=daemon)");
		// the reader's wait status, as the JDK would report it, for restart= (issue 14 part 4)
		assertThat(((MainProcess.Died) dead).exitStatus()).isEqualTo(128 + 9);
	}

	@Test
	void daemonTakesAFailedLauncherForAFailure() {
		MainProcess p = new MainProcess(MainRule.DEFAULT, 0, Instant.now());
		assertThat(p.judge(seen(1, LAUNCHER.id(), false, 1, MASTER))).isInstanceOf(MainProcess.Died.class);
	}

	@Test
	void noneIsAliveWhileAnythingLives() {
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.NONE, null), 0, Instant.now());
		assertThat(p.judge(seen(1, LAUNCHER.id(), false, 137, W1))).isInstanceOf(MainProcess.Alive.class);
	}

	@Test
	void pidfileWaitsForTheFileThenFollowsItAndItsChanges() throws Exception {
		Path file = dir.resolve("nginx.pid");
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.PIDFILE, file), 0, Instant.now());
		assertThat(p.judge(seen(1, LAUNCHER.id(), false, 0, MASTER))).isInstanceOf(MainProcess.Undecided.class);
		Files.writeString(file, "200\n");
		MainProcess.Verdict v = p.judge(seen(2, LAUNCHER.id(), false, 0, MASTER, W1));
		assertThat(((MainProcess.Alive) v).main()).isEqualTo(MASTER.id());
		assertThat(((MainProcess.Alive) v).change()).contains("read from " + file);
		// a binary upgrade: the new master writes its pid, the old one exits
		TaskSnapshot next = task(300, 1, 40);
		Files.writeString(file, "300\n");
		assertThat(((MainProcess.Alive) p.judge(seen(3, MASTER.id(), false, 0, next))).main()).isEqualTo(next.id());
		// the master is killed; its file stays behind naming it
		assertThat(p.judge(seen(4, next.id(), false, 0, W1))).isInstanceOf(MainProcess.Died.class);
	}

	@Test
	void aPidNotInTheTreeIsAFailureAfterTheGraceAndAMalformedFileAtOnce() throws Exception {
		Path file = dir.resolve("x.pid");
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.PIDFILE, file), 0, Instant.now());
		Files.writeString(file, "1\n");
		assertThat(p.judge(seen(SECOND, LAUNCHER.id(), false, 0, MASTER))).isInstanceOf(MainProcess.Undecided.class);
		MainProcess.Verdict v = p.judge(seen(SECOND + MainProcess.STRANGER_GRACE_NANOS, LAUNCHER.id(), false, 0, MASTER));
		assertThat(((MainProcess.Died) v).reason()).isEqualTo(file + " names pid 1, which is not a process of the module");
		Files.writeString(file, "garbage");
		assertThat(((MainProcess.Died) p.judge(seen(1, null, false, 0, MASTER))).reason()).contains("holds 'garbage'");
	}

	@Test
	void pidfileFailsWhenTheLauncherFailsOrTheFileNeverComes() {
		Path file = dir.resolve("never.pid");
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.PIDFILE, file), 0, Instant.now());
		assertThat(((MainProcess.Died) p.judge(seen(1, LAUNCHER.id(), false, 1, MASTER))).reason())
				.contains("exited with status 1 before writing " + file);
		MainProcess q = new MainProcess(new MainRule(MainRule.Kind.PIDFILE, file), 0, Instant.now());
		assertThat(q.judge(seen(START_TIMEOUT.toNanos(), LAUNCHER.id(), true, null, LAUNCHER)))
				.isInstanceOf(MainProcess.Undecided.class);
		assertThat(((MainProcess.Died) q.judge(seen(START_TIMEOUT.toNanos() + 1, LAUNCHER.id(), true, null, LAUNCHER)))
				.reason()).contains("not written within start.timeout 5s");
	}

	/** Adopted by a new runtime and killed before its first look at the file: no grace, the main is known. */
	@Test
	void anAdoptedMainNamedByTheFileIsDeadAtOnceWhenItIsGone() throws Exception {
		Path file = Files.writeString(dir.resolve("nginx.pid"), "200\n");
		MainProcess p = new MainProcess(new MainRule(MainRule.Kind.PIDFILE, file), 0, Instant.now().minusSeconds(5));
		MainProcess.Verdict v = p.judge(new MainProcess.Observation(1, MASTER.id(), 0, false, false, null,
				OptionalInt.empty(), List.of(W1, W2), START_TIMEOUT));
		assertThat(v).isInstanceOf(MainProcess.Died.class);
	}
}
