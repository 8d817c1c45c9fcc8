/** Implementation of the 'backoff' restart strategy; never exported. */
package io.pidwatcher.strategy.backoff.internal;
