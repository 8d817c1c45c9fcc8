package io.pidwatcher.api.supervisor;

/** Where a supervised module is in its life. Every change is a {@link JournalEntry}. */
public enum ModuleState {
	/** its config is unusable; {@link ModuleStatus#reason()} says why; nothing is started */
	INVALID,
	/** not running, and not meant to be until someone starts it */
	STOPPED,
	/** its command was started; waiting for the tree to appear (or for READY=1) */
	STARTING,
	/** its tree is alive */
	RUNNING,
	/** its tree is being stopped */
	STOPPING,
	/** it failed; the restart strategy has not decided yet (or is not available) */
	FAILED,
	/** the strategy decided to restart it after a delay */
	WAITING,
	/** the strategy gave up on it; only a manual start brings it back */
	GAVE_UP;

	/** Lower case, as people read and type it. */
	public String label() {
		return name().toLowerCase().replace('_', ' ');
	}
}
