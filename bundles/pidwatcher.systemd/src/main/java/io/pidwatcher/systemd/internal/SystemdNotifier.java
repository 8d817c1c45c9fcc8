package io.pidwatcher.systemd.internal;

import io.pidwatcher.api.supervisor.ModuleStatus;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the runtime tells systemd, and when.
 * <ul>
 * <li>{@code READY=1} once etc/ is loaded and the supervision loop has passed twice since: the
 * second pass began after etc/ was in force, so every module defined there has had its first scan
 * (adopted, or started).</li>
 * <li>{@code STATUS=} whenever the counts of modules per state change.</li>
 * <li>{@code WATCHDOG=1} from the supervision loop's own thread, at most every half of
 * WATCHDOG_USEC: a loop that hangs stops the pings and systemd restarts the runtime.</li>
 * </ul>
 * A socket that cannot be reached is said once (and once more when it can again); nothing else
 * changes, since supervision does not depend on systemd hearing us.
 */
final class SystemdNotifier {

	private static final long NEVER = Long.MIN_VALUE;
	/** Passes needed after etc/ is loaded: the second one certainly began after it. */
	private static final int PASSES_AFTER_ETC = 2;

	private final NotifySocket socket;
	private final Optional<WatchdogSetting> watchdog;
	private final Consumer<String> error;
	private final Consumer<String> info;

	private final AtomicLong passes = new AtomicLong();
	private final AtomicLong lastPassNanos = new AtomicLong(NEVER);
	private final AtomicLong lastPingNanos = new AtomicLong(NEVER);
	private volatile long passesAtEtcLoaded = -1;
	private volatile boolean ready;
	private volatile String lastStatus = "";
	private final AtomicBoolean unreachable = new AtomicBoolean();
	private final AtomicBoolean stallSaid = new AtomicBoolean();

	SystemdNotifier(NotifySocket socket, Optional<WatchdogSetting> watchdog, Consumer<String> error, Consumer<String> info) {
		this.socket = socket;
		this.watchdog = watchdog;
		this.error = error;
		this.info = info;
	}

	/** Called on the supervision loop's thread at the end of each pass: records it, pings when due. */
	void loopPassed(long monotonicNanos) {
		passes.incrementAndGet();
		lastPassNanos.set(monotonicNanos);
		if (watchdog.isEmpty()) {
			return;
		}
		long last = lastPingNanos.get();
		long interval = watchdog.get().pingInterval().toNanos();
		if ((last == NEVER || monotonicNanos - last >= interval) && lastPingNanos.compareAndSet(last, monotonicNanos)) {
			send("WATCHDOG=1");
			if (stallSaid.compareAndSet(true, false)) {
				info.accept("the supervision loop runs again; WATCHDOG=1 resumed");
			}
		}
	}

	/** etc/ is loaded (the start level was raised); from now on two passes make the runtime ready. */
	void etcLoaded() {
		if (passesAtEtcLoaded < 0) {
			passesAtEtcLoaded = passes.get();
		}
	}

	boolean ready() {
		return ready;
	}

	/**
	 * Called every few hundred milliseconds off the loop: sends READY=1 when due and STATUS= when
	 * it changed; says once when the loop has stopped passing while systemd expects pings.
	 */
	void report(List<ModuleStatus> modules, long nowNanos) {
		String status = modules == null ? "the supervisor (bundle pidwatcher.watchdog) is not running" : StatusLine.of(modules);
		long etcAt = passesAtEtcLoaded;
		// without the supervisor nothing was adopted or started (it may be stopping with the runtime)
		if (!ready && modules != null && etcAt >= 0 && passes.get() - etcAt >= PASSES_AFTER_ETC) {
			ready = true;
			lastStatus = status;
			send("READY=1\nSTATUS=" + status);
			info.accept("told systemd READY=1 (" + status + ")");
		} else if (!status.equals(lastStatus)) {
			lastStatus = status;
			send("STATUS=" + (ready ? status : "starting: " + status));
		}
		sayStall(nowNanos);
	}

	private void sayStall(long nowNanos) {
		if (watchdog.isEmpty()) {
			return;
		}
		long last = lastPassNanos.get();
		long timeout = watchdog.get().timeout().toNanos();
		if (last == NEVER && !ready) {
			return; // still starting: systemd's WatchdogSec counts from READY=1
		}
		if ((last == NEVER || nowNanos - last > timeout) && stallSaid.compareAndSet(false, true)) {
			error.accept(last == NEVER
					? "the supervision loop has not reported a pass (no LoopListener call): no WATCHDOG=1 is sent, "
							+ "systemd's WatchdogSec=" + watchdog.get().timeout().toMillis() + "ms will restart the runtime"
					: "the supervision loop has not passed for " + (nowNanos - last) / 1_000_000 + " ms: WATCHDOG=1 withheld, "
							+ "systemd's WatchdogSec=" + watchdog.get().timeout().toMillis() + "ms will restart the runtime");
		}
	}

	/** The runtime is stopping on purpose: systemd should not count it as a crash. */
	void stopping() {
		send("STOPPING=1\nSTATUS=stopping");
	}

	private void send(String message) {
		try {
			socket.send(message);
			if (unreachable.compareAndSet(true, false)) {
				info.accept("NOTIFY_SOCKET=" + socket.name() + " can be reached again");
			}
		} catch (IOException e) {
			if (unreachable.compareAndSet(false, true)) {
				error.accept(e.getMessage() + "; systemd does not hear READY=1, STATUS= or WATCHDOG=1 from this runtime "
						+ "(supervision goes on; said once)");
			}
		}
	}
}
