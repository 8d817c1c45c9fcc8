package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.TestPrograms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.test.common.annotation.InjectService;

/**
 * The README's module configuration table (README.md, "Supervising modules") and the code agree,
 * read through public surfaces only: the Metatype definition of the factory PID pidwatcher.module
 * (its attributes, and the prefixes its description documents), and the watchdog accepting a
 * module that sets every key of the table.
 */
class ModuleConfigTableTest extends WatchdogTestBase {

	private static final String PID = "pidwatcher.module";

	@InjectService(timeout = 5000)
	MetaTypeService metaType;

	private Set<String> tableKeys;
	private Set<String> tablePrefixes;
	private Set<String> metatypeKeys;
	private Set<String> metatypePrefixes;

	@BeforeEach
	void readBoth() throws Exception {
		readTable(Files.readAllLines(Path.of(System.getProperty("pidwatcher.readme"))));
		ObjectClassDefinition ocd = definition();
		metatypeKeys = new TreeSet<>();
		for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
			metatypeKeys.add(ad.getID());
		}
		// "Also accepted: env.<VAR>=value ..., strategy.<key>=value ..., policy.<policy>.<key>=value"
		metatypePrefixes = new TreeSet<>();
		Matcher m = Pattern.compile("\\b([a-z]+\\.)<").matcher(ocd.getDescription());
		while (m.find()) {
			metatypePrefixes.add(m.group(1));
		}
	}

	/** The rows of the table headed "| key | meaning | default |": each backquoted key of the first column. */
	private void readTable(List<String> readme) {
		tableKeys = new TreeSet<>();
		tablePrefixes = new TreeSet<>();
		int header = readme.indexOf("| key | meaning | default |");
		assertThat(header).as("the README's module table header").isNotNegative();
		for (String row : readme.subList(header + 2, readme.size())) {
			if (!row.startsWith("|")) {
				break;
			}
			Matcher key = Pattern.compile("`([^`]+)`").matcher(row.split("\\|")[1]);
			while (key.find()) {
				String k = key.group(1);
				if (k.contains("<")) {
					tablePrefixes.add(k.substring(0, k.indexOf('<')));
				} else {
					tableKeys.add(k);
				}
			}
		}
		assertThat(tableKeys).as("keys of the README table").contains("command", "interval");
	}

	private ObjectClassDefinition definition() {
		BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
		for (Bundle b : context.getBundles()) {
			var info = metaType.getMetaTypeInformation(b);
			if (info != null && Arrays.asList(info.getFactoryPids()).contains(PID)) {
				return info.getObjectClassDefinition(PID, null);
			}
		}
		throw new AssertionError("no bundle describes the factory PID " + PID + " through Metatype");
	}

	@Test
	void everyKeyTheMetatypeDefinesIsInTheReadmeTable() {
		assertThat(metatypeKeys).as("Metatype attributes of " + PID).isNotEmpty();
		assertThat(tableKeys).as("README table keys").containsAll(metatypeKeys);
	}

	@Test
	void thePrefixesOfTheTableAreTheOnesTheMetatypeDocuments() {
		assertThat(tablePrefixes).isNotEmpty().isEqualTo(metatypePrefixes);
	}

	/** Failed before 53c7d12: the README documented `group`, which the Metatype definition did not describe. */
	@Test
	void everyKeyOfTheReadmeTableIsInTheMetatype() {
		assertThat(metatypeKeys).as("Metatype attributes of " + PID).containsAll(tableKeys);
	}

	/** A module that sets every key of the table (and each documented prefix) is accepted and runs. */
	@Test
	void aModuleSettingEveryKeyOfTheTableIsAccepted() throws Exception {
		List<String> config = new ArrayList<>();
		// the program writes the pid file main=pidfile reads (the started process is the main one)
		Path pidFile = Files.createTempDirectory("table").resolve("table.pid");
		for (String key : tableKeys) {
			config.add(key);
			config.add(switch (key) {
			case "command" -> "sh -c 'echo $$ > " + pidFile + "; exec " + Modules.pwtest("sleep", "120") + "'";
			case "main" -> "pidfile";
			case "pidfile" -> pidFile.toString();
			case "directory" -> System.getProperty("java.io.tmpdir");
			case "interval" -> "300ms";
			case "autostart", "notify" -> key.equals("autostart") ? "true" : "false";
			case "strategy" -> "fixed";
			case "restart" -> "on-failure";
			case "success.exit" -> "3 SIGUSR1";
			case "group" -> "tablegroup";
			case "policies" -> "liveness";
			case "stop.signal" -> "TERM";
			case "stop.timeout", "start.timeout" -> "5s";
			case "log.size" -> "1M";
			case "log.files" -> "2";
			case "log.rotate" -> "daily";
			case "log.compress" -> "true";
			case "log.max" -> "5%";
			case "user", "user.group", "user.groups" -> "root";
			case "umask" -> "022";
			case "nice" -> "0";
			case "no_new_privs" -> "true";
			case "requires", "after" -> ""; // dependencies (issue 14 part 1): none, so it starts on its own
			case "ready" -> "running"; // readiness (issue 14 part 2): the default, so it is running at once
			default -> throw new AssertionError("the README table has a key this test does not know: " + key
					+ " (give it a valid value here)");
			});
		}
		for (String prefix : tablePrefixes) {
			config.add(switch (prefix) {
			case "env." -> "env.TABLE_TEST";
			case "strategy." -> "strategy.delay";
			case "policy." -> "policy.liveness.min";
			case "limit." -> "limit.nofile";
			default -> throw new AssertionError("the README table has a prefix this test does not know: " + prefix);
			});
			config.add(prefix.equals("strategy.") ? "200ms" : prefix.equals("limit.") ? "1024" : "1");
		}
		String name = modules.define(TestPrograms.uniqueModule("table"), config.toArray(String[]::new));
		ModuleStatus s = modules.awaitState(name, ModuleState.RUNNING);
		assertThat(s.configProblem()).as("every documented key accepted").isEmpty();
		assertThat(modules.liveTree(name)).hasSize(1);
	}
}
