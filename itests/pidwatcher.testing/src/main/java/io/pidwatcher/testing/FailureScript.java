package io.pidwatcher.testing;

import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.supervisor.Failure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays a module's life on a made-up clock for strategy tests: runs that last so long, then fail.
 * Strategies never read a clock, so a script of starts and failures is all they need.
 */
public final class FailureScript {

	private final String module;
	private final Map<String, String> parameters = new HashMap<>();
	private final List<Failure> history = new ArrayList<>();
	private List<String> group;
	private Instant now = Instant.parse("2026-01-01T00:00:00Z");
	private Instant lastStarted = now;

	public FailureScript(String module) {
		this.module = module;
		this.group = List.of(module);
	}

	public FailureScript parameter(String key, String value) {
		parameters.put(key, value);
		return this;
	}

	public FailureScript group(String... modules) {
		group = List.of(modules);
		return this;
	}

	/** The module ran for {@code uptime} and then failed with the exit status; returns the request for that failure. */
	public RestartRequest runFor(Duration uptime, int exitStatus) {
		now = now.plus(uptime);
		Failure failure = new Failure(now, Failure.Kind.EXITED, "exited with status " + exitStatus, java.util.OptionalInt.of(exitStatus));
		RestartRequest request = new RestartRequest(module, failure, history, lastStarted, now, parameters, group);
		history.add(failure);
		return request;
	}

	/** The watchdog waited {@code delay} and started the module again. */
	public FailureScript restartedAfter(Duration delay) {
		now = now.plus(delay);
		lastStarted = now;
		return this;
	}

	public Instant now() {
		return now;
	}
}
