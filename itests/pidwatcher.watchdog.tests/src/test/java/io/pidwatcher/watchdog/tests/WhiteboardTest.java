package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.JournalListener;
import io.pidwatcher.api.supervisor.LoopListener;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.TestPrograms;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

/**
 * The supervisor's two whiteboards, LoopListener and JournalListener, against the real watchdog:
 * every pass of the loop is told, every journal entry is delivered in order, and a listener that
 * hangs or throws delays nothing but itself.
 */
@ExtendWith(BundleContextExtension.class)
class WhiteboardTest extends WatchdogTestBase {

	@InjectBundleContext
	BundleContext context;

	private final List<ServiceRegistration<?>> registered = new ArrayList<>();
	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void unregister() {
		release.countDown();
		registered.forEach(ServiceRegistration::unregister);
	}

	private <S> void register(Class<S> type, S service) {
		registered.add(context.registerService(type, service, null));
	}

	/** The loop's pulse keeps coming while a listener that throws is called at every pass too. */
	@Test
	void everyPassOfTheLoopIsToldEvenWhenAnotherListenerThrows() throws Exception {
		AtomicInteger thrown = new AtomicInteger();
		register(LoopListener.class, t -> {
			thrown.incrementAndGet();
			throw new IllegalStateException("a listener that fails every time");
		});
		List<Long> passes = new CopyOnWriteArrayList<>();
		register(LoopListener.class, passes::add);
		modules.define(TestPrograms.uniqueModule("pulse"), "command", Modules.pwtest("sleep", "60"), "interval", "100ms");
		Poll.until(Duration.ofSeconds(20), "20 passes of the loop", () -> passes.size() >= 20);
		List<Long> seen = List.copyOf(passes);
		for (int i = 1; i < seen.size(); i++) {
			assertThat(seen.get(i)).as("monotonic pass times").isGreaterThanOrEqualTo(seen.get(i - 1));
		}
		assertThat(thrown.get()).as("the throwing listener is still called").isGreaterThanOrEqualTo(10);
	}

	/**
	 * A journal listener that hangs does not delay a restart; a quick one receives the entries in
	 * journal order; the hung one, released, is told how many it missed and then gets the rest, so
	 * what it missed plus what it received is what the quick one received.
	 */
	@Test
	void aHungJournalListenerDelaysNothingAndIsToldWhatItMissed() throws Exception {
		List<JournalEntry> quick = new CopyOnWriteArrayList<>();
		register(JournalListener.class, quick::add);
		List<JournalEntry> slowEntries = new CopyOnWriteArrayList<>();
		AtomicLong slowMissed = new AtomicLong();
		AtomicInteger missedCalls = new AtomicInteger();
		register(JournalListener.class, new JournalListener() {
			@Override
			public void entry(JournalEntry entry) {
				slowEntries.add(entry);
				try {
					release.await(60, TimeUnit.SECONDS); // hung until released
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			}

			@Override
			public void missed(int count) {
				missedCalls.incrementAndGet();
				slowMissed.addAndGet(count);
			}
		});
		// A crash loop with no delay: several journal entries per restart, well over the 1000
		// entries a listener's queue holds, while the hung listener holds its first one.
		String name = modules.define(TestPrograms.uniqueModule("feed"), "command", Modules.pwtest("crash", "0", "1"),
				"interval", "100ms", "strategy", "fixed", "strategy.delay", "0ms");
		Poll.until(Duration.ofSeconds(90), "1300 entries of the crash loop while a listener hangs",
				() -> quick.stream().filter(e -> e.module().equals(name)).count() >= 1300);
		assertThat(supervisor.status(name).restarts()).isGreaterThan(200);
		supervisor.stop(name);
		modules.awaitState(name, ModuleState.STOPPED);
		Poll.until(Duration.ofSeconds(10), "the quick listener has the stop", () -> quick.stream()
				.anyMatch(e -> e.module().equals(name) && e.to() == ModuleState.STOPPED && e.reason().startsWith("stopped by request")));
		int total = quick.size();
		assertThat(total).isGreaterThan(1100);
		List<JournalEntry> journal = supervisor.events(name, 2000);
		List<JournalEntry> quickOfModule = quick.stream().filter(e -> e.module().equals(name)).toList();
		assertThat(journal).as("the journal's last entries, in the journal's order")
				.isEqualTo(quickOfModule.subList(quickOfModule.size() - journal.size(), quickOfModule.size()));

		release.countDown();
		Poll.until(Duration.ofSeconds(20), "the released listener catches up",
				() -> slowEntries.size() + slowMissed.get() >= total);
		Thread.sleep(200);
		assertThat(slowMissed.get()).isPositive();
		assertThat(slowEntries.size() + slowMissed.get()).as("missed + received = all entries").isEqualTo(total);
		assertThat(missedCalls.get()).isEqualTo(1);
		// what it received is the first entry and then the newest ones, in the same order
		assertThat(slowEntries.get(0)).isEqualTo(quick.get(0));
		List<JournalEntry> tail = slowEntries.subList(1, slowEntries.size());
		assertThat(tail).isEqualTo(quick.subList(total - tail.size(), total));
	}
}
