package io.pidwatcher.api.reader;

import org.osgi.annotation.versioning.ConsumerType;
/**
 * Lists the processes that carry the watch tag. There is one implementation per source of truth
 * (the /proc file system, the pidwatcher kernel device); consumers take the highest-ranked one
 * and need not know which it is.
 *
 * <p>Implementations must never fail a scan because one process vanished or could not be read:
 * such a process is left out and counted in {@link ReaderDescription#lastScanSkipped()}.
 */
@ConsumerType
public interface ProcessReader {

	/** Service property naming the reader's source, e.g. "procfs" or "device". */
	String SOURCE_PROPERTY = "pidwatcher.source";

	/** Default name of the environment variable that marks a watched process. */
	String DEFAULT_TAG_NAME = "PIDWATCHER_MODULE";

	/** Takes one snapshot of the processes in scope. Safe to call from any thread. */
	ProcessSnapshot scan(ScanScope scope);

	/** The name of the environment variable this reader looks for now. */
	String tagName();

	ReaderDescription describe();
}
