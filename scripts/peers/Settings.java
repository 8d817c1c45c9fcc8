/**
 * The benchmark's sizes: the documented run uses the numbers (the defaults); --quick a
 * smaller run for a first look.
 */
record Settings(int kills, int programs, int idleSeconds, int background, int loadPrograms, int loadTasks, int loadSeconds,
		int killGapMillis, int daemonSeconds) {

	static Settings full() {
		return new Settings(50, 50, 60, 5000, 200, 25, 60, 300, 10);
	}

	static Settings quick() {
		return new Settings(15, 20, 15, 1000, 40, 25, 15, 300, 10);
	}

	Settings with(String key, int value) {
		return switch (key) {
		case "kills" -> new Settings(value, programs, idleSeconds, background, loadPrograms, loadTasks, loadSeconds, killGapMillis, daemonSeconds);
		case "programs" -> new Settings(kills, value, idleSeconds, background, loadPrograms, loadTasks, loadSeconds, killGapMillis, daemonSeconds);
		case "idle-seconds" -> new Settings(kills, programs, value, background, loadPrograms, loadTasks, loadSeconds, killGapMillis, daemonSeconds);
		case "background" -> new Settings(kills, programs, idleSeconds, value, loadPrograms, loadTasks, loadSeconds, killGapMillis, daemonSeconds);
		case "load-programs" -> new Settings(kills, programs, idleSeconds, background, value, loadTasks, loadSeconds, killGapMillis, daemonSeconds);
		case "load-seconds" -> new Settings(kills, programs, idleSeconds, background, loadPrograms, loadTasks, value, killGapMillis, daemonSeconds);
		default -> throw new IllegalArgumentException("unknown option --" + key);
		};
	}
}
