package io.pidwatcher.watchdog.tests;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.supervisor.Supervisor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * What every watchdog test starts from: the /proc reader, the supervisor, Config Admin, and
 * {@link Modules}, which defines a test's modules and removes them (and their trees) after it.
 * osgi-test injects these inherited fields as it does a test class's own (FieldInjector walks the
 * superclasses). The set-up methods have names of their own so a test's setUp does not hide them.
 */
@ExtendWith(ServiceExtension.class)
abstract class WatchdogTestBase {

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader reader;

	@InjectService(timeout = 5000)
	Supervisor supervisor;

	@InjectService
	ConfigurationAdmin configAdmin;

	Modules modules;

	@BeforeEach
	void defineModulesForThisTest() {
		modules = new Modules(configAdmin, supervisor, reader);
	}

	@AfterEach
	void removeThisTestsModules() throws Exception {
		modules.close();
	}
}
