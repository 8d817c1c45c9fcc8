/** Implementation of the systemd notification protocol (sd_notify); never exported. */
package io.pidwatcher.systemd.internal;
