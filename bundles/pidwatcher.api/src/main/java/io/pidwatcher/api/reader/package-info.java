/**
 * The reader SPI: what pidwatcher knows about processes and the services that produce that
 * knowledge. Readers (procfs, kernel device) publish {@link
 * io.pidwatcher.api.reader.ProcessReader}; everything downstream reads {@link
 * io.pidwatcher.api.reader.ProcessSnapshot}s and never touches /proc itself.
 */
@Version("1.1.0")
package io.pidwatcher.api.reader;

import org.osgi.annotation.versioning.Version;
