package io.pidwatcher.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** The runtime on the /proc reader, in a real Felix, against real processes. */
@ExtendWith(ServiceExtension.class)
class ProcfsRuntimeTest {

	private static final String TAG_PID = "pidwatcher.tag";
	private static final Duration WAIT = Duration.ofSeconds(10);

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader reader;

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	@InjectService
	ConfigurationAdmin configAdmin;

	@InjectService
	LogReaderService log;

	private final List<Process> processes = new ArrayList<>();
	private final List<String[]> tagged = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		Configuration config = configAdmin.getConfiguration(TAG_PID, "?");
		config.delete();
		Poll.until(WAIT, "default tag back in force", () -> reader.tagName().equals(ProcessReader.DEFAULT_TAG_NAME));
		for (String[] t : tagged) {
			TestPrograms.killTagged(t[0], t[1]);
		}
		processes.forEach(Process::destroyForcibly);
	}

	private Process start(String tag, String module, String... args) {
		Process p = TestPrograms.start(tag, module, args);
		processes.add(p);
		tagged.add(new String[] { tag, module });
		return p;
	}

	@Test
	void readerServiceAppears() {
		assertThat(reader).isNotNull();
		assertThat(reader.describe().source()).isEqualTo("procfs");
		assertThat(reader.tagName()).isEqualTo("PIDWATCHER_MODULE");
	}

	@Test
	void psListsATaggedProcessTreeWithItsSetsidDaemon() throws Exception {
		String module = TestPrograms.uniqueModule("gogo");
		Process threads = start("PIDWATCHER_MODULE", module, "threads", "3", "60");
		Path pidFile = Files.createTempFile("daemon", ".pid");
		start("PIDWATCHER_MODULE", module, "daemon", pidFile.toString(), "60").waitFor();
		Poll.until(WAIT, "daemon pid file", () -> pidFile.toFile().length() > 0);
		int daemonPid = Integer.parseInt(Files.readString(pidFile).trim());
		Poll.until(WAIT, "both processes visible", () -> reader.scan(ScanScope.module(module)).tasks().size() == 2);

		String one = Gogo.run(gogo, "pw:ps " + module);
		assertThat(one).contains("module " + module + ": 2 processes, 5 threads")
				.containsPattern("\\s" + threads.pid() + "\\s")
				.containsPattern("\\s" + daemonPid + "\\s");
		String all = Gogo.run(gogo, "pw:ps");
		assertThat(all).contains("module " + module + ":");

		TaskSnapshot daemon = reader.scan(ScanScope.module(module)).tasks().stream()
				.filter(t -> t.pid() == daemonPid).findFirst().orElseThrow();
		assertThat(daemon.ppid()).as("the double-forked setsid daemon lost its parent")
				.isNotEqualTo((int) ProcessHandle.current().pid());
	}

	@Test
	void sourceSaysWhichReaderIsActive() throws Exception {
		reader.scan(ScanScope.tagged());
		String out = Gogo.run(gogo, "pw:source");
		assertThat(out).contains("reader     procfs").contains("tag        PIDWATCHER_MODULE")
				.containsPattern("last scan  [0-9.]+ ms, [0-9]+ processes examined");
	}

	@Test
	void tagNameChangesThroughConfigAdminWithoutARestart() throws Exception {
		String otherTag = "PW_TEST_TAG_" + System.nanoTime();
		String module = TestPrograms.uniqueModule("other");
		Process p = start(otherTag, module, "sleep", "60");
		Poll.until(WAIT, "process started", () -> p.isAlive() && reader.scan(ScanScope.everything()).tasks().stream()
				.anyMatch(t -> t.pid() == p.pid() && t.comm().equals("pwtest")));
		assertThat(reader.scan(ScanScope.module(module)).tasks()).isEmpty();

		configure(otherTag);
		Poll.until(WAIT, "new tag in force", () -> reader.tagName().equals(otherTag));
		assertThat(reader.scan(ScanScope.module(module)).tasks()).extracting(TaskSnapshot::pid)
				.containsExactly((int) p.pid());
		assertThat(Gogo.run(gogo, "pw:ps " + module)).contains("module " + module + ": 1 processes");
	}

	@Test
	void invalidTagNamesAreRejectedWithALoggedReasonAndThePreviousNameStays() throws Exception {
		String good = "PW_GOOD_" + System.nanoTime();
		configure(good);
		Poll.until(WAIT, "good tag in force", () -> reader.tagName().equals(good));

		for (String bad : new String[] { "", "9STARTS_WITH_DIGIT", "HAS SPACE", "HAS=EQUALS" }) {
			long before = System.currentTimeMillis();
			configure(bad);
			Poll.until(WAIT, "rejection of '" + bad + "' logged", () -> rejectionLoggedSince(before, bad));
			assertThat(reader.tagName()).isEqualTo(good);
		}
	}

	private boolean rejectionLoggedSince(long since, String bad) {
		List<LogEntry> entries = Collections.list(log.getLog());
		return entries.stream().anyMatch(e -> e.getTime() >= since && e.getLogLevel() == LogLevel.ERROR
				&& e.getMessage().contains("pidwatcher.tag rejected")
				&& (bad.isEmpty() ? e.getMessage().contains("empty") : e.getMessage().contains("'" + bad + "'")));
	}

	private void configure(String variable) throws Exception {
		Dictionary<String, Object> props = new Hashtable<>();
		props.put("variable", variable);
		configAdmin.getConfiguration(TAG_PID, "?").update(props);
	}
}
