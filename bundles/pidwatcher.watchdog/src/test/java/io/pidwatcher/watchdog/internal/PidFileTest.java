package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pid file read as systemd reads PIDFile=, on real files. */
class PidFileTest {

	@TempDir
	Path dir;

	@Test
	void aPidWithWhiteSpaceReads() throws Exception {
		Path f = Files.writeString(dir.resolve("x.pid"), "  4242\n");
		assertThat(PidFile.read(f, Instant.now().minusSeconds(5))).isEqualTo(new PidFile.Pid(4242));
	}

	@Test
	void missingEmptyOrOlderThanTheRunIsNotWrittenYet() throws Exception {
		assertThat(PidFile.read(dir.resolve("none.pid"), null)).isInstanceOf(PidFile.NotYet.class);
		assertThat(PidFile.read(Files.writeString(dir.resolve("empty.pid"), ""), null)).isInstanceOf(PidFile.NotYet.class);
		Path stale = Files.writeString(dir.resolve("stale.pid"), "77\n");
		Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(60)));
		PidFile.Reading r = PidFile.read(stale, Instant.now().minusSeconds(10));
		assertThat(r).isInstanceOf(PidFile.NotYet.class);
		assertThat(((PidFile.NotYet) r).why()).contains("older than this run");
	}

	@Test
	void anythingElseIsMalformedAndSaysWhatItHolds() throws Exception {
		assertThat(PidFile.read(Files.writeString(dir.resolve("a.pid"), "nginx\n"), null))
				.isEqualTo(new PidFile.Malformed(dir.resolve("a.pid") + " holds 'nginx', not a pid"));
		assertThat(PidFile.read(Files.writeString(dir.resolve("b.pid"), "0"), null)).isInstanceOf(PidFile.Malformed.class);
		assertThat(PidFile.read(Files.writeString(dir.resolve("c.pid"), "12 13"), null)).isInstanceOf(PidFile.Malformed.class);
		assertThat(PidFile.read(Files.writeString(dir.resolve("d.pid"), "9".repeat(100)), null))
				.isInstanceOf(PidFile.Malformed.class);
		assertThat(PidFile.read(Files.createDirectory(dir.resolve("e.pid")), null)).isInstanceOf(PidFile.Malformed.class);
	}
}
