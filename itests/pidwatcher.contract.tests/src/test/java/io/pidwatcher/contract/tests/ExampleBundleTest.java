package io.pidwatcher.contract.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/tcp-probe-policy built as a third party builds it (its own pom, the installed API
 * artifact, offline) and deployed into the exported runtime's deploy/: a module with
 * {@code policies=tcp} is left alone while its port answers and restarted when it stops answering.
 */
class ExampleBundleTest extends RuntimeTestBase {

	static final Path EXAMPLE = NestedMaven.ROOT.resolve("examples/tcp-probe-policy");
	static Path jar;

	@BeforeAll
	static void buildTheExample() throws Exception {
		NestedMaven.Result build = NestedMaven.run(Path.of("target", "nested-maven", "tcp-probe-policy.log").toAbsolutePath(),
				"-q", "-f", EXAMPLE.resolve("pom.xml").toString(), "-Dpidwatcher.api.version=" + NestedMaven.VERSION,
				"clean", "package");
		assertThat(build.status()).as("mvn -f examples/tcp-probe-policy/pom.xml -o -q package (needs this build's API "
				+ "installed: mvn install)\n%s", build.output()).isZero();
		jar = EXAMPLE.resolve("target/tcp-probe-policy-1.0.0.jar");
		assertThat(jar).exists();
	}

	@Test
	void aModuleIsLeftAloneWhileItsPortAnswersAndRestartedWhenItStops() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			int port = server.getLocalPort();
			deploy(jar, "tcp-probe-policy.jar");
			String probed = module("tcp", "policies=tcp", "policy.tcp.port=" + port, "policy.tcp.timeout=500ms",
					"strategy=fixed", "strategy.delay=100ms");
			runtime.start();
			awaitState(probed, "running");
			Proc.Task first = onlyTask(probed);
			ExportedRuntime.until(WAIT, "the tcp verdict in pw:status", () -> {
				try {
					return status(probed).contains("tcp 127.0.0.1:" + port + " answered in");
				} catch (Exception e) {
					return false;
				}
			});
			Thread.sleep(2000); // ten intervals, each probing the port
			assertThat(Proc.alive(first)).as("left alone while the port answers").isTrue();
			assertThat(runtime.state(probed)).isEqualTo("running");

			server.close();
			awaitJournal(probed, "tcp 127.0.0.1:" + port + " does not answer");
			ExportedRuntime.until(WAIT, "the old run stopped and a new one started", () -> !Proc.alive(first)
					&& Proc.tagged(probed).size() == 1);
		}
	}

	/**
	 * A bad policy.tcp.* value is caught by the policy's checkParameters. A module already running
	 * when the policy appears keeps running and shows the rejection, naming the key; a module file
	 * read while the policy is deployed is marked invalid with the same words, and nothing of it runs.
	 */
	@Test
	void badProbeParametersAreRejectedNamingTheKeyAndNeverStopARunningModule() throws Exception {
		String running = module("tcpbad", "policies=tcp", "policy.tcp.port=99999");
		runtime.start();
		awaitState(running, "running");
		Proc.Task kept = onlyTask(running);
		deploy(jar, "tcp-probe-policy.jar");
		ExportedRuntime.until(WAIT, "the bad port named in pw:status", () -> {
			try {
				return status(running).contains("policy.tcp.port: 99999 is out of range (1-65535)");
			} catch (Exception e) {
				return false;
			}
		});
		String fresh = module("tcpbad", "policies=tcp", "policy.tcp.port=80", "policy.tcp.timeout=soon");
		awaitState(fresh, "invalid");
		assertThat(status(fresh)).contains("policy.tcp.timeout");
		assertThat(Proc.tagged(fresh)).as("nothing of an invalid module runs").isEmpty();
		assertThat(Proc.alive(kept)).as("a rejected config never stops the running module").isTrue();
		assertThat(runtime.state(running)).isEqualTo("running");
	}
}
