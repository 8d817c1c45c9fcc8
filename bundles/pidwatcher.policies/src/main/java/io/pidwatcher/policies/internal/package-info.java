/** The built-in health policies; never exported: the watchdog finds them as HealthPolicy services. */
package io.pidwatcher.policies.internal;
