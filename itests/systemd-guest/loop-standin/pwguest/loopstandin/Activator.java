package pwguest.loopstandin;

import io.pidwatcher.api.supervisor.LoopListener;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * HARNESS ONLY, NOT PART OF THE PRODUCT. Deployed by itests/systemd-guest/run.sh only when the
 * watchdog bundle of the build under test does not call LoopListener yet: it calls every
 * LoopListener twice a second, as the engine's supervision loop will. A SIGSTOP of the runtime
 * freezes it with everything else, so the systemd and softdog checks keep their meaning; a hang
 * of the engine's loop alone is not covered while it is deployed.
 */
public final class Activator implements BundleActivator {

	private volatile Thread thread;

	@Override
	public void start(BundleContext context) {
		Thread t = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				try {
					for (ServiceReference<LoopListener> r : context.getServiceReferences(LoopListener.class, null)) {
						LoopListener l = context.getService(r);
						if (l != null) {
							try {
								l.loopPassed(System.nanoTime());
							} finally {
								context.ungetService(r);
							}
						}
					}
					Thread.sleep(500);
				} catch (InterruptedException e) {
					return;
				} catch (Exception e) {
					// the framework is changing under us: try again at the next round
				}
			}
		}, "pwguest-loop-standin");
		t.setDaemon(true);
		t.start();
		thread = t;
	}

	@Override
	public void stop(BundleContext context) {
		thread.interrupt();
	}
}
