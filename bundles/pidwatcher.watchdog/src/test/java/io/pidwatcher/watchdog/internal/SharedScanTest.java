package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Callers that want a scan of everything at once share it, and nobody gets a snapshot whose scan
 * began before it asked. A scan here is a slow function that numbers its snapshots by the
 * moment it began (monotonicNanos), so each caller can check it.
 */
class SharedScanTest {

	private static ProcessSnapshot snapshot(long beganNanos) {
		return new ProcessSnapshot("test", "T", ScanScope.everything(), beganNanos, Instant.now(), List.of(), false);
	}

	@Test
	void twentyConcurrentCallersShareAFewScansAndEachGetsOneBegunAfterItAsked() throws Exception {
		AtomicInteger scans = new AtomicInteger();
		AtomicInteger running = new AtomicInteger();
		AtomicInteger overlapping = new AtomicInteger();
		SharedScan shared = new SharedScan(() -> {
			scans.incrementAndGet();
			if (running.incrementAndGet() > 1) {
				overlapping.incrementAndGet();
			}
			long began = System.nanoTime();
			try {
				Thread.sleep(50);
			} catch (InterruptedException e) {
				throw new IllegalStateException(e);
			} finally {
				running.decrementAndGet();
			}
			return snapshot(began);
		});
		ExecutorService pool = Executors.newFixedThreadPool(20);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<long[]>> results = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			results.add(pool.submit(() -> {
				go.await();
				long asked = System.nanoTime();
				return new long[] { asked, shared.get().monotonicNanos() };
			}));
		}
		go.countDown();
		for (Future<long[]> r : results) {
			long[] askedAndBegan = r.get(10, TimeUnit.SECONDS);
			assertThat(askedAndBegan[1]).as("the scan began after the call").isGreaterThanOrEqualTo(askedAndBegan[0]);
		}
		pool.shutdown();
		assertThat(overlapping).as("scans that ran at the same time as another").hasValue(0);
		// unshared: 20; shared: the one running when they asked and the one after (a slow thread may need one more)
		assertThat(scans.get()).isLessThanOrEqualTo(5);
	}

	@Test
	void aFailedScanFailsItsCallerAndTheNextCallerScansAgain() {
		AtomicInteger calls = new AtomicInteger();
		SharedScan shared = new SharedScan(() -> {
			if (calls.incrementAndGet() == 1) {
				throw new IllegalStateException("no process reader is available");
			}
			return snapshot(System.nanoTime());
		});
		try {
			shared.get();
			throw new AssertionError("the failure was not passed on");
		} catch (IllegalStateException e) {
			assertThat(e).hasMessageContaining("no process reader");
		}
		assertThat(shared.get()).isNotNull();
		assertThat(calls).hasValue(2);
	}
}
