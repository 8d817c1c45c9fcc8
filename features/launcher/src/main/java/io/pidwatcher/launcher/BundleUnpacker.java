package io.pidwatcher.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Keeps {@code <directory>/jar/} an exact copy of the jars that bnd's export embeds under
 * {@code jar/} in the runtime's jar: the bundles, the framework and bnd's launcher. A copy whose
 * size and CRC already match its entry is left alone, so a restart of the same jar writes nothing
 * and a running runtime's files are never rewritten under it; a changed one is written beside and
 * renamed over (never seen half written); a copy no longer embedded (an older build's) is removed.
 * If it cannot finish (a full or read-only var/), it removes the copies again: the runtime then
 * starts from the jar, and a small full var/ keeps its room for the journal and the state.
 */
final class BundleUnpacker {

	static final String EMBEDDED = "jar/";

	private final Path jar;
	private final Path directory;

	BundleUnpacker(Path jar, Path directory) {
		this.jar = jar;
		this.directory = directory;
	}

	/** The directory whose {@code jar/} now mirrors the jar's; an IOException if it could not be made so. */
	Path unpack() throws IOException {
		Path copies = directory.resolve(EMBEDDED);
		Files.createDirectories(copies);
		try {
			mirror(copies);
		} catch (IOException | RuntimeException e) {
			discard(copies);
			throw e;
		}
		return directory;
	}

	private void mirror(Path copies) throws IOException {
		Set<String> embedded = new HashSet<>();
		try (ZipFile zip = new ZipFile(jar.toFile())) {
			for (ZipEntry entry : zip.stream().toList()) {
				String name = fileName(entry);
				if (name == null) {
					continue;
				}
				embedded.add(name);
				Path copy = copies.resolve(name);
				if (!sameContent(copy, entry)) {
					Path partial = copies.resolve("." + name + ".partial");
					try (InputStream in = zip.getInputStream(entry)) {
						Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
					}
					Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(copies)) {
			for (Path file : files) {
				if (!embedded.contains(file.getFileName().toString()) && Files.isRegularFile(file)) {
					Files.delete(file);
				}
			}
		}
	}

	/** Best effort: the reason of the failure is what the caller reports. */
	private static void discard(Path copies) {
		try (DirectoryStream<Path> files = Files.newDirectoryStream(copies)) {
			for (Path file : files) {
				try {
					Files.deleteIfExists(file);
				} catch (IOException e) {
					// this one is left; the others are still removed
				}
			}
		} catch (IOException e) {
			// left as it is
		}
	}

	/** The file name of an embedded jar directly under jar/, or null for any other entry. */
	private static String fileName(ZipEntry entry) {
		String path = entry.getName();
		if (entry.isDirectory() || !path.startsWith(EMBEDDED) || !path.endsWith(".jar")) {
			return null;
		}
		String name = path.substring(EMBEDDED.length());
		return name.contains("/") || name.startsWith(".") ? null : name;
	}

	private static boolean sameContent(Path copy, ZipEntry entry) throws IOException {
		if (!Files.isRegularFile(copy) || Files.size(copy) != entry.getSize()) {
			return false;
		}
		CRC32 crc = new CRC32();
		try (InputStream in = Files.newInputStream(copy)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n; (n = in.read(buffer)) > 0;) {
				crc.update(buffer, 0, n);
			}
		}
		return crc.getValue() == entry.getCrc();
	}
}
