package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes down what happens to modules: the journal (and its listeners) and the state file a later
 * watchdog resumes from. Called with the engine's lock held, so entries keep one order; the
 * writing itself is queued to the journal's and state file's own executor, off the lock.
 */
final class Recorder {

	private final Engine e;

	Recorder(Engine e) {
		this.e = e;
	}

	void transition(Module m, ModuleState to, String reason) {
		ModuleState from = m.state;
		m.state = to;
		m.reason = reason;
		m.since = Instant.now();
		record(new JournalEntry(m.since, m.name, m.run.instance, from, to, reason));
		e.logger.info("module {}: {} -> {}: {}", m.name, from.label(), to.label(), reason);
		persist(m);
		e.status.publish(m);
		e.dependencies.changed(m); // dependencies (issue 14 part 1): held starts whose dependencies are met go on
	}

	/** A journal entry without a change of state (config edits, pending decisions). */
	void note(Module m, String reason) {
		record(new JournalEntry(Instant.now(), m.name, m.run.instance, m.state, m.state, reason));
		e.logger.info("module {}: {}", m.name, reason);
		e.status.publish(m);
	}

	/** Called with the lock held, so the journal and its listeners see entries in one order. */
	private void record(JournalEntry entry) {
		e.journal.add(entry);
		e.journalFeed.publish(entry);
	}

	void persist(Module m) {
		if (e.stateFile == null) {
			return;
		}
		Set<TaskId> untagged = m.tree.tasks.stream().filter(Recorder::knownByLineage).map(TaskSnapshot::id)
				.collect(Collectors.toSet());
		ModuleState lifecycle = switch (m.state) {
			case FAILED, WAITING, GAVE_UP -> m.state;
			default -> null;
		};
		m.tree.released.removeIf(t -> ProcessHandle.of(t.pid()).isEmpty()); // gone: nothing left to leave alone
		e.stateFile.put(m.name, new StateFile.Entry(m.run.main, m.run.instance, m.run.startedAt, m.history.restarts, untagged,
				!m.wanted, lifecycle, m.run.lastStartedAt, List.copyOf(m.history.failures),
				m.history.pendingFailure != null && !m.history.pendingWithTree, m.state == ModuleState.WAITING ? m.history.restartAt : null,
				Set.copyOf(m.tree.released)));
	}

	void persistUntaggedIfChanged(Module m, List<TaskSnapshot> tree) {
		if (tree.stream().anyMatch(Recorder::knownByLineage)) {
			persist(m); // StateFile skips the write when nothing changed
		}
	}

	/** The module's entry goes: the module is removed. */
	void forget(String module) {
		e.stateFile.put(module, null);
	}

	/**
	 * A member that does not carry the tag itself: found by the watchdog's ancestry (no tag value) or
	 * by the reader's fork-time lineage (Membership.FORK). The state file remembers these, so the next
	 * runtime adopts them even when their parent is gone by then.
	 */
	static boolean knownByLineage(TaskSnapshot t) {
		return t.tagValue() == null || t.membership() == Membership.FORK;
	}
}
