/** Test fixtures: real processes that fork, daemonize, spin and die. Used by tests only. */
@Version("1.0.0")
package io.pidwatcher.testing;

import org.osgi.annotation.versioning.Version;
