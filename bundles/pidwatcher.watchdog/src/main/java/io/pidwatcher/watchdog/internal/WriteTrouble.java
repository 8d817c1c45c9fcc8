package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the runtime's own files under var/ report that they can no longer be written (a full
 * disk, a read-only remount) and that they can be again. Each is said once per episode: a full
 * disk must not go unnoticed, nor flood the log with one line per failed write.
 */
interface WriteTrouble {

	WriteTrouble SILENT = new WriteTrouble() {
		@Override
		public void cannotWrite(String what, Path file, IOException e, String consequence) {
		}

		@Override
		public void writtenAgain(String what, Path file, String detail) {
		}
	};

	/** {@code what} names the file for people ("the journal"); said when writes start failing. */
	void cannotWrite(String what, Path file, IOException e, String consequence);

	/** Said at the first successful write after a failure; {@code detail} may be empty. */
	void writtenAgain(String what, Path file, String detail);
}
