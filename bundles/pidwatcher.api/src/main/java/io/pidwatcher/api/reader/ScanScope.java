package io.pidwatcher.api.reader;

import java.util.Objects;

/**
 * Which processes a scan returns. The kernel module filters the same three ways, so a reader can
 * push the filter down to where the data is.
 */
public record ScanScope(Kind kind, String module) {

	/** The three ways a scan can be narrowed. */
	public enum Kind {
		/** every process that carries the tag, whatever its value */
		TAGGED,
		/** only processes whose tag value equals {@link ScanScope#module()} */
		MODULE,
		/** every process, tagged or not */
		EVERYTHING
	}

	public ScanScope {
		Objects.requireNonNull(kind, "kind");
		if ((kind == Kind.MODULE) != (module != null)) {
			throw new IllegalArgumentException("a module name is given with, and only with, Kind.MODULE");
		}
	}

	public static ScanScope tagged() {
		return new ScanScope(Kind.TAGGED, null);
	}

	public static ScanScope module(String name) {
		return new ScanScope(Kind.MODULE, Objects.requireNonNull(name, "name"));
	}

	public static ScanScope everything() {
		return new ScanScope(Kind.EVERYTHING, null);
	}

	/** Whether a process with this tag value (null: untagged) belongs in the scan. */
	public boolean admits(String tagValue) {
		return switch (kind) {
			case TAGGED -> tagValue != null;
			case MODULE -> module.equals(tagValue);
			case EVERYTHING -> true;
		};
	}

	@Override
	public String toString() {
		return kind == Kind.MODULE ? "module " + module : kind.name().toLowerCase();
	}
}
