package io.pidwatcher.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What sysfs says about the pidwatcher kernel module: loaded or not, its version and parameters.
 * pw:source shows it whichever reader is active, so an operator sees why the device reader is or
 * is not in charge.
 */
record KernelModuleStatus(boolean loaded, String version, List<String> parameters) {

	static final Path SYSFS = Path.of("/sys/module/pidwatcher");

	static KernelModuleStatus read(Path dir) {
		if (!Files.isDirectory(dir)) {
			return new KernelModuleStatus(false, null, List.of());
		}
		List<String> params = new ArrayList<>();
		try (Stream<Path> files = Files.list(dir.resolve("parameters"))) {
			files.sorted().forEach(p -> params.add(p.getFileName() + "=" + text(p)));
		} catch (IOException e) {
			params.add("(unreadable: " + e.getMessage() + ")");
		}
		return new KernelModuleStatus(true, text(dir.resolve("version")), params);
	}

	private static String text(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8).strip();
		} catch (IOException e) {
			return "?";
		}
	}

	String describe() {
		return loaded ? "loaded, version " + version + ", " + String.join(" ", parameters)
				: "not loaded (" + SYSFS + " is absent)";
	}
}
