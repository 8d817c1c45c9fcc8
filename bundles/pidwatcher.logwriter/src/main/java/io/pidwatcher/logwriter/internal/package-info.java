/** Implementation of the log writer; never exported. */
package io.pidwatcher.logwriter.internal;
