import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** bin/jvm.options: one JVM option per line; blank lines and # comments are ignored. */
final class JvmOptions {

	private JvmOptions() {
	}

	static List<String> read(Path file) throws IOException {
		List<String> options = new ArrayList<>();
		if (!Files.exists(file)) {
			return options;
		}
		for (String line : Files.readAllLines(file)) {
			String option = line.replaceAll("#.*", "").trim();
			if (!option.isEmpty()) {
				options.add(option);
			}
		}
		return options;
	}
}
