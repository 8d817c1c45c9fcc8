package io.pidwatcher.reader.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

/**
 * When the device reader must not register, it does not, and says why, once. (With a real device
 * the QEMU suite, itests/device-e2e, covers registration and switching.)
 */
class DeviceWatcherTest {

	@TempDir
	Path tmp;

	private final List<String> logged = new CopyOnWriteArrayList<>();
	private final List<String> registered = new CopyOnWriteArrayList<>();
	private DeviceWatcher watcher;

	@AfterEach
	void stop() {
		if (watcher != null) {
			watcher.deactivate();
		}
	}

	private DeviceConfig config(String variable, boolean enabled, Path device, Path sysfs) {
		return new DeviceConfig() {
			@Override
			public Class<? extends Annotation> annotationType() {
				return DeviceConfig.class;
			}

			@Override
			public String variable() {
				return variable;
			}

			@Override
			public boolean enabled() {
				return enabled;
			}

			@Override
			public String device() {
				return device.toString();
			}

			@Override
			public String sysfs() {
				return sysfs.toString();
			}

			@Override
			public long check_interval_ms() {
				return 50;
			}
		};
	}

	private void start(DeviceConfig config) throws Exception {
		watcher = new DeviceWatcher();
		Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] { Logger.class },
				(proxy, method, args) -> {
					if (args != null && args.length > 0 && args[0] instanceof String format) {
						String text = format;
						Object[] values = args.length == 2 && args[1] instanceof Object[] varargs ? varargs
								: java.util.Arrays.copyOfRange(args, 1, args.length);
						for (Object value : values) {
							text = text.replaceFirst("\\{\\}", java.util.regex.Matcher.quoteReplacement(String.valueOf(value)));
						}
						logged.add(method.getName() + " " + text);
					}
					return method.getReturnType() == boolean.class ? false : null;
				});
		Field field = DeviceWatcher.class.getDeclaredField("logger");
		field.setAccessible(true);
		field.set(watcher, logger);
		BundleContext context = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
				new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
					if (method.getName().equals("registerService")) {
						registered.add(String.valueOf(args[1]));
					}
					return null;
				});
		watcher.activate(context, config);
	}

	private void awaitLog(String text) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (logged.stream().noneMatch(l -> l.contains(text))) {
			assertThat(System.nanoTime()).as("log line containing '" + text + "' in " + logged).isLessThan(deadline);
			Thread.sleep(20);
		}
	}

	@Test
	void absentDeviceStandsByWithAReasonLoggedOnce() throws Exception {
		start(config("PIDWATCHER_MODULE", true, tmp.resolve("pidwatcher"), tmp.resolve("sys")));
		awaitLog("is absent (the pidwatcher module is not loaded)");
		Thread.sleep(300); // several more checks
		assertThat(logged).hasSize(1);
		assertThat(registered).isEmpty();
	}

	@Test
	void moduleWithAnotherTagIsRefused() throws Exception {
		Path device = Files.createFile(tmp.resolve("pidwatcher"));
		Path sysfs = tmp.resolve("sys");
		Files.createDirectories(sysfs.resolve("parameters"));
		Files.writeString(sysfs.resolve("parameters/tag"), "OTHER_TAG\n");
		start(config("PIDWATCHER_MODULE", true, device, sysfs));
		awaitLog("the module watches tag OTHER_TAG (tag= at load time) but pidwatcher.tag is PIDWATCHER_MODULE");
		assertThat(registered).isEmpty();
	}

	@Test
	void disabledByConfiguration() throws Exception {
		start(config("PIDWATCHER_MODULE", false, tmp.resolve("pidwatcher"), tmp.resolve("sys")));
		awaitLog("disabled by configuration (pidwatcher.device enabled=false)");
		assertThat(registered).isEmpty();
	}

	@Test
	void aDeviceThatSpeaksAnotherProtocolIsRefusedBeforeRegistration() throws Exception {
		Path device = tmp.resolve("pidwatcher");
		Files.writeString(device, "pidwatcher 1 boottime_ns=1 tasks=0 truncated=0 filter=all-tagged\n");
		Path sysfs = tmp.resolve("sys");
		Files.createDirectories(sysfs.resolve("parameters"));
		Files.writeString(sysfs.resolve("parameters/tag"), "PIDWATCHER_MODULE\n");
		start(config("PIDWATCHER_MODULE", true, device, sysfs));
		awaitLog("unsupported device protocol version \"1\"");
		Thread.sleep(300);
		assertThat(registered).isEmpty();
		assertThat(logged).filteredOn(l -> l.contains("version")).hasSize(1); // not opened again
	}
}
