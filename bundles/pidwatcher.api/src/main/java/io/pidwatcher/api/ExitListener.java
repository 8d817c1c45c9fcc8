package io.pidwatcher.api;

/**
 * Whiteboard service: register one to be told when a tagged process exits. Readers call every
 * registered listener, on a reader thread, so implementations return quickly and never block.
 * An exit may be reported by more than one reader while readers switch; use {@link ExitEvent#task()}
 * to ignore repeats.
 */
@FunctionalInterface
public interface ExitListener {

	void exited(ExitEvent event);
}
