/**
 * The supervisor client API: the modules, their states and journal, and the control of them.
 * The Gogo commands, the control socket, HTTP and MQTT bundles all call {@link
 * io.pidwatcher.api.supervisor.Supervisor}; listeners of the journal and of the supervision
 * loop register as whiteboard services.
 */
@Version("1.1.0")
package io.pidwatcher.api.supervisor;

import org.osgi.annotation.versioning.Version;
