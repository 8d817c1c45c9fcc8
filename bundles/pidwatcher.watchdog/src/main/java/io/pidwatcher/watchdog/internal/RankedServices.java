package io.pidwatcher.watchdog.internal;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.osgi.framework.ServiceReference;

/**
 * The services of one kind the engine uses (readers, strategies, policies), highest ranking first,
 * so that when two answer to one name the ranked one wins, as the OSGi service registry itself
 * would choose. Safe to read from any thread: DS binds and unbinds them on its own threads.
 */
final class RankedServices<S> {

	private final Map<ServiceReference<S>, S> services = new ConcurrentSkipListMap<>(Comparator.reverseOrder());
	/** The service property that names a service (pidwatcher.strategy...), null where unnamed. */
	private final String nameProperty;

	RankedServices(String nameProperty) {
		this.nameProperty = nameProperty;
	}

	void add(ServiceReference<S> ref, S service) {
		services.put(ref, service);
	}

	void remove(ServiceReference<S> ref) {
		services.remove(ref);
	}

	/** The highest-ranked service registered under the name, or null. */
	S named(String name) {
		Map.Entry<ServiceReference<S>, S> e = registration(name);
		return e == null ? null : e.getValue();
	}

	/** The same with its reference (whose bundle declares its parameters), or null. */
	Map.Entry<ServiceReference<S>, S> registration(String name) {
		for (Map.Entry<ServiceReference<S>, S> e : services.entrySet()) {
			if (name.equals(String.valueOf(e.getKey().getProperty(nameProperty)))) {
				return e;
			}
		}
		return null;
	}

	/** The highest-ranked service, or null. */
	S first() {
		var first = services.entrySet().stream().findFirst();
		return first.map(Map.Entry::getValue).orElse(null);
	}
}
