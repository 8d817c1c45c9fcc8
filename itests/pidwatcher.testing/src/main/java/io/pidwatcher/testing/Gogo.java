package io.pidwatcher.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** Runs a Gogo command line the way the shell does and returns what it printed. */
public final class Gogo {

	private Gogo() {
	}

	public static String run(CommandProcessor processor, String commandLine) throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
		CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
		try {
			session.execute(commandLine);
		} finally {
			session.close();
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}
}
