package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.JournalListener;
import io.pidwatcher.api.supervisor.ModuleState;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A listener that falls behind loses the oldest entries and is told exactly how many, in order. */
class JournalFeedTest {

	private static JournalEntry entry(int n) {
		return new JournalEntry(Instant.EPOCH, "m", "m.1", ModuleState.RUNNING, ModuleState.RUNNING, "entry " + n);
	}

	@Test
	void aHungListenerIsToldWhatItMissedThenGetsTheNewestInOrder() throws Exception {
		JournalFeed feed = new JournalFeed(3, (l, e) -> {
		});
		CountDownLatch first = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		List<String> seen = new CopyOnWriteArrayList<>();
		CountDownLatch done = new CountDownLatch(1);
		feed.add("key", new JournalListener() {
			@Override
			public void entry(JournalEntry e) {
				seen.add(e.reason());
				first.countDown();
				await(release);
				if (e.reason().equals("entry 9")) {
					done.countDown();
				}
			}

			@Override
			public void missed(int count) {
				seen.add("missed " + count);
			}
		});
		feed.publish(entry(0));
		assertThat(first.await(5, TimeUnit.SECONDS)).isTrue(); // entry 0 is being delivered, and hangs
		for (int i = 1; i <= 9; i++) {
			feed.publish(entry(i)); // never blocks: entries 1..6 are dropped, 7..9 queued
		}
		release.countDown();
		assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(seen).containsExactly("entry 0", "missed 6", "entry 7", "entry 8", "entry 9");
		feed.close();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
