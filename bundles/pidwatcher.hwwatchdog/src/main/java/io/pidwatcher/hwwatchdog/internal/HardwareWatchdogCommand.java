package io.pidwatcher.hwwatchdog.internal;

import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code pw:hwwatchdog}: the device, its last ping, a coming reset, and the cause of the last one. */
@Component(service = HardwareWatchdogCommand.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=hwwatchdog"
})
public final class HardwareWatchdogCommand {

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile HardwareWatchdog watchdog;

	@Descriptor("the hardware watchdog: device, timeout, critical modules, last ping, the cause of the last reset")
	public void hwwatchdog() {
		HardwareWatchdog w = watchdog;
		System.out.print(w == null ? new HardwareWatchdogState(null, false, "", 0, Set.of(), null, "", "").text()
				: w.state().text());
	}
}
