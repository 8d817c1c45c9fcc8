package io.pidwatcher.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BundleUnpacker on real zip files and a real directory. */
class BundleUnpackerTest {

	@TempDir
	Path dir;

	@Test
	void copiesEveryJarUnderJarAndNothingElse() throws IOException {
		Path jar = zip("runtime.jar", Map.of("jar/a.jar", "A", "jar/b.jar", "B", "launcher.properties", "x",
				"aQute/launcher/pre/EmbeddedLauncher.class", "c", "jar/nested/c.jar", "no", "jar/readme.txt", "no"));

		Path bundles = new BundleUnpacker(jar, dir.resolve("var/bundles")).unpack();

		assertThat(names(bundles.resolve("jar"))).containsExactlyInAnyOrder("a.jar", "b.jar");
		assertThat(Files.readString(bundles.resolve("jar/a.jar"))).isEqualTo("A");
		assertThat(Files.readString(bundles.resolve("jar/b.jar"))).isEqualTo("B");
	}

	@Test
	void aSecondStartOfTheSameJarWritesNothing() throws IOException {
		Path jar = zip("runtime.jar", Map.of("jar/a.jar", "A"));
		Path bundles = new BundleUnpacker(jar, dir.resolve("bundles")).unpack();
		Path a = bundles.resolve("jar/a.jar");
		FileTime old = FileTime.fromMillis(1_000_000_000_000L);
		Files.setLastModifiedTime(a, old);
		Object inode = Files.getAttribute(a, "unix:ino");

		new BundleUnpacker(jar, bundles).unpack();

		assertThat(Files.getLastModifiedTime(a)).isEqualTo(old);
		assertThat(Files.getAttribute(a, "unix:ino")).isEqualTo(inode);
	}

	@Test
	void aNewerJarReplacesChangedCopiesAndRemovesThoseNoLongerEmbedded() throws IOException {
		Path bundles = new BundleUnpacker(zip("old.jar", Map.of("jar/a.jar", "A", "jar/b-1.0.jar", "B")),
				dir.resolve("bundles")).unpack();
		Files.writeString(bundles.resolve("jar/.a.jar.partial"), "left by a crash");
		Object inode = Files.getAttribute(bundles.resolve("jar/a.jar"), "unix:ino");

		// same size, other bytes: only the CRC tells them apart
		new BundleUnpacker(zip("new.jar", Map.of("jar/a.jar", "Z", "jar/b-1.1.jar", "BB")), bundles).unpack();

		assertThat(names(bundles.resolve("jar"))).containsExactlyInAnyOrder("a.jar", "b-1.1.jar");
		assertThat(Files.readString(bundles.resolve("jar/a.jar"))).isEqualTo("Z");
		assertThat(Files.getAttribute(bundles.resolve("jar/a.jar"), "unix:ino"))
				.as("written beside and renamed over, not rewritten in place").isNotEqualTo(inode);
	}

	@Test
	void aDirectoryThatCannotBeMadeIsAnIOException() throws IOException {
		Path jar = zip("runtime.jar", Map.of("jar/a.jar", "A"));
		Path var = Files.writeString(dir.resolve("var"), "a file where var/ should be");

		assertThatThrownBy(() -> new BundleUnpacker(jar, var.resolve("bundles")).unpack()).isInstanceOf(IOException.class);
	}

	@Test
	void aCopyThatCannotBeWrittenRemovesTheOnesAlreadyWritten() throws IOException {
		Map<String, String> aFirst = new LinkedHashMap<>();
		aFirst.put("jar/a.jar", "A");
		aFirst.put("jar/b.jar", "B");
		Path jar = zip("runtime.jar", aFirst);
		Path bundles = dir.resolve("bundles");
		// a non-empty directory where b.jar's copy goes: the rename over it fails
		Files.createDirectories(bundles.resolve("jar/b.jar/in-the-way"));

		assertThatThrownBy(() -> new BundleUnpacker(jar, bundles).unpack()).isInstanceOf(IOException.class);
		assertThat(bundles.resolve("jar/a.jar")).as("written before b.jar failed, then removed").doesNotExist();
	}

	private Path zip(String name, Map<String, String> entries) throws IOException {
		Path zip = dir.resolve(name);
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			for (Map.Entry<String, String> e : entries.entrySet()) {
				out.putNextEntry(new ZipEntry(e.getKey()));
				out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
				out.closeEntry();
			}
		}
		return zip;
	}

	private static List<String> names(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.map(p -> p.getFileName().toString()).toList();
		}
	}
}
