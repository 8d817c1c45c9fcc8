import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of measurements by column (tool), printed as a Markdown table in the order rows first came. */
final class Table {

	private final Map<String, Map<String, String>> rows = new LinkedHashMap<>();
	private final List<String> columns = new ArrayList<>();

	void column(String name) {
		columns.add(name);
	}

	synchronized void put(String row, String column, String value) {
		rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, value);
	}

	synchronized String render() {
		StringBuilder out = new StringBuilder("| measurement |");
		columns.forEach(c -> out.append(' ').append(c).append(" |"));
		out.append("\n|---|");
		columns.forEach(c -> out.append("---:|"));
		out.append('\n');
		rows.forEach((row, values) -> {
			out.append("| ").append(row).append(" |");
			columns.forEach(c -> out.append(' ').append(values.getOrDefault(c, "")).append(" |"));
			out.append('\n');
		});
		return out.toString();
	}
}
