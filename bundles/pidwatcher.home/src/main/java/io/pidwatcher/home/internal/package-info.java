/** Implementation of the runtime home; never exported. */
package io.pidwatcher.home.internal;
