package io.pidwatcher.api.supervisor;

/** The name given to a {@link Supervisor} call is not a configured module. */
public final class NoSuchModuleException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public NoSuchModuleException(String module) {
		super("no module named '" + module + "' (is etc/pidwatcher.module-" + module + ".cfg there?)");
	}
}
