package io.pidwatcher.shell.internal;

import io.pidwatcher.api.ReaderDescription;

import java.util.List;

/** Formats what {@code pw:source} prints about the active reader and the ones standing by. */
final class SourceReport {

	private SourceReport() {
	}

	static String format(ReaderDescription active, int ranking, List<String> standingBy) {
		StringBuilder out = new StringBuilder();
		out.append(String.format("reader     %s (service ranking %d)%n", active.source(), ranking));
		out.append(String.format("tag        %s%n", active.tagName()));
		out.append(active.lastScanCost().isZero() ? "last scan  none yet\n"
				: String.format("last scan  %.2f ms, %d processes examined, %d skipped (vanished or unreadable)%n",
						active.lastScanCost().toNanos() / 1e6, active.lastScanTasks(), active.lastScanSkipped()));
		for (String capability : active.capabilities()) {
			out.append("           ").append(capability).append('\n');
		}
		out.append("standing by: ").append(standingBy.isEmpty() ? "none" : String.join(", ", standingBy)).append('\n');
		return out.toString();
	}
}
