package io.pidwatcher.api.supervisor;

import java.time.Duration;

/**
 * What stopping a module's tree did.
 *
 * @param stopped   distinct tasks (pid plus start time) that were part of the tree and are gone
 * @param killed    how many of those needed SIGKILL after the stop timeout
 * @param remaining tasks still there when the watchdog gave up (0 unless something resists SIGKILL,
 *                  e.g. a task stuck in D state)
 * @param took      how long the whole stop took
 */
public record StopReport(String module, int stopped, int killed, int remaining, Duration took) {
}
