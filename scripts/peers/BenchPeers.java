import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peers benchmark (run by scripts/bench-peers): the same programs under pidwatcher,
 * supervisord, runit, s6 and monit, one tool at a time, each on its own configuration in a
 * temporary directory; everything observed from /proc by this harness. Prints a Markdown table.
 *
 * usage: BenchPeers --run ID --dir DIR --jar JAR --pwtest PWTEST --jvm-options FILE [--quick]
 *        [--tools a,b,..] [--sessions sleepers,nasty,load] [--jvm 'OPTIONS' | --jvm none]...
 *        [--kills N] [--programs N] [--idle-seconds N] [--background N] [--load-programs N] [--load-seconds N]
 */
public class BenchPeers {

	public static void main(String[] args) throws Exception {
		String run = null, jar = null, pwtest = null, jvmFile = null, dir = null;
		List<String> tools = List.of("pidwatcher", "supervisord", "runit", "s6", "monit");
		List<String> sessions = List.of("sleepers", "nasty", "load");
		List<String> jvmVariants = new ArrayList<>();
		Settings settings = Settings.full();
		List<String[]> overrides = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			String a = args[i];
			switch (a) {
			case "--run" -> run = args[++i];
			case "--dir" -> dir = args[++i];
			case "--jar" -> jar = args[++i];
			case "--pwtest" -> pwtest = args[++i];
			case "--jvm-options" -> jvmFile = args[++i];
			case "--quick" -> settings = Settings.quick();
			case "--tools" -> tools = Arrays.asList(args[++i].split(","));
			case "--sessions" -> sessions = Arrays.asList(args[++i].split(","));
			case "--jvm" -> jvmVariants.add(args[++i]);
			default -> {
				if (!a.startsWith("--") || i + 1 >= args.length) {
					throw new IllegalArgumentException("bad argument " + a + " (see scripts/bench-peers)");
				}
				overrides.add(new String[] { a.substring(2), args[++i] });
			}
			}
		}
		for (String[] o : overrides) {
			settings = settings.with(o[0], Integer.parseInt(o[1]));
		}
		Path base = Path.of(dir);
		Cleanup cleanup = new Cleanup("bp" + run, base);
		List<String> defaults = JvmOptions.read(Path.of(jvmFile));

		List<Peer> peers = new ArrayList<>();
		for (String t : tools) {
			switch (t) {
			case "pidwatcher" -> {
				peers.add(new PidwatcherPeer("pidwatcher", Path.of(jar), defaults));
				for (String v : jvmVariants) {
					List<String> options = v.equals("none") ? List.of() : Arrays.asList(v.trim().split("\\s+"));
					peers.add(new PidwatcherPeer("pidwatcher " + (options.isEmpty() ? "(JDK defaults)" : v.trim()), Path.of(jar), options));
				}
			}
			case "supervisord" -> peers.add(new SupervisordPeer());
			case "runit" -> peers.add(new RunitPeer());
			case "s6" -> peers.add(new S6Peer());
			case "monit" -> peers.add(new MonitPeer());
			default -> throw new IllegalArgumentException("unknown tool " + t + " (pidwatcher, supervisord, runit, s6, monit)");
			}
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			peers.forEach(Peer::kill);
			cleanup.sweep();
		}));

		System.out.printf("pidwatcher JVM options (%s): %s%n", jvmFile, defaults.isEmpty() ? "(none)" : String.join(" ", defaults));
		System.out.printf("sizes: %s%n", settings);
		System.out.printf("load average at start: %s", Files.readString(Path.of("/proc/loadavg")));
		Table table = new Table();
		Sessions runner = new Sessions(settings, table, pwtest, cleanup);
		int index = 0;
		for (Peer peer : peers) {
			table.column(peer.name());
			String missing = peer.missing();
			if (missing != null) {
				System.out.println("skipped " + peer.name() + ": " + missing);
				continue;
			}
			// a pidwatcher column with other JVM options is about idle cost and latency only
			List<String> own = peer.name().startsWith("pidwatcher ") ? sessions.stream().filter("sleepers"::equals).toList() : sessions;
			for (String s : own) {
				String prefix = "bp" + run + "x" + index + s.charAt(0) + "-";
				Path d = Files.createDirectories(base.resolve(peer.name().replaceAll("[^A-Za-z0-9]+", "_") + "-" + s));
				try {
					switch (s) {
					case "sleepers" -> runner.sleepers(peer, prefix, d);
					case "nasty" -> runner.nasty(peer, prefix, d);
					case "load" -> runner.load(peer, prefix, d);
					default -> throw new IllegalArgumentException("unknown session " + s + " (sleepers, nasty, load)");
					}
				} catch (IllegalArgumentException e) {
					throw e;
				} catch (Exception e) {
					System.out.println(peer.name() + ", " + s + ": failed: " + e);
					table.put("failures", peer.name(), s + ": " + e.getMessage());
				}
			}
			index++;
			System.err.print(table.render()); // so far: a run cut short still has its numbers
		}
		System.out.printf("load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
		System.out.println();
		System.out.print(table.render());
	}
}
