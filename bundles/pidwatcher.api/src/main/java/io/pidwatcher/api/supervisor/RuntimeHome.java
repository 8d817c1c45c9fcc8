package io.pidwatcher.api.supervisor;

import org.osgi.annotation.versioning.ProviderType;
import java.nio.file.Path;

/**
 * The directory a pidwatcher runtime lives in ({@code -Dpidwatcher.home}, default the current
 * directory): {@code etc/} holds the .cfg files FileInstall watches, {@code deploy/} extra bundles,
 * {@code var/} what the runtime writes (logs, journal, control socket).
 */
@ProviderType
public interface RuntimeHome {

	/** System property that names the home directory. */
	String PROPERTY = "pidwatcher.home";

	Path root();

	default Path etc() {
		return root().resolve("etc");
	}

	default Path deploy() {
		return root().resolve("deploy");
	}

	default Path var() {
		return root().resolve("var");
	}
}
