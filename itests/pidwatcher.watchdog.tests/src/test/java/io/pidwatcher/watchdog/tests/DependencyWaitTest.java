package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.TestPrograms;

import java.util.List;

import org.apache.felix.service.command.CommandProcessor;

import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * requires= in the real framework (issue 14 part 1): a module whose requirement is stopped waits,
 * pw:modules shows why, pw:deps shows the dependency both ways, and a start of the requirement
 * lets it start.
 */
class DependencyWaitTest extends WatchdogTestBase {

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@Test
	void aModuleWaitsForWhatItRequiresAndPwDepsShowsBothWays() throws Exception {
		String db = TestPrograms.uniqueModule("depdb");
		String web = TestPrograms.uniqueModule("depweb");
		modules.define(db, "command", Modules.pwtest("sleep", "120"), "interval", "200ms", "autostart", "false");
		modules.define(web, "command", Modules.pwtest("sleep", "120"), "interval", "200ms", "requires", db);
		String why = "waiting for " + db + " (requires): stopped";
		modules.await(web, why, s -> s.state() == ModuleState.WAITING && s.reason().equals(why));
		assertThat(modules.liveTree(web)).as("nothing started").isEmpty();
		assertThat(Gogo.run(gogo, "pw:modules")).containsPattern(web + "\\s+waiting\\s.*" + java.util.regex.Pattern.quote(why));
		assertThat(Gogo.run(gogo, "pw:deps " + web).trim()).isEqualTo(web + ": requires: " + db + "; after: -; required by: -");
		assertThat(Gogo.run(gogo, "pw:deps " + db).trim()).isEqualTo(db + ": requires: -; after: -; required by: " + web);
		assertThat(Gogo.run(gogo, "pw:deps nosuchmodule").trim()).isEqualTo("no module named 'nosuchmodule'");
		assertThat(Gogo.run(gogo, "pw:deps " + db + " " + web).trim()).isEqualTo("pw:deps takes at most one module name; got 2 (too many)");
		assertThat(Gogo.run(gogo, "pw:deps")).contains(web + ": requires: " + db + ";", db + ": requires: -;");
		// pw:status (and bin/pidwatcher status, the same text) shows them both ways too
		String report = TestPrograms.uniqueModule("depreport");
		modules.define(report, "command", Modules.pwtest("sleep", "120"), "interval", "200ms", "autostart", "false",
				"after", db);
		modules.await(db, "needed by " + web + ", before " + report, s -> s.dependencies().requiredBy().equals(List.of(web))
				&& s.dependencies().before().equals(List.of(report)));
		assertThat(Gogo.run(gogo, "pw:status " + db)).containsPattern("(?m)^requires\\s+-$")
				.containsPattern("(?m)^needed by\\s+" + web + "; before: " + report + "$");
		modules.await(web, "requires " + db, s -> s.dependencies().requires().equals(List.of(db)));
		assertThat(Gogo.run(gogo, "pw:status " + web)).containsPattern("(?m)^requires\\s+" + db + "$")
				.containsPattern("(?m)^needed by\\s+-$");
		modules.await(report, "after " + db, s -> s.dependencies().after().equals(List.of(db)));
		assertThat(Gogo.run(gogo, "pw:status " + report)).containsPattern("(?m)^requires\\s+-; after: " + db + "$");

		supervisor.start(db);
		modules.awaitState(web, ModuleState.RUNNING);
		assertThat(modules.liveTree(web)).hasSize(1);
		assertThat(supervisor.status(db).state()).isEqualTo(ModuleState.RUNNING);
	}
}
