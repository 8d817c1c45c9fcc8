package io.pidwatcher.shell.internal;

import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.api.supervisor.Supervisor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The command line's way in: a Unix domain socket at {@code var/run/pidwatcher.sock} of the home,
 * in a directory of mode 0700 and itself 0600, so only root (the runtime's user) can connect.
 * bin/pidwatcher sends one request and reads one answer:
 *
 * <pre>
 *   request:  the arguments separated by TAB, then a newline ("stop\tweb\n")
 *   answer:   the exit status on the first line (0 ok, 1 failed, 2 usage), then the text to print
 * </pre>
 *
 * The requests call the same {@link Supervisor} as the Gogo commands and print the same text.
 */
@Component(immediate = true)
public final class ControlSocket {

	static final String SOCKET = "pidwatcher.sock";
	private static final int MAX_REQUEST = 4096;
	private static final long MAX_DISCARD = 16L << 20;
	private static final int DEFAULT_EVENTS = 30;

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	/** Optional: the shell bundle also runs without the watchdog (e.g. a runtime that only lists processes). */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile Supervisor watchdog;

	private Supervisor supervisor() {
		Supervisor s = watchdog;
		if (s == null) {
			throw new IllegalStateException("the watchdog (bundle pidwatcher.watchdog) is not running");
		}
		return s;
	}

	/** Optional: pw:source's text needs a process reader, which may come and go. */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile PwCommands pwCommands;

	private PwCommands pwCommands() {
		PwCommands c = pwCommands;
		if (c == null) {
			throw new IllegalStateException("no process reader is available");
		}
		return c;
	}

	@Reference
	private RuntimeHome home;

	private ServerSocketChannel server;
	private Path path;
	private Thread acceptor;
	private ExecutorService workers;

	@Activate
	void activate() throws IOException {
		Path dir = home.var().resolve("run");
		Files.createDirectories(dir);
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		path = dir.resolve(SOCKET);
		if (Files.exists(path)) {
			if (answers(path)) {
				logger.error("another runtime answers on {}; the command line stays connected to it", path);
				path = null;
				return;
			}
			Files.delete(path); // left behind by a runtime that died
		}
		server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		server.bind(UnixDomainSocketAddress.of(path));
		Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
		workers = Executors.newCachedThreadPool(r -> {
			Thread t = new Thread(r, "pidwatcher-control");
			t.setDaemon(true);
			return t;
		});
		acceptor = new Thread(this::acceptLoop, "pidwatcher-control-accept");
		acceptor.setDaemon(true);
		acceptor.start();
		logger.info("command line socket: {}", path);
	}

	@Deactivate
	void deactivate() {
		if (server == null) {
			return;
		}
		try {
			server.close();
		} catch (IOException e) {
			// closing anyway
		}
		acceptor.interrupt();
		workers.shutdownNow();
		try {
			Files.deleteIfExists(path);
		} catch (IOException e) {
			logger.warn("cannot remove {}: {}", path, e.toString());
		}
	}

	private static boolean answers(Path socket) {
		try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
			return true;
		} catch (IOException e) {
			return false;
		}
	}

	private void acceptLoop() {
		while (server.isOpen()) {
			try {
				SocketChannel client = server.accept();
				workers.execute(() -> serve(client));
			} catch (IOException e) {
				if (server.isOpen()) {
					logger.warn("command line socket: {}", e.toString());
				}
			}
		}
	}

	private void serve(SocketChannel client) {
		try (client) {
			ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
			while (in.hasRemaining() && client.read(in) > 0) {
				if (in.get(in.position() - 1) == '\n') {
					break;
				}
			}
			Answer answer;
			if (!in.hasRemaining() && in.get(in.position() - 1) != '\n') {
				// never act on the cut-off start of a longer request; read the rest (bounded), since
				// closing with unread input resets the connection and the client never sees the answer
				answer = new Answer(2, "request longer than " + MAX_REQUEST + " bytes\n" + usage());
				long discarded = 0;
				boolean end = false;
				while (!end && discarded < MAX_DISCARD) {
					in.clear();
					int n = client.read(in);
					end = n < 0 || (n > 0 && in.get(in.position() - 1) == '\n');
					discarded += Math.max(n, 0);
				}
			} else {
				String line = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
				answer = answer(line.isEmpty() ? List.of() : Arrays.asList(line.split("\t")));
			}
			var out = Channels.newOutputStream(client);
			out.write((answer.status() + "\n" + answer.text()).getBytes(StandardCharsets.UTF_8));
			out.flush();
		} catch (IOException e) {
			logger.debug("command line client went away: {}", e.toString());
		}
	}

	/** What a request gets: an exit status and text. */
	record Answer(int status, String text) {
	}

	Answer answer(List<String> args) {
		if (args.isEmpty()) {
			return new Answer(2, usage());
		}
		String command = args.get(0);
		String module = args.size() > 1 ? args.get(1) : null;
		try {
			return switch (command) {
				case "start" -> module == null ? new Answer(2, usage())
						: new Answer(0, ModuleReport.started(supervisor().start(module)));
				case "stop" -> module == null ? new Answer(2, usage())
						: new Answer(0, ModuleReport.stopped(supervisor().stop(module)));
				case "restart" -> module == null ? new Answer(2, usage())
						: new Answer(0, ModuleReport.stopped(supervisor().restart(module))
								+ ModuleReport.started(supervisor().status(module)));
				case "status" -> new Answer(0, module == null ? ModuleReport.modules(supervisor().modules(), Instant.now())
						: ModuleReport.status(supervisor().status(module), Instant.now()));
				case "ps" -> new Answer(0, ModuleReport.ps(module == null ? supervisor().modules()
						: List.of(supervisor().status(module))));
				case "events" -> new Answer(0, ModuleReport.events(supervisor().events(module, DEFAULT_EVENTS)));
				case "source" -> new Answer(0, pwCommands().sourceText());
				default -> new Answer(2, "unknown command '" + command + "'\n" + usage());
			};
		} catch (NoSuchModuleException | IllegalStateException e) {
			return new Answer(1, e.getMessage() + "\n");
		} catch (RuntimeException e) {
			logger.error("command line request {} failed", args, e);
			return new Answer(1, "failed: " + e + "\n");
		}
	}

	private static String usage() {
		return "usage: pidwatcher [--home DIR] start|stop|restart NAME | status [NAME] | ps [NAME] | events [NAME] | source\n";
	}
}
