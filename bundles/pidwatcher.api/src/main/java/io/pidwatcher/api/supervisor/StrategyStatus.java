package io.pidwatcher.api.supervisor;

import java.util.Objects;

/**
 * The restart strategy a module's config names, and whether a service of that name is deployed.
 * A module whose strategy is not available keeps running (or waiting); a failure is decided once it
 * appears.
 *
 * @param name      the config's {@code strategy} value, e.g. "backoff"
 * @param available whether a {@code RestartStrategy} service with that name is registered now
 */
public record StrategyStatus(String name, boolean available) {

	public StrategyStatus {
		Objects.requireNonNull(name, "name");
	}
}
