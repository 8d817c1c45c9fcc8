package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.JournalListener;
import io.pidwatcher.api.supervisor.LoopListener;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.supervisor.Supervisor;

import java.util.List;
import java.util.Map;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The supervision engine as a DS component: it binds readers, strategies, policies and listeners,
 * and hands the work to an {@link Engine} that lives from activation to deactivation. One scheduler
 * thread scans the process table (one scan of every process serves every module that is due),
 * moves each module through its states, asks health policies and the restart strategy, and starts
 * processes. Exits reported by readers ({@link ExitListener}) or by our own children make it scan
 * at once instead of at the next interval. Stops run on their own threads, since they wait for
 * processes.
 *
 * <p>The engine never stops a module because the engine itself goes away: the next runtime finds
 * the tagged trees and adopts them.
 */
@Component(service = { Supervisor.class, ExitListener.class, Watchdog.class }, immediate = true)
public final class Watchdog implements Supervisor, ExitListener {

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private RuntimeHome home;

	private final RankedServices<ProcessReader> readers = new RankedServices<>(null);
	private final RankedServices<RestartStrategy> strategies = new RankedServices<>(RestartStrategy.NAME_PROPERTY);
	private final RankedServices<HealthPolicy> policies = new RankedServices<>(HealthPolicy.NAME_PROPERTY);
	private final JournalFeed journalFeed = new JournalFeed(JournalFeed.QUEUE_CAPACITY,
			(l, e) -> logger.warn("journal listener {} failed (reported once; it keeps receiving entries)", l, e));
	private final LoopListeners loopListeners = new LoopListeners(
			(l, e) -> logger.warn("loop listener {} failed (reported once; it is still called)", l, e));

	/** Null before activation: services bound then are picked up by the engine as it starts. */
	private volatile Engine engine;

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addReader(ServiceReference<ProcessReader> ref, ProcessReader reader) {
		readers.add(ref, reader);
		Engine e = engine;
		if (e != null) {
			e.loop.kickAll();
		}
	}

	void removeReader(ServiceReference<ProcessReader> ref) {
		readers.remove(ref);
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addStrategy(ServiceReference<RestartStrategy> ref, RestartStrategy strategy) {
		strategies.add(ref, strategy);
		Engine e = engine;
		if (e != null) {
			e.strategyAdded(String.valueOf(ref.getProperty(RestartStrategy.NAME_PROPERTY)));
		}
	}

	void removeStrategy(ServiceReference<RestartStrategy> ref) {
		strategies.remove(ref);
		Engine e = engine;
		if (e != null) {
			e.strategyRemoved(String.valueOf(ref.getProperty(RestartStrategy.NAME_PROPERTY)));
		}
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addPolicy(ServiceReference<HealthPolicy> ref, HealthPolicy policy) {
		policies.add(ref, policy);
		Engine e = engine;
		if (e != null) {
			e.definitions.checkAgain(null, String.valueOf(ref.getProperty(HealthPolicy.NAME_PROPERTY)));
			e.status.publishAll();
		}
	}

	void removePolicy(ServiceReference<HealthPolicy> ref) {
		policies.remove(ref);
		Engine e = engine;
		if (e != null) {
			e.status.publishAll();
		}
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addJournalListener(ServiceReference<JournalListener> ref, JournalListener listener) {
		journalFeed.add(ref, listener);
	}

	void removeJournalListener(ServiceReference<JournalListener> ref) {
		journalFeed.remove(ref);
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addLoopListener(ServiceReference<LoopListener> ref, LoopListener listener) {
		loopListeners.add(ref, listener);
	}

	void removeLoopListener(ServiceReference<LoopListener> ref) {
		loopListeners.remove(ref);
	}

	@Activate
	void activate() {
		Engine e = new Engine(logger, home, readers, strategies, policies, journalFeed, loopListeners,
				Machine.real());
		engine = e;
		e.start();
	}

	@Deactivate
	void deactivate() {
		engine.close();
		journalFeed.close();
	}

	/** A module's config, new or changed (from ModuleFile). */
	void define(String name, Map<String, Object> properties) {
		engine.definitions.define(name, properties);
	}

	/** A module's config is gone: deleted (its tree is stopped), or only its component deactivated. */
	void undefine(String name, boolean deleted) {
		engine.definitions.undefine(name, deleted);
	}

	@Override
	public void exited(ExitEvent event) {
		Engine e = engine;
		if (e != null) {
			e.loop.exited(event);
		}
	}

	@Override
	public List<ModuleStatus> modules() {
		return engine.status.modules();
	}

	@Override
	public ModuleStatus status(String module) {
		return engine.status.status(module);
	}

	@Override
	public ModuleStatus start(String module) {
		return engine.launcher.startByRequest(module);
	}

	@Override
	public StopReport stop(String module) {
		return engine.stops.stop(module, true);
	}

	/** pw:release (see ReleaseCommand and Releases). */
	public String release(String module, int pid, String askedBy) {
		return engine.releases.release(module, pid, askedBy);
	}

	/** pw:deps (see DependencyCommand): "requires: ...; after: ...; required by: ...". */
	public String dependencies(String module) {
		return engine.dependencies.describe(module);
	}

	@Override
	public StopReport restart(String module) {
		StopReport report = engine.stops.stop(module, false);
		start(module);
		return report;
	}

	@Override
	public List<JournalEntry> events(String module, int limit) {
		Engine e = engine;
		if (module != null) {
			e.status.status(module); // throws for an unknown module
		}
		return e.journal.recent(module, limit);
	}
}
