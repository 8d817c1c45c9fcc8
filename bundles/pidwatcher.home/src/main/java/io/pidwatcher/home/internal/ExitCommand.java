package io.pidwatcher.home.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * {@code exit} at the Gogo prompt ends the session, as Ctrl-D does: the shell then stops the
 * framework (the modules keep running unless {@code pidwatcher.exit.modules=stop}). Without it,
 * Gogo's default profile resolves {@code exit} to {@code System.exit(int)} and answers
 * {@code Cannot coerce exit() to any of [(int)]}; with an argument it would end the JVM without
 * a clean stop.
 *
 * Registered in scope {@code gogo}: the default profile sets {@code SCOPE=gogo:*}, so this one is
 * found before {@code system:exit} (a scope of our own would race it under {@code *}). Gogo
 * 1.1's console has no way for a command to end it except the one it checks itself: an
 * {@link IllegalStateException} saying the session is closed, which it reports and then quits.
 */
@Component(service = ExitCommand.class, property = { "osgi.command.scope=gogo", "osgi.command.function=exit" })
public final class ExitCommand {

	/** The message Gogo's console looks for (CommandSessionImpl.SESSION_CLOSED). */
	static final String SESSION_CLOSED = "session is closed";

	@Descriptor("end this shell session (as Ctrl-D does); the runtime stops with it")
	public void exit() {
		throw new IllegalStateException(SESSION_CLOSED);
	}
}
