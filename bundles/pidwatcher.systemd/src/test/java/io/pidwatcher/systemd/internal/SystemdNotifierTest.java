package io.pidwatcher.systemd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.StrategyStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notifier against a real AF_UNIX datagram socket bound by the test, as systemd binds
 * NOTIFY_SOCKET. The test plays the supervision loop: it calls loopPassed itself, with the
 * monotonic times a loop would pass.
 */
class SystemdNotifierTest {

	private static final Duration QUIET = Duration.ofMillis(200);
	private static final Duration ARRIVES = Duration.ofSeconds(5);
	private static final long MS = 1_000_000L;

	private Path dir;
	private String address;
	private final List<String> errors = new CopyOnWriteArrayList<>();
	private final List<String> infos = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() throws IOException {
		// /tmp keeps the path short: sun_path holds 108 bytes
		dir = Files.createTempDirectory(Path.of("/tmp"), "pw-notify");
		address = dir.resolve("notify").toString();
	}

	@AfterEach
	void tearDown() throws IOException {
		Files.deleteIfExists(dir.resolve("notify"));
		Files.deleteIfExists(dir);
	}

	private SystemdNotifier notifier(NotifySocket socket, Duration watchdog) {
		return new SystemdNotifier(socket, Optional.ofNullable(watchdog).map(WatchdogSetting::new), errors::add, infos::add);
	}

	@Test
	void readyOnlyOnceEtcIsLoadedAndTwoLoopPassesFollowed() throws Exception {
		try (DatagramReceiver systemd = new DatagramReceiver(address); NotifySocket socket = NotifySocket.open(address)) {
			SystemdNotifier n = notifier(socket, null);
			List<ModuleStatus> modules = List.of(status("a", ModuleState.RUNNING), status("b", ModuleState.WAITING));

			n.loopPassed(1 * MS);
			n.loopPassed(2 * MS);
			n.report(modules, 3 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("STATUS=starting: 2 modules, 1 running, 1 waiting");

			n.etcLoaded();
			n.loopPassed(4 * MS);
			n.report(modules, 5 * MS);
			assertThat(systemd.drain(QUIET)).as("one pass after etc/ may have begun before it").isEmpty();

			n.loopPassed(6 * MS);
			n.report(modules, 7 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("READY=1\nSTATUS=2 modules, 1 running, 1 waiting");
			assertThat(n.ready()).isTrue();

			n.report(modules, 8 * MS);
			assertThat(systemd.drain(QUIET)).as("nothing changed, nothing said").isEmpty();
			n.report(List.of(status("a", ModuleState.RUNNING), status("b", ModuleState.RUNNING)), 9 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("STATUS=2 modules, 2 running");
			assertThat(errors).isEmpty();
		}
	}

	/**
	 * Seen in the systemd guest: a runtime stopping (systemd's start timeout) had its supervisor
	 * gone when its two passes after etc/ were counted, and told systemd READY=1 with "the
	 * supervisor is not running". Without a supervisor nothing is adopted or started: not ready.
	 */
	@Test
	void noReadyWhileTheSupervisorIsNotThere() throws Exception {
		try (DatagramReceiver systemd = new DatagramReceiver(address); NotifySocket socket = NotifySocket.open(address)) {
			SystemdNotifier n = notifier(socket, null);
			n.etcLoaded();
			n.loopPassed(1 * MS);
			n.loopPassed(2 * MS);
			n.report(null, 3 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("STATUS=starting: the supervisor (bundle pidwatcher.watchdog) is not running");
			assertThat(n.ready()).isFalse();
			n.report(List.of(status("a", ModuleState.RUNNING)), 4 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("READY=1\nSTATUS=1 module, 1 running");
		}
	}

	@Test
	void watchdogPingsComeFromLoopPassesAtHalfTheTimeoutAndStopWhenTheLoopHangs() throws Exception {
		try (DatagramReceiver systemd = new DatagramReceiver(address); NotifySocket socket = NotifySocket.open(address)) {
			SystemdNotifier n = notifier(socket, Duration.ofSeconds(2));
			n.etcLoaded();
			n.loopPassed(1000 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("WATCHDOG=1");
			n.loopPassed(1500 * MS);
			n.loopPassed(1999 * MS);
			assertThat(systemd.drain(QUIET)).as("within half of WATCHDOG_USEC of the last ping").isEmpty();
			n.loopPassed(2000 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("WATCHDOG=1");
			n.report(List.of(), 2100 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("READY=1\nSTATUS=0 modules");

			// The loop hangs: the reporting thread goes on, but no WATCHDOG=1 comes from it.
			n.report(List.of(), 3000 * MS);
			n.report(List.of(), 4100 * MS);
			n.report(List.of(), 5000 * MS);
			assertThat(systemd.drain(QUIET)).isEmpty();
			assertThat(errors).singleElement().asString()
					.contains("has not passed for 2100 ms").contains("WatchdogSec=2000ms");

			n.loopPassed(6000 * MS);
			assertThat(systemd.next(ARRIVES)).isEqualTo("WATCHDOG=1");
			assertThat(infos).contains("the supervision loop runs again; WATCHDOG=1 resumed");
		}
	}

	@Test
	void anAbstractSocketNameIsAddressedAsNulWithItsExactLength() throws Exception {
		String name = "@pidwatcher-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
		try (DatagramReceiver systemd = new DatagramReceiver(name); NotifySocket socket = NotifySocket.open(name)) {
			socket.send("READY=1");
			assertThat(systemd.next(ARRIVES)).isEqualTo("READY=1");
		}
		// A receiver bound to a longer name (the same bytes plus one) must not get it.
		try (DatagramReceiver other = new DatagramReceiver(name + "x"); NotifySocket socket = NotifySocket.open(name)) {
			assertThatThrownBy(() -> socket.send("READY=1")).isInstanceOf(IOException.class)
					.hasMessageContaining("cannot reach NOTIFY_SOCKET=" + name);
			assertThat(other.drain(QUIET)).isEmpty();
		}
	}

	@Test
	void anUnreachableSocketIsSaidOnceAndAgainWhenItIsBack() throws Exception {
		try (NotifySocket socket = NotifySocket.open(address)) {
			SystemdNotifier n = notifier(socket, Duration.ofSeconds(1));
			n.etcLoaded();
			for (int i = 1; i <= 5; i++) {
				n.loopPassed(i * 1000 * MS);
			}
			n.report(List.of(), 6000 * MS);
			assertThat(n.ready()).as("the runtime goes on as if heard").isTrue();
			assertThat(errors).singleElement().asString()
					.startsWith("cannot reach NOTIFY_SOCKET=" + address + ": No such file or directory")
					.contains("said once");
			try (DatagramReceiver systemd = new DatagramReceiver(address)) {
				n.loopPassed(7000 * MS);
				assertThat(systemd.next(ARRIVES)).isEqualTo("WATCHDOG=1");
				assertThat(infos).contains("NOTIFY_SOCKET=" + address + " can be reached again");
			}
		}
	}

	@Test
	void badNotifySocketValuesAreRefusedByName() {
		assertThatThrownBy(() -> NotifySocket.open("run/notify")).hasMessage(
				"NOTIFY_SOCKET=run/notify is neither an absolute path nor an abstract socket name ('@...')");
		assertThatThrownBy(() -> NotifySocket.open("/" + "x".repeat(120))).hasMessageContaining("longer than a socket path");
		assertThatThrownBy(() -> NotifySocket.open("")).hasMessage("NOTIFY_SOCKET is empty");
	}

	@Test
	void watchdogSettingHonoursWatchdogPidAndNamesABadValue() {
		assertThat(WatchdogSetting.from(Map.of("WATCHDOG_USEC", "4000000"), 42)).contains(new WatchdogSetting(Duration.ofSeconds(4)));
		assertThat(WatchdogSetting.from(Map.of("WATCHDOG_USEC", "4000000", "WATCHDOG_PID", "42"), 42)).isPresent();
		assertThat(WatchdogSetting.from(Map.of("WATCHDOG_USEC", "4000000", "WATCHDOG_PID", "7"), 42)).isEmpty();
		assertThat(WatchdogSetting.from(Map.of(), 42)).isEmpty();
		assertThat(new WatchdogSetting(Duration.ofSeconds(4)).pingInterval()).isEqualTo(Duration.ofSeconds(2));
		assertThatThrownBy(() -> WatchdogSetting.from(Map.of("WATCHDOG_USEC", "soon"), 42))
				.hasMessage("WATCHDOG_USEC=soon is not a positive number of microseconds");
	}

	@Test
	void statusLineCountsModulesPerStateInLifeOrder() {
		assertThat(StatusLine.of(List.of())).isEqualTo("0 modules");
		assertThat(StatusLine.of(List.of(status("a", ModuleState.GAVE_UP)))).isEqualTo("1 module, 1 gave up");
		assertThat(StatusLine.of(List.of(status("a", ModuleState.WAITING), status("b", ModuleState.RUNNING),
				status("c", ModuleState.RUNNING), status("d", ModuleState.INVALID))))
				.isEqualTo("4 modules, 1 invalid, 2 running, 1 waiting");
	}

	static ModuleStatus status(String name, ModuleState state) {
		return new ModuleStatus(name, state, state.label(), Instant.EPOCH, "", null, 0, null, List.of(), 0,
				List.of("true"), new StrategyStatus("fixed", true), "", List.of(), List.of(), "");
	}
}
