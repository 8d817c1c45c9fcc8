package io.pidwatcher.shell.internal;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The framework's {@code refresh}, as in any Felix shell: with bundles, refreshes them and what
 * depends on them; without, the bundles pending removal (left by an update or an uninstall). Gogo
 * command 1.1.2, its last release, throws a NullPointerException for the second (Basic.refresh
 * hands Arrays.asList a null array). Gogo runs the highest-ranked provider of a scope:function, so
 * this one, ranked 1 against Basic's 0, answers {@code felix:refresh} and so {@code refresh};
 * every other felix: command stays Basic's. It is not a pw: command and does nothing else than
 * Basic's would; drop it once a fixed Gogo command ships.
 */
@Component(service = FrameworkRefreshCommand.class, property = {
		"osgi.command.scope=felix",
		"osgi.command.function=refresh",
		Constants.SERVICE_RANKING + ":Integer=1"
})
public final class FrameworkRefreshCommand {

	private final FrameworkWiring wiring;

	@Activate
	public FrameworkRefreshCommand(BundleContext context) {
		wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
	}

	@Descriptor("refresh packages: the given bundles and those wired to them; without bundles, the bundles pending removal")
	public void refresh(@Descriptor("target bundles (can be empty)") Bundle... bundles) {
		wiring.refreshBundles(bundles == null || bundles.length == 0 ? null : List.of(bundles));
	}
}
