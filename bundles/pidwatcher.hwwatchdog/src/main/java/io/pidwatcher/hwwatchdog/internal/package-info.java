/** Implementation of the hardware watchdog feeder; never exported. */
package io.pidwatcher.hwwatchdog.internal;
