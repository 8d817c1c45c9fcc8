package io.pidwatcher.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ReaderDescription;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What pw:source prints: active reader, module state, event mode, scan cost, readers standing by. */
class SourceReportTest {

	@TempDir
	Path tmp;

	@Test
	void deviceActiveWithModuleParametersAndProcfsStandingBy() throws Exception {
		Path module = tmp.resolve("pidwatcher");
		Files.createDirectories(module.resolve("parameters"));
		Files.writeString(module.resolve("version"), "1.0\n");
		Files.writeString(module.resolve("parameters/tag"), "PIDWATCHER_MODULE\n");
		Files.writeString(module.resolve("parameters/max_tasks"), "65536\n");
		ReaderDescription device = new ReaderDescription("device", "PIDWATCHER_MODULE",
				List.of("reads /dev/pidwatcher", "event mode: device poll (instant)"), Duration.ofMillis(3), 12, 0);
		ReaderDescription procfs = new ReaderDescription("procfs", "PIDWATCHER_MODULE",
				List.of("event mode: pidfd (instant)"), Duration.ZERO, 0, 0);

		String out = SourceReport.format(device, 100, List.of(SourceReport.standingBy(procfs, 0)),
				KernelModuleStatus.read(module));

		assertThat(out).contains("reader     device (service ranking 100)")
				.contains("module     loaded, version 1.0, max_tasks=65536 tag=PIDWATCHER_MODULE")
				.contains("events     device poll (instant)")
				.contains("last scan  3.00 ms, 12 processes examined")
				.contains("standing by: procfs (ranking 0), events by pidfd (instant)");
	}

	@Test
	void moduleNotLoaded() {
		ReaderDescription procfs = new ReaderDescription("procfs", "T", List.of(), Duration.ZERO, 0, 0);
		String out = SourceReport.format(procfs, 0, List.of(), KernelModuleStatus.read(tmp.resolve("absent")));
		assertThat(out).contains("module     not loaded").contains("events     none").contains("last scan  none yet")
				.contains("standing by: none");
	}
}
