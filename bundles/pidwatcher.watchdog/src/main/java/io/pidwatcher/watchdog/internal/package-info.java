/** The supervision engine; never exported: other bundles use {@link io.pidwatcher.api.supervisor.Supervisor}. */
package io.pidwatcher.watchdog.internal;
