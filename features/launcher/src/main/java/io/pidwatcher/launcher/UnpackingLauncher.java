package io.pidwatcher.launcher;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Main-Class of pidwatcher.jar. bnd's launcher installs the bundles embedded in an executable
 * jar from a stream, with their path in the jar ({@code jar/x.jar}) as location, and Felix then
 * cannot {@code update} them: it opens the location as a URL ("no protocol"). The same launcher
 * installs a bundle it finds as a file by reference, with a real location
 * ({@code reference:file:...}), as it does when the jar is run unpacked. So this unpacks the
 * embedded jars into {@code <pidwatcher.home>/var/bundles/} (see {@link BundleUnpacker}) and starts
 * bnd's launcher in a class loader that looks there before the jar. If the directory cannot be
 * written (a full or read-only var/), the runtime still starts, as before: from the jar, with
 * {@code update ID} needing a URL, and says so once on standard error.
 */
public final class UnpackingLauncher {

	private static final String EMBEDDED_LAUNCHER = "aQute.launcher.pre.EmbeddedLauncher";

	private UnpackingLauncher() {
	}

	public static void main(String[] args) throws Throwable {
		ClassLoader loader = UnpackingLauncher.class.getClassLoader();
		Path jar = ownJar();
		// -extract is bnd's own mode (the jar's content into a folder); nothing to unpack for it
		boolean extracting = args.length > 0 && args[0].equals("-extract");
		if (jar != null && !extracting) {
			Path bundles = Path.of(System.getProperty("pidwatcher.home", ".")).toAbsolutePath().normalize()
					.resolve("var").resolve("bundles");
			try {
				new BundleUnpacker(jar, bundles).unpack();
				// the platform loader as parent: the application loader would find jar/x.jar in
				// the jar first
				loader = new URLClassLoader(new URL[] { bundles.toUri().toURL(), jar.toUri().toURL() },
						ClassLoader.getPlatformClassLoader());
				Thread.currentThread().setContextClassLoader(loader);
			} catch (IOException | RuntimeException e) {
				System.err.println("pidwatcher: cannot unpack the runtime's bundles into " + bundles + " (" + e
						+ "); they are installed from the jar instead, where `update ID` needs a URL");
			}
		}
		try {
			Class.forName(EMBEDDED_LAUNCHER, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
		} catch (InvocationTargetException e) {
			throw e.getCause();
		}
	}

	/** The jar this class was loaded from, or null when it runs from a folder (bnd's `start` script). */
	private static Path ownJar() throws URISyntaxException {
		var source = UnpackingLauncher.class.getProtectionDomain().getCodeSource();
		if (source == null) {
			return null;
		}
		Path path = Path.of(source.getLocation().toURI());
		return Files.isRegularFile(path) ? path : null;
	}
}
