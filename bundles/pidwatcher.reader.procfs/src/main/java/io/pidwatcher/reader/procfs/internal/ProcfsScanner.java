package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over /proc. Plain Java with no OSGi in sight, so tests can run it directly.
 *
 * <p>Per process it reads environ first, since that decides whether the rest is needed, then stat
 * and status. A process may exit between any two reads; any failure drops just that process.
 * Not thread-safe: it reuses one buffer, and its caller serialises scans.
 */
final class ProcfsScanner {

	/**
	 * USER_HZ, the unit of the tick counts in /proc/&lt;pid&gt;/stat. It is part of the kernel's
	 * user-space ABI and 100 on every architecture Debian ships except alpha.
	 */
	static final long NANOS_PER_TICK = 1_000_000_000L / 100;

	/** Outcome of one pass: the processes in scope, and how many could not be read. */
	record Result(List<TaskSnapshot> tasks, int examined, int vanished, int unreadable) {
	}

	private final Path procRoot;
	private byte[] buffer = new byte[64 * 1024];
	private int length;

	ProcfsScanner(Path procRoot) {
		this.procRoot = procRoot;
	}

	Result scan(String tagName, ScanScope scope) {
		EnvironSearch tag = new EnvironSearch(tagName);
		List<TaskSnapshot> tasks = new ArrayList<>();
		int examined = 0, vanished = 0, unreadable = 0;
		for (int pid : listPids()) {
			examined++;
			Path dir = procRoot.resolve(Integer.toString(pid));
			String value;
			try {
				read(dir.resolve("environ"));
				value = tag.find(buffer, length);
			} catch (AccessDeniedException e) {
				unreadable++;
				if (scope.kind() != ScanScope.Kind.EVERYTHING) {
					continue;
				}
				value = null;
			} catch (IOException e) {
				// Kernel threads have no environment, and newer kernels answer ESRCH for it
				// rather than an empty file: only a missing directory means the process is gone.
				if (!Files.isDirectory(dir)) {
					vanished++;
					continue;
				}
				value = null;
			}
			if (!scope.admits(value)) {
				continue;
			}
			try {
				tasks.add(readTask(dir, pid, value));
			} catch (IOException | RuntimeException e) {
				// The process exited between two reads, or left a half-written file behind.
				vanished++;
			}
		}
		return new Result(tasks, examined, vanished, unreadable);
	}

	private TaskSnapshot readTask(Path dir, int pid, String value) throws IOException {
		read(dir.resolve("stat"));
		StatFields stat = StatFields.parse(buffer, length);
		read(dir.resolve("status"));
		StatusFields status = StatusFields.parse(buffer, length);
		return new TaskSnapshot(pid, stat.ppid(), status.tgid() > 0 ? status.tgid() : pid, stat.threads(),
				stat.state(), status.realUid(), stat.comm(), stat.startTicks() * NANOS_PER_TICK,
				(stat.utimeTicks() + stat.stimeTicks()) * NANOS_PER_TICK, status.rssBytes(), value);
	}

	/**
	 * One process from its stat file alone, for a process whose tag value and uid are already
	 * known (the connector keeps them): a third of the reads of a full scan, and no environ. Null
	 * when the process is gone, or has exited and is a zombie.
	 */
	TaskSnapshot readKnown(int pid, String value, Membership how, int uid, long pageSize) {
		TaskSnapshot t = readKnownOrZombie(pid, value, how, uid, pageSize);
		return t == null || t.state() == 'Z' || t.state() == 'X' ? null : t;
	}

	/** As {@link #readKnown}, but a zombie is returned too (in state Z): null only when it is gone. */
	TaskSnapshot readKnownOrZombie(int pid, String value, Membership how, int uid, long pageSize) {
		try {
			read(procRoot.resolve(Integer.toString(pid)).resolve("stat"));
			StatFields stat = StatFields.parse(buffer, length);
			return new TaskSnapshot(pid, stat.ppid(), pid, stat.threads(), stat.state(), uid, stat.comm(),
					stat.startTicks() * NANOS_PER_TICK, (stat.utimeTicks() + stat.stimeTicks()) * NANOS_PER_TICK,
					stat.rssPages() * pageSize, value, how);
		} catch (IOException | RuntimeException e) {
			return null;
		}
	}

	/** A live process in full (environ, stat, status), or null when it is gone or unreadable. */
	TaskSnapshot readOne(int pid, String tagName) {
		Path dir = procRoot.resolve(Integer.toString(pid));
		try {
			read(dir.resolve("environ"));
			String value = new EnvironSearch(tagName).find(buffer, length);
			return readTask(dir, pid, value);
		} catch (IOException | RuntimeException e) {
			return null;
		}
	}

	/** What {@link #readTag} found: the process was gone (or a zombie), or its tag value (null: none). */
	record Tag(boolean gone, String value) {
	}

	/** Only the environ of one process: what the connector reads for every exec on the machine. */
	Tag readTag(int pid, String tagName) {
		Path dir = procRoot.resolve(Integer.toString(pid));
		try {
			read(dir.resolve("environ"));
			// A zombie's environ reads empty: tell it from an untagged process by the directory's
			// stat only when the answer matters (an empty environment is rare for a live process).
			if (length == 0) {
				return new Tag(readKnown(pid, null, Membership.TAG, 0, 0) == null, null);
			}
			return new Tag(false, new EnvironSearch(tagName).find(buffer, length));
		} catch (IOException | RuntimeException e) {
			return new Tag(!Files.isDirectory(dir), null);
		}
	}

	/** The real uid of a live process, or -1 when it is gone. */
	int realUid(int pid) {
		try {
			read(procRoot.resolve(Integer.toString(pid)).resolve("status"));
			return StatusFields.parse(buffer, length).realUid();
		} catch (IOException | RuntimeException e) {
			return -1;
		}
	}

	private List<Integer> listPids() {
		List<Integer> pids = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (!name.isEmpty() && Character.isDigit(name.charAt(0)) && name.chars().allMatch(Character::isDigit)) {
					pids.add(Integer.parseInt(name));
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException("cannot list " + procRoot + ": " + e.getMessage(), e);
		}
		pids.sort(null);
		return pids;
	}

	/** Reads a whole /proc file into the shared buffer, growing it for huge environments. */
	private void read(Path file) throws IOException {
		try (FileInputStream in = new FileInputStream(file.toFile())) {
			length = 0;
			int n;
			while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
				length += n;
				if (length == buffer.length) {
					buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
				}
			}
		} catch (java.io.FileNotFoundException e) {
			// FileInputStream reports both a vanished file and EACCES this way; tell them apart.
			if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
				throw new AccessDeniedException(file.toString());
			}
			throw e;
		}
	}
}
