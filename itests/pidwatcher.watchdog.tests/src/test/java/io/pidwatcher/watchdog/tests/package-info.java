/** In-framework tests of the watchdog. */
package io.pidwatcher.watchdog.tests;
