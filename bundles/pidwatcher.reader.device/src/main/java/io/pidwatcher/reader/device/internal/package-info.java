/** Implementation of the /dev/pidwatcher reader; never exported. */
package io.pidwatcher.reader.device.internal;
