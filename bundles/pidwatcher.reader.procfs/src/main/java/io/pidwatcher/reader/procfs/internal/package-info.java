/** Implementation of the /proc reader; never exported. */
package io.pidwatcher.reader.procfs.internal;
