package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation by size and time, compression and log.max, on real files, with "now" given. */
class LogRotationTest {

	private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
	private static final ZonedDateTime T1359 = ZonedDateTime.of(2026, 12, 1, 13, 59, 58, 0, ZONE);
	private static final ZonedDateTime T1400 = ZonedDateTime.of(2026, 12, 1, 14, 0, 3, 0, ZONE);

	@TempDir
	Path dir;

	private final List<String> rotations = new ArrayList<>();
	private final List<IOException> failures = new ArrayList<>();
	private final LogRotation rotation = new LogRotation((log, e) -> failures.add(e), (log, why) -> rotations.add(why));

	private static LogPolicy policy(String... keyValues) {
		Map<String, Object> props = new java.util.HashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			props.put(keyValues[i], keyValues[i + 1]);
		}
		return LogPolicy.parse(props);
	}

	private Path log(String content, ZonedDateTime written) throws IOException {
		Path log = dir.resolve("web.log");
		Files.writeString(log, content);
		Files.setLastModifiedTime(log, FileTime.from(written.toInstant()));
		return log;
	}

	/** Appends as a program would at {@code when} (the file's modification time says so). */
	private static void append(Path log, String text, ZonedDateTime when) throws IOException {
		Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		Files.setLastModifiedTime(log, FileTime.from(when.toInstant()));
	}

	@Test
	void hourlyRotatesAtTheFirstCheckAfterTheHourItWasWrittenIn() throws IOException {
		LogPolicy hourly = policy("log.rotate", "hourly");
		Path log = log("written at 13:59\n", T1359);
		rotation.check(log, hourly, true, T1359);
		assertThat(dir.resolve("web.log.1")).as("still in its hour").doesNotExist();

		rotation.check(log, hourly, true, T1400);
		assertThat(dir.resolve("web.log.1")).hasContent("written at 13:59");
		assertThat(log).isEmptyFile();
		assertThat(rotations).containsExactly("hourly");

		append(log, "written at 14:00\n", T1400);
		rotation.check(log, hourly, true, T1400.plusMinutes(30));
		assertThat(log).as("written in this hour: not rotated again").hasContent("written at 14:00");
		assertThat(rotations).hasSize(1);
	}

	@Test
	void aLogLeftFromYesterdayIsRotatedAtTheFirstDailyCheck() throws IOException {
		Path log = log("yesterday\n", T1359.minusDays(1));
		rotation.check(log, policy("log.rotate", "daily"), false, T1359);
		assertThat(dir.resolve("web.log.1")).hasContent("yesterday");
		assertThat(log).as("not running: renamed").doesNotExist();
		rotation.check(log("today\n", T1359), policy("log.rotate", "daily"), false, T1359.plusMinutes(1));
		assertThat(rotations).containsExactly("daily");
	}

	@Test
	void sizeAloneIgnoresTheClock() throws IOException {
		Path log = log("x".repeat(100), T1359.minusDays(3));
		rotation.check(log, policy("log.size", "1k"), true, T1400);
		assertThat(dir.resolve("web.log.1")).doesNotExist();
		Files.writeString(log, "y".repeat(1000), StandardOpenOption.APPEND);
		rotation.check(log, policy("log.size", "1k"), true, T1400);
		assertThat(dir.resolve("web.log.1")).hasSize(1100);
		assertThat(rotations).containsExactly("past log.size 1k");
	}

	@Test
	void compressedRotationsAreValidGzipWithTheContent() throws IOException {
		LogPolicy p = policy("log.rotate", "hourly", "log.compress", "true");
		Path log = log("first hour\n", T1359);
		rotation.check(log, p, true, T1400);
		append(log, "second hour\n", T1400);
		rotation.check(log, p, true, T1400.plusHours(1));
		assertThat(gunzip(dir.resolve("web.log.1.gz"))).isEqualTo("second hour\n");
		assertThat(gunzip(dir.resolve("web.log.2.gz"))).isEqualTo("first hour\n");
		assertThat(dir.resolve("web.log.1")).doesNotExist();
		assertThat(dir.resolve("web.log.1.gz.partial")).doesNotExist();
		assertThat(failures).isEmpty();
	}

	@Test
	void logFilesStillBoundsTheCountThroughManyRotations() throws IOException {
		LogPolicy p = policy("log.rotate", "hourly", "log.files", "2", "log.compress", "true");
		Path log = log("", T1359);
		for (int hour = 0; hour < 6; hour++) {
			append(log, "hour " + hour + "\n", T1359.plusHours(hour));
			rotation.check(log, p, true, T1400.plusHours(hour));
		}
		try (var files = Files.list(dir)) {
			assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("web.log", "web.log.1.gz",
					"web.log.2.gz");
		}
		assertThat(gunzip(dir.resolve("web.log.1.gz"))).isEqualTo("hour 5\n");
		assertThat(gunzip(dir.resolve("web.log.2.gz"))).isEqualTo("hour 4\n");
	}

	@Test
	void loweringLogFilesDropsTheRotatedFilesBeyondIt() throws IOException {
		for (int i = 1; i <= 4; i++) {
			Files.writeString(dir.resolve("web.log." + i), "old " + i);
		}
		Path log = log("live", T1359);
		rotation.check(log, policy("log.files", "2"), true, T1359);
		try (var files = Files.list(dir)) {
			assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("web.log", "web.log.1",
					"web.log.2");
		}
	}

	@Test
	void logMaxDeletesTheOldestRotatedFilesFirst() throws IOException {
		Files.writeString(dir.resolve("web.log.1"), "n".repeat(400));
		Files.writeString(dir.resolve("web.log.2"), "m".repeat(400));
		Files.writeString(dir.resolve("web.log.3"), "o".repeat(400));
		Files.writeString(dir.resolve("other.log.3"), "another module's".repeat(400));
		Path log = log("l".repeat(300), T1359);
		rotation.check(log, policy("log.max", "1200", "log.files", "5"), true, T1359);
		assertThat(dir.resolve("web.log.3")).as("oldest: deleted").doesNotExist();
		assertThat(dir.resolve("web.log.2")).exists();
		assertThat(dir.resolve("web.log.1")).exists();
		assertThat(log).hasSize(300);
		assertThat(dir.resolve("other.log.3")).as("another module's logs are not this module's").exists();
	}

	@Test
	void aLiveLogAlonePastLogMaxIsRotated() throws IOException {
		Path log = log("z".repeat(2000), T1359);
		rotation.check(log, policy("log.max", "1k", "log.size", "10M"), true, T1359);
		assertThat(log).isEmptyFile();
		assertThat(rotations).containsExactly("past log.max's share 1k");
		assertThat(dir.resolve("web.log.1")).as("bigger than the bound alone: dropped").doesNotExist();
	}

	@Test
	void aShareOfVarIsABoundOnTheFileSystemHoldingIt() throws IOException {
		LogPolicy p = policy("log.max", "5%");
		long total = Files.getFileStore(dir).getTotalSpace();
		assertThat(p.bound(total)).isEqualTo((long) (total * 0.05));
		assertThat(p.bounded()).isTrue();
		assertThat(policy().bounded()).isFalse();
	}

	@Test
	void badLogValuesNameTheKey() {
		assertThatThrownBy(() -> policy("log.rotate", "weekly")).hasMessageContaining("log.rotate 'weekly'");
		assertThatThrownBy(() -> policy("log.compress", "gz")).hasMessageContaining("log.compress 'gz'");
		assertThatThrownBy(() -> policy("log.max", "lots")).hasMessageContaining("log.max: 'lots' is not a size");
		assertThatThrownBy(() -> policy("log.max", "0")).hasMessageContaining("log.max");
		assertThatThrownBy(() -> policy("log.max", "")).hasMessageContaining("log.max: '' is not a size");
		assertThatThrownBy(() -> policy("log.max", "150%")).hasMessageContaining("log.max '150%'");
		assertThatThrownBy(() -> policy("log.max", "x%")).hasMessageContaining("log.max 'x%'");
		assertThatThrownBy(() -> policy("log.files", "-1")).hasMessageContaining("log.files -1");
		assertThatThrownBy(() -> policy("log.size", "big")).hasMessageContaining("log.size: 'big'");
		assertThat(policy("log.rotate", "Daily").rotate()).isEqualTo(LogPolicy.Period.DAILY);
	}

	@Test
	void aBadLogValueMarksTheModuleInvalidNamingTheKey() {
		assertThatThrownBy(() -> ModuleSpec.parse("m", Map.of("command", "sh", "log.rotate", "monthly"), Path.of("/")))
				.hasMessageContaining("log.rotate 'monthly' is none of size, hourly, daily");
	}

	private static String gunzip(Path gz) throws IOException {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}
}
