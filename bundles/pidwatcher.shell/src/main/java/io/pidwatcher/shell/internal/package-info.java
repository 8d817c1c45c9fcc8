/** Implementation of the pw Gogo commands; never exported. */
package io.pidwatcher.shell.internal;
