/** Implementation of the 'group' restart strategy; never exported. */
package io.pidwatcher.strategy.group.internal;
