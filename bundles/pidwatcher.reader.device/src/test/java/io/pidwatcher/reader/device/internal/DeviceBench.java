package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.osgi.service.log.Logger;

/**
 * Benchmark harness (not a test), run by scripts/bench-device in a QEMU guest with the module
 * loaded: {@code scan} times the device reader's tagged scan; {@code latency N MODULE} kills N
 * processes of MODULE one by one and times kill to exit event by device poll.
 */
public final class DeviceBench {

	private DeviceBench() {
	}

	public static void main(String[] args) throws Exception {
		DeviceReader reader = new DeviceReader("/dev/pidwatcher", "PIDWATCHER_MODULE", List::of, reason -> {
			throw new IllegalStateException(reason);
		});
		if (args[0].equals("scan")) {
			scan(reader, Integer.parseInt(args[1]));
		} else {
			latency(reader, Integer.parseInt(args[1]), args[2]);
		}
		reader.closeFile();
	}

	private static void scan(DeviceReader reader, int runs) {
		for (int i = 0; i < 5; i++) {
			reader.scan(ScanScope.tagged());
		}
		long[] nanos = new long[runs];
		int tasks = 0;
		for (int i = 0; i < runs; i++) {
			long start = System.nanoTime();
			ProcessSnapshot s = reader.scan(ScanScope.tagged());
			nanos[i] = System.nanoTime() - start;
			tasks = s.tasks().size();
		}
		Arrays.sort(nanos);
		long median = nanos[runs / 2];
		System.out.printf("BENCH device scan: %d tagged tasks, median %.2f ms (min %.2f, max %.2f) over %d scans = %.2f us/task%n",
				tasks, median / 1e6, nanos[0] / 1e6, nanos[runs - 1] / 1e6, runs, median / 1e3 / Math.max(1, tasks));
	}

	private static void latency(DeviceReader reader, int kills, String module) throws Exception {
		LinkedBlockingQueue<ExitEvent> events = new LinkedBlockingQueue<>();
		ExitListener listener = events::add;
		Logger quiet = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] { Logger.class },
				(proxy, method, a) -> method.getReturnType() == boolean.class ? false : null);
		ExitEventLoop loop = new ExitEventLoop("/dev/pidwatcher", List.of(listener), quiet, reason -> {
		});
		loop.start();
		List<TaskSnapshot> victims = reader.scan(ScanScope.module(module)).tasks();
		List<Double> ms = new ArrayList<>();
		for (TaskSnapshot v : victims.subList(0, Math.min(kills, victims.size()))) {
			Thread.sleep(200);
			long t0 = System.nanoTime();
			ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly);
			for (ExitEvent e; (e = events.poll(5, TimeUnit.SECONDS)) != null;) {
				if (e.task().pid() == v.pid()) {
					ms.add((e.monotonicNanos() - t0) / 1e6);
					break;
				}
			}
		}
		loop.stop();
		report("device poll", ms, kills);
	}

	static void report(String what, List<Double> ms, int kills) {
		ms.sort(null);
		if (ms.isEmpty()) {
			System.out.printf("BENCH %s exit latency: no events (of %d kills)%n", what, kills);
			return;
		}
		System.out.printf("BENCH %s exit latency: %d of %d kills seen, median %.2f ms, p90 %.2f ms, max %.2f ms%n", what,
				ms.size(), kills, ms.get(ms.size() / 2), ms.get((int) (ms.size() * 0.9)), ms.get(ms.size() - 1));
	}
}
