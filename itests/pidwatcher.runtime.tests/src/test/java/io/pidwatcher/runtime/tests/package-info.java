/** In-framework tests of the pidwatcher runtime. */
package io.pidwatcher.runtime.tests;
