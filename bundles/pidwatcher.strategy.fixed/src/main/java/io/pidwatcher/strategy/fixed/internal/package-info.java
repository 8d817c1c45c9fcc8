/** Implementation of the 'fixed' restart strategy; never exported. */
package io.pidwatcher.strategy.fixed.internal;
