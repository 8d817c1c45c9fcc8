/**
 * Text types for config values: one grammar for durations and one for sizes, used by every key
 * of every bundle.
 */
@Version("1.0.0")
package io.pidwatcher.api.text;

import org.osgi.annotation.versioning.Version;
