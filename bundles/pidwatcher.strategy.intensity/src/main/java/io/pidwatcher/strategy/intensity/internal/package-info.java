/** Implementation of the 'intensity' restart strategy; never exported. */
package io.pidwatcher.strategy.intensity.internal;
