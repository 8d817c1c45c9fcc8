import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line client of a pidwatcher runtime, run as a single-file program by bin/pidwatcher
 * ({@code java PidwatcherClient.java ...}): Java is there wherever the runtime is, unlike socat
 * or nc. It finds the runtime like the runtime finds its home: --home DIR, else $PIDWATCHER_HOME,
 * else the current directory; then talks to var/run/pidwatcher.sock (see ControlSocket).
 *
 * Exit status: the runtime's (0 ok, 1 failed, e.g. unknown module, 2 usage), 3 when no runtime
 * is running there.
 */
public class PidwatcherClient {

	public static void main(String[] argv) throws IOException {
		String home = System.getenv("PIDWATCHER_HOME");
		List<String> args = new ArrayList<>();
		for (int i = 0; i < argv.length; i++) {
			if (argv[i].equals("--home") && i + 1 < argv.length) {
				home = argv[++i];
			} else if (argv[i].startsWith("--home=")) {
				home = argv[i].substring(7);
			} else {
				args.add(argv[i]);
			}
		}
		if (home == null || home.isEmpty()) {
			home = ".";
		}
		Path socket = Path.of(home).toAbsolutePath().normalize().resolve("var/run/pidwatcher.sock");
		if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help")) {
			System.err.println("usage: pidwatcher [--home DIR] start|stop|restart NAME | status [NAME] | ps [NAME] | events [NAME] | source");
			System.exit(2);
		}
		if (!Files.exists(socket)) {
			System.err.println("pidwatcher: no runtime is running in " + socket.getParent().getParent().getParent()
					+ " (no " + socket + "; start it, or give --home / PIDWATCHER_HOME)");
			System.exit(3);
		}
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			try {
				channel.connect(UnixDomainSocketAddress.of(socket));
			} catch (IOException e) {
				System.err.println("pidwatcher: no runtime is running in " + socket.getParent().getParent().getParent()
						+ " (" + socket + " does not answer: " + e.getMessage() + ")");
				System.exit(3);
			}
			channel.write(ByteBuffer.wrap((String.join("\t", args) + "\n").getBytes(StandardCharsets.UTF_8)));
			InputStream in = Channels.newInputStream(channel);
			String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			int newline = answer.indexOf('\n');
			if (newline < 0) {
				System.err.println("pidwatcher: the runtime closed the connection without an answer");
				System.exit(1);
			}
			int status = Integer.parseInt(answer.substring(0, newline).trim());
			String text = answer.substring(newline + 1);
			if (status == 0) {
				System.out.print(text);
			} else {
				System.err.print("pidwatcher: " + text);
			}
			System.out.flush();
			System.exit(status);
		}
	}
}
