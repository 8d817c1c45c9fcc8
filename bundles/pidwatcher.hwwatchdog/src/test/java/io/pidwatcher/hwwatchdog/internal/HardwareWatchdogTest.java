package io.pidwatcher.hwwatchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.StrategyStatus;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the hardware watchdog that run without a watchdog driver (the host kernel has
 * none): the settings, the critical-module verdict, the reset record, and the device errors a
 * user sees. Feeding a real device is tested in the systemd guest with softdog
 * (itests/systemd-guest).
 */
class HardwareWatchdogTest {

	private static final long S = 1_000_000_000L;

	@TempDir
	Path dir;

	@Test
	void aMissingDeviceIsNamedWithWhatToCheck() {
		assertThatThrownBy(() -> WatchdogDevice.open("/dev/watchdog-that-is-not", 10)).isInstanceOf(IOException.class)
				.hasMessageStartingWith("no watchdog device /dev/watchdog-that-is-not (is a watchdog driver loaded");
	}

	@Test
	void aDeviceThatIsNoWatchdogIsRefusedAndLeftAlone() throws Exception {
		Path file = dir.resolve("not-a-watchdog");
		Files.writeString(file, "x");
		assertThatThrownBy(() -> WatchdogDevice.open(file.toString(), 10)).isInstanceOf(IOException.class)
				.hasMessage(file + " is not a watchdog device (it does not understand WDIOC_SETTIMEOUT)");
		assertThatThrownBy(() -> WatchdogDevice.open("/dev/null", 10))
				.hasMessage("/dev/null is not a watchdog device (it does not understand WDIOC_SETTIMEOUT)");
	}

	@Test
	void settingsNameTheBadKeyAndValue() {
		assertThat(WatchdogSettings.of(config("/dev/watchdog0", "15s", " web, db ,", "5s")))
				.isEqualTo(new WatchdogSettings("/dev/watchdog0", 15, Set.of("web", "db"), Duration.ofSeconds(5)));
		assertThatThrownBy(() -> WatchdogSettings.of(config("watchdog", "15s", "", "5s")))
				.hasMessage("device=watchdog in etc/pidwatcher.hwwatchdog.cfg is not an absolute path");
		assertThatThrownBy(() -> WatchdogSettings.of(config("/dev/watchdog", "1500ms", "", "5s")))
				.hasMessage("timeout=1500ms in etc/pidwatcher.hwwatchdog.cfg is not a whole number of seconds from 4s to 65535s");
		// the loop passes once a second: below 4 s, half the timeout would leave it no room for a scan
		assertThatThrownBy(() -> WatchdogSettings.of(config("/dev/watchdog", "2s", "", "5s")))
				.hasMessage("timeout=2s in etc/pidwatcher.hwwatchdog.cfg is not a whole number of seconds from 4s to 65535s "
						+ "(the supervision loop passes once a second; a loop silent for half the timeout counts as hung)");
		assertThatThrownBy(() -> WatchdogSettings.of(config("/dev/watchdog", "soon", "", "5s")))
				.hasMessageStartingWith("timeout=soon in etc/pidwatcher.hwwatchdog.cfg: 'soon' is not a duration");
		assertThatThrownBy(() -> WatchdogSettings.of(config("/dev/watchdog", "30s", "", "-")))
				.hasMessageStartingWith("grace=- in etc/pidwatcher.hwwatchdog.cfg");
		WatchdogSettings s = WatchdogSettings.of(config("/dev/watchdog", "4s", "", "0s"));
		assertThat(s.pingInterval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(s.loopStaleAfter()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void pingsStopOnlyOnceACriticalModuleHasGivenUpForTheGracePeriod() {
		CriticalModules critical = new CriticalModules(Set.of("web", "typo"), Duration.ofSeconds(10));
		List<ModuleStatus> healthy = List.of(status("web", ModuleState.RUNNING), status("other", ModuleState.GAVE_UP));
		assertThat(critical.reasonToStop(healthy, 0)).as("a module that is not critical may give up").isEmpty();
		assertThat(critical.undefined(healthy)).containsExactly("typo");

		List<ModuleStatus> gaveUp = List.of(status("web", ModuleState.GAVE_UP));
		assertThat(critical.reasonToStop(gaveUp, 100 * S)).isEmpty();
		assertThat(critical.reasonToStop(gaveUp, 109 * S)).isEmpty();
		assertThat(critical.reasonToStop(gaveUp, 110 * S)).hasValue(
				"critical module web gave up (gave up) and stayed so for the grace period of 10s");

		// Started again within the grace period: the count starts afresh at the next give-up.
		critical = new CriticalModules(Set.of("web"), Duration.ofSeconds(10));
		assertThat(critical.reasonToStop(gaveUp, 0)).isEmpty();
		assertThat(critical.reasonToStop(healthy, 5 * S)).isEmpty();
		assertThat(critical.reasonToStop(gaveUp, 9 * S)).isEmpty();
		assertThat(critical.reasonToStop(gaveUp, 18 * S)).isEmpty();
		assertThat(critical.reasonToStop(gaveUp, 19 * S)).isPresent();
	}

	@Test
	void aLoopThatStopsPassingCountsAsHungAfterHalfTheTimeoutAndAStartGetsItsAllowance() {
		LoopPulse pulse = new LoopPulse(0, Duration.ofSeconds(5));
		assertThat(pulse.hung(60 * S)).as("starting: the JVM and the engine take their time").isEmpty();
		assertThat(pulse.hung(121 * S)).hasValue("the supervision loop has not passed once in 121 s since the watchdog was armed");
		pulse.passed(122 * S);
		assertThat(pulse.hung(127 * S)).isEmpty();
		assertThat(pulse.hung(127 * S + 1)).hasValue("the supervision loop has not passed for 5000 ms");
		pulse.passed(128 * S);
		assertThat(pulse.hung(130 * S)).isEmpty();
	}

	@Test
	void aResetIsFoundAtTheNextBootWithTheReasonRecordedBeforeIt() throws Exception {
		ResetRecord record = new ResetRecord(dir.resolve("hwwatchdog"));
		record.armed("boot-1", "/dev/watchdog", 10);
		record.resetComing("boot-1", "critical module web gave up");
		assertThat(record.takeOverFrom("boot-1")).as("same boot: a restarted runtime, no reset").isEmpty();
		assertThat(record.reasonFile()).doesNotExist();

		record.resetComing("boot-1", "critical module web gave up");
		ResetRecord.LastReset last = record.takeOverFrom("boot-2").orElseThrow();
		assertThat(last.describe()).startsWith("the machine restarted while the hardware watchdog was armed (previous boot boot-1, armed at ")
				.contains("cause: critical module web gave up (recorded at ");
		assertThat(record.lastReset()).hasValue(last);
		Properties onDisk = new Properties();
		onDisk.load(Files.newBufferedReader(record.lastResetFile()));
		assertThat(onDisk.getProperty("reason")).startsWith("critical module web gave up");
	}

	@Test
	void aFrozenRuntimeLeavesNoReasonAndThatIsWhatIsReported() throws Exception {
		ResetRecord record = new ResetRecord(dir.resolve("hwwatchdog"));
		record.armed("boot-1", "/dev/watchdog", 10);
		assertThat(record.takeOverFrom("boot-2")).map(ResetRecord.LastReset::reason).hasValue(ResetRecord.NO_REASON);

		record.armed("boot-2", "/dev/watchdog", 10);
		record.disarmed();
		assertThat(record.takeOverFrom("boot-3")).as("a magic close leaves nothing armed").isEmpty();
		assertThat(record.lastReset()).map(ResetRecord.LastReset::bootId).hasValue("boot-1");
	}

	@Test
	void theStateSaysAComingResetAndTheLastOne() {
		String text = new HardwareWatchdogState("/dev/watchdog", true, "", 10, Set.of("web"), Duration.ofMillis(250),
				"the supervision loop has not passed for 6000 ms", "the machine restarted ...").text();
		assertThat(text).isEqualTo("""
				hardware watchdog: /dev/watchdog armed, timeout 10 s
				critical modules: web
				last ping: 250 ms ago
				RESET COMING: pings stopped: the supervision loop has not passed for 6000 ms
				last reset: the machine restarted ...
				""");
		assertThat(new HardwareWatchdogState("/dev/watchdog", false, "/dev/watchdog is already held", 0, Set.of(), null, "", "").text()).startsWith("hardware watchdog: off: /dev/watchdog is already held\n");
	}

	static ModuleStatus status(String name, ModuleState state) {
		return new ModuleStatus(name, state, state.label(), Instant.EPOCH, "", null, 0, null, List.of(), 0,
				List.of("true"), new StrategyStatus("fixed", true), "", List.of(), List.of(), "");
	}

	static HardwareWatchdogConfig config(String device, String timeout, String critical, String grace) {
		return new HardwareWatchdogConfig() {
			@Override
			public Class<? extends Annotation> annotationType() {
				return HardwareWatchdogConfig.class;
			}

			@Override
			public String device() {
				return device;
			}

			@Override
			public String timeout() {
				return timeout;
			}

			@Override
			public String critical() {
				return critical;
			}

			@Override
			public String grace() {
				return grace;
			}
		};
	}
}
