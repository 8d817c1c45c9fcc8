package io.pidwatcher.api.supervisor;

import org.osgi.annotation.versioning.ProviderType;
import java.util.List;

/**
 * Controls the supervised modules. The Gogo commands, the control socket behind
 * {@code bin/pidwatcher} and tests all call this one service, so they always agree.
 * Every method throws {@link NoSuchModuleException} for a name that is not configured.
 */
@ProviderType
public interface Supervisor {

	/** Every configured module (valid or not), in name order. */
	List<ModuleStatus> modules();

	ModuleStatus status(String module);

	/**
	 * Starts the module unless its tree is already running, and waits briefly for it to appear.
	 * A module that gave up or was stopped is started afresh; an invalid one is refused with
	 * {@link IllegalStateException}.
	 */
	ModuleStatus start(String module);

	/**
	 * Stops the module's whole tree, escaped daemons included, and keeps it stopped until started
	 * again. Returns when nothing of the tree is left (or the watchdog gave up on what resists).
	 */
	StopReport stop(String module);

	/** Stops the whole tree, then starts the module again. */
	StopReport restart(String module);

	/** The most recent journal entries, oldest first; {@code module} null means every module. */
	List<JournalEntry> events(String module, int limit);
}
