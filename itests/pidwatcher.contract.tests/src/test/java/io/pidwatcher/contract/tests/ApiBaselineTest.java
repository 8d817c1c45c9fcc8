package io.pidwatcher.contract.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * bnd baselining in the build: bundles/pidwatcher.api is compared with its release 1.0.0 (from
 * api-baseline/repo). The test-only profile baseline-break leaves the public class
 * io.pidwatcher.api.text.SizeText out of the bundle while the package stays at 1.0.0: an
 * incompatible change without a major version bump, which must fail the build. The same build
 * with every type kept must pass, so the failure is the change's and not, say, a missing baseline.
 */
class ApiBaselineTest {

	private static final Path LOGS = Path.of("target", "nested-maven").toAbsolutePath();
	private static final String API_POM = "bundles/pidwatcher.api/pom.xml";

	@Test
	void removingATypeWithoutAMajorVersionBumpFailsTheBuildWithBndsBaselineReport() throws Exception {
		NestedMaven.Result broken = NestedMaven.run(LOGS.resolve("baseline-break.log"), "-q", "-Pbaseline-break", "verify",
				"-f", API_POM);

		assertThat(broken.status()).as("exit status of the build with SizeText removed\n%s", broken.output()).isNotZero();
		assertThat(broken.output())
				.contains("Baseline problems detected")
				.containsPattern("MAJOR\\s+PACKAGE\\s+io\\.pidwatcher\\.api\\.text")
				.containsPattern("REMOVED\\s+CLASS\\s+io\\.pidwatcher\\.api\\.text\\.SizeText")
				// bnd's suggestion for the package: the next major version
				.containsPattern("io\\.pidwatcher\\.api\\.text\\s+PACKAGE\\s+MAJOR\\s+1\\.0\\.0\\s+1\\.0\\.0\\s+2\\.0\\.0");
	}

	@Test
	void theSameBuildWithEveryTypeKeptPassesTheBaseline() throws Exception {
		NestedMaven.Result intact = NestedMaven.run(LOGS.resolve("baseline-intact.log"), "-q", "-Pbaseline-break",
				"-Dpidwatcher.baseline.remove=none", "verify", "-f", API_POM);

		assertThat(intact.status()).as("exit status of the unchanged API's build\n%s", intact.output()).isZero();
		assertThat(intact.output()).doesNotContain("Baseline problems detected");
	}
}
