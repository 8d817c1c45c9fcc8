package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each probe against the real thing: a loopback socket, a command, a file (issue 14 part 2). */
class ReadinessProbeTest {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	@TempDir
	Path dir;

	@Test
	void tcpPassesWhenSomethingListensAndSaysWhyNot() throws IOException {
		int port;
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = s.getLocalPort();
			ReadinessProbe.Result open = ReadinessProbe.tcp("127.0.0.1", port, SECOND);
			assertThat(open.passed()).isTrue();
			assertThat(open.detail()).isEqualTo("connected to /127.0.0.1:" + port);
			assertThat(ReadinessProbe.tcp("localhost", port, SECOND).passed()).as("a name resolving to it too").isTrue();
		}
		ReadinessProbe.Result closed = ReadinessProbe.tcp("127.0.0.1", port, SECOND);
		assertThat(closed.passed()).isFalse();
		assertThat(closed.detail()).isEqualTo("connection refused");
		ReadinessProbe.Result unknown = ReadinessProbe.tcp("no-such-host.invalid", port, SECOND);
		assertThat(unknown).isEqualTo(new ReadinessProbe.Result(false, "unknown host no-such-host.invalid"));
	}

	@Test
	void tcpReachesAnIpv6Literal() throws IOException {
		InetAddress v6 = InetAddress.getByName("::1");
		try (ServerSocket s = new ServerSocket(0, 1, v6)) {
			assertThat(ReadinessProbe.tcp("::1", s.getLocalPort(), SECOND).passed()).isTrue();
		} catch (java.net.SocketException noIpv6) {
			org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback on this machine: " + noIpv6.getMessage());
		}
	}

	@Test
	void execPassesOnExitZeroAndShowsTheLastLineOtherwise() {
		assertThat(exec("true").passed()).isTrue();
		ReadinessProbe.Result failed = exec("sh", "-c", "echo starting; echo 'no response' >&2; exit 2");
		assertThat(failed).isEqualTo(new ReadinessProbe.Result(false, "exit status 2: no response"));
	}

	@Test
	void execRunsWithoutTheTagInTheModulesDirectoryAndEnvironment() throws IOException {
		Path seen = dir.resolve("seen");
		ReadinessProbe.Result r = ReadinessProbe.exec(target(new ReadyRule(ReadyRule.Kind.EXEC, null, 0,
				List.of("sh", "-c", "pwd > seen; echo \"${PIDWATCHER_MODULE-untagged} $FOO\" >> seen"), null),
				Map.of("FOO", "bar", "PIDWATCHER_MODULE", "m")), SECOND * 5);
		assertThat(r.passed()).as(r.detail()).isTrue();
		assertThat(Files.readAllLines(seen)).containsExactly(dir.toString(), "untagged bar");
	}

	@Test
	void execThatHangsIsKilledWithWhatItStartedAtTheBound() throws Exception {
		Path pidFile = dir.resolve("child.pid");
		long before = System.nanoTime();
		ReadinessProbe.Result r = exec("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; echo waiting; wait");
		long took = System.nanoTime() - before;
		assertThat(r.passed()).isFalse();
		assertThat(r.detail()).isEqualTo("killed after 300ms without exiting: waiting");
		assertThat(took).as("bounded").isLessThan(SECOND * 5);
		long child = Long.parseLong(Files.readString(pidFile).trim());
		long deadline = System.nanoTime() + SECOND * 5;
		while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the probe's child").isFalse();
	}

	@Test
	void aFileCountsOnceWrittenInThisRun() throws IOException {
		Path file = dir.resolve("ready");
		Instant start = Instant.now();
		assertThat(ReadinessProbe.file(file, start)).isEqualTo(new ReadinessProbe.Result(false, file + " does not exist yet"));
		Files.writeString(file, "");
		assertThat(ReadinessProbe.file(file, start)).isEqualTo(new ReadinessProbe.Result(true, file + " exists"));
		Files.setLastModifiedTime(file, FileTime.from(start.minusSeconds(60)));
		assertThat(ReadinessProbe.file(file, start))
				.isEqualTo(new ReadinessProbe.Result(false, file + " is older than this run (left by an earlier one)"));
	}

	private ReadinessProbe.Result exec(String... argv) {
		return ReadinessProbe.exec(target(new ReadyRule(ReadyRule.Kind.EXEC, null, 0, List.of(argv), null), Map.of()),
				TimeUnit.MILLISECONDS.toNanos(300));
	}

	private ReadinessProbe.Target target(ReadyRule rule, Map<String, String> env) {
		return new ReadinessProbe.Target(rule, dir, env, ProcessIdentity.INHERITED,
				List.of("PIDWATCHER_MODULE", "PIDWATCHER_INSTANCE"), Instant.now(), dir.resolve("out/probe.out"));
	}
}
