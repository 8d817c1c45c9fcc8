package io.pidwatcher.shell.internal;

import io.pidwatcher.api.reader.ReaderDescription;

import java.util.List;

/** Formats what {@code pw:source} prints about the active reader and the ones standing by. */
final class SourceReport {

	/** Readers describe their exit-event mode in a capability line starting with this. */
	static final String EVENT_MODE = "event mode: ";

	private SourceReport() {
	}

	static String format(ReaderDescription active, int ranking, List<String> standingBy, KernelModuleStatus module) {
		StringBuilder out = new StringBuilder();
		out.append(String.format("reader     %s (service ranking %d)%n", active.source(), ranking));
		out.append(String.format("tag        %s%n", active.tagName()));
		out.append(String.format("module     %s%n", module.describe()));
		out.append(String.format("events     %s%n", eventMode(active)));
		out.append(active.lastScanCost().isZero() ? "last scan  none yet\n"
				: String.format("last scan  %.2f ms, %d processes examined, %d skipped (vanished or unreadable)%n",
						active.lastScanCost().toNanos() / 1e6, active.lastScanTasks(), active.lastScanSkipped()));
		for (String capability : active.capabilities()) {
			out.append("           ").append(capability).append('\n');
		}
		out.append("standing by: ").append(standingBy.isEmpty() ? "none" : String.join("; ", standingBy)).append('\n');
		return out.toString();
	}

	static String standingBy(ReaderDescription reader, int ranking) {
		String mode = eventMode(reader);
		return reader.source() + " (ranking " + ranking + ")" + (mode.equals("none") ? "" : ", events by " + mode);
	}

	static String eventMode(ReaderDescription reader) {
		return reader.capabilities().stream().filter(c -> c.startsWith(EVENT_MODE))
				.map(c -> c.substring(EVENT_MODE.length())).findFirst().orElse("none");
	}
}
