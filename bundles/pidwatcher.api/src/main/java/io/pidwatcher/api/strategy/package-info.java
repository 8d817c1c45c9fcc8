/**
 * The restart strategy SPI: third parties implement {@link
 * io.pidwatcher.api.strategy.RestartStrategy} to decide what happens after a failure.
 */
@Version("1.0.0")
package io.pidwatcher.api.strategy;

import org.osgi.annotation.versioning.Version;
