package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;

/**
 * Whether the reader's fork-time lineage can stand in for scans of every process (issue 12 part
 * 3). A scan of everything exists to find members that no longer carry the tag; a reader that
 * keeps lineage lists those in its tagged and module scans already, except members it may have
 * missed when its lineage was rebuilt (at its start, after lost events). So the engine scans
 * everything once per lineage generation, and trusts the lineage until the generation changes.
 * A reader without lineage (the device today, the /proc reader without the connector) is never
 * trusted: every discovery and every stop scans everything, as before.
 */
final class LineageTrust {

	/** The generation that the last scan of everything was taken under; null before one. */
	private volatile Long scannedGeneration;

	/** Records a completed scan of every process. */
	void scannedEverything(ProcessSnapshot everything) {
		scannedGeneration = everything.lineage().isPresent() ? everything.lineage().getAsLong() : null;
	}

	/** Whether the last scan of everything came from a reader that keeps lineage (one to try trusting). */
	boolean lineageSeen() {
		return scannedGeneration != null;
	}

	/** Whether this snapshot's tagged and module scopes list every member a scan of everything would. */
	boolean trusted(ProcessSnapshot snapshot) {
		Long scanned = scannedGeneration;
		return scanned != null && snapshot.lineage().isPresent() && snapshot.lineage().getAsLong() == scanned;
	}
}
