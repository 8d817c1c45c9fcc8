/**
 * What pidwatcher knows about processes, and the services that produce that knowledge.
 * Readers (procfs, kernel device) publish {@link io.pidwatcher.api.ProcessReader}; everything
 * downstream reads {@link io.pidwatcher.api.ProcessSnapshot}s and never touches /proc itself.
 */
@Version("1.2.0")
package io.pidwatcher.api;

import org.osgi.annotation.versioning.Version;
