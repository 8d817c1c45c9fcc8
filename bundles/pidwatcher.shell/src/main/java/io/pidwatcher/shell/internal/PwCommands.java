package io.pidwatcher.shell.internal;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code pw:} commands. They print rather than return, so one-shot Gogo
 * ({@code -Dgosh.args="-c 'pw:ps'"}) shows their output too.
 */
@Component(service = PwCommands.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=ps",
		"osgi.command.function=source"
})
public final class PwCommands {

	/** How long pw:ps waits between its two samples when it has no recent one to compare with. */
	private static final long SAMPLE_GAP_MILLIS = 250;
	/** A previous pw:ps snapshot older than this is too stale to give a meaningful %CPU. */
	private static final long REUSE_NANOS = 30_000_000_000L;

	/** All readers, highest ranking first (ServiceReference orders by ranking, then age). */
	private final Map<ServiceReference<ProcessReader>, ProcessReader> readers =
			new ConcurrentSkipListMap<>(Comparator.reverseOrder());

	/** The last snapshot per scope, so repeated pw:ps shows %CPU since the previous call, like top. */
	private final Map<ScanScope, ProcessSnapshot> previous = new java.util.concurrent.ConcurrentHashMap<>();

	@Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addReader(ServiceReference<ProcessReader> ref, ProcessReader reader) {
		readers.put(ref, reader);
	}

	void removeReader(ServiceReference<ProcessReader> ref) {
		readers.remove(ref);
	}

	private Map.Entry<ServiceReference<ProcessReader>, ProcessReader> active() {
		return readers.entrySet().stream().findFirst()
				.orElseThrow(() -> new IllegalStateException("no process reader is available"));
	}

	private static int ranking(ServiceReference<?> ref) {
		return ref.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
	}

	@Descriptor("list the processes that carry the tag (of one module, if named), as trees, with %CPU and RSS")
	public void ps(@Descriptor("module name, the tag's value (optional)") Object... module) throws InterruptedException {
		String text;
		try {
			text = table(CommandArguments.optionalName("pw:ps", module).map(ScanScope::module).orElse(ScanScope.tagged()));
		} catch (CommandArguments.Problem | IllegalStateException e) {
			System.err.println(e.getMessage());
			return;
		}
		System.out.print(text);
	}

	@Descriptor("show which process reader is active, the kernel module's state, the exit-event mode and the last scan's cost")
	public void source(@Descriptor("(none)") Object... none) {
		try {
			CommandArguments.none("pw:source", none);
		} catch (CommandArguments.Problem e) {
			System.err.println(e.getMessage());
			return;
		}
		System.out.print(sourceText());
	}

	/** The text of pw:source, also what the control socket's {@code source} verb answers. */
	String sourceText() {
		var active = active();
		List<String> standingBy = readers.entrySet().stream().filter(e -> !e.getKey().equals(active.getKey()))
				.map(e -> SourceReport.standingBy(e.getValue().describe(), ranking(e.getKey()))).toList();
		return SourceReport.format(active.getValue().describe(), ranking(active.getKey()), standingBy,
				KernelModuleStatus.read(KernelModuleStatus.SYSFS));
	}

	/** The text of pw:ps, also what tests compare. */
	String table(ScanScope scope) throws InterruptedException {
		ProcessReader reader = active().getValue();
		ProcessSnapshot earlier = previous.get(scope);
		ProcessSnapshot now = reader.scan(scope);
		if (earlier == null || !earlier.source().equals(now.source())
				|| now.monotonicNanos() - earlier.monotonicNanos() > REUSE_NANOS) {
			earlier = now;
			Thread.sleep(SAMPLE_GAP_MILLIS);
			now = reader.scan(scope);
		}
		previous.put(scope, now);
		return PsTable.format(now, now.cpuPercentSince(earlier));
	}
}
