package io.pidwatcher.api.reader;

import java.time.Duration;
import java.util.List;

/**
 * What a reader tells people about itself: where its data comes from and what it can do.
 *
 * @param source         short name, e.g. "procfs"
 * @param tagName        the environment variable it looks for
 * @param capabilities   one line each, for people, e.g. "scan scopes: tagged, module, everything"
 * @param lastScanCost   how long the last scan took ({@link Duration#ZERO} before the first)
 * @param lastScanTasks  how many processes the last scan examined
 * @param lastScanSkipped how many of those it could not read (vanished or permission denied)
 */
public record ReaderDescription(
		String source,
		String tagName,
		List<String> capabilities,
		Duration lastScanCost,
		int lastScanTasks,
		int lastScanSkipped) {

	public ReaderDescription {
		capabilities = List.copyOf(capabilities);
	}
}
