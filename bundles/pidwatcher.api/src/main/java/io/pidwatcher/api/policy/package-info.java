/**
 * The health policy SPI: third parties implement {@link io.pidwatcher.api.policy.HealthPolicy}
 * to judge a module's tree.
 */
@Version("1.0.0")
package io.pidwatcher.api.policy;

import org.osgi.annotation.versioning.Version;
