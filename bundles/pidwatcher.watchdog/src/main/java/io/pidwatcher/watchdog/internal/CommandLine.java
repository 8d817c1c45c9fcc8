package io.pidwatcher.watchdog.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code command} value into argv the way a POSIX shell would for a simple command:
 * whitespace separates words, 'single quotes' keep everything literally, "double quotes" keep
 * spaces and honour \" \\ \$ \`, a backslash outside quotes escapes the next character. No
 * variables, globs or pipes: a module that needs them says {@code sh -c '...'}.
 */
final class CommandLine {

	private CommandLine() {
	}

	static List<String> split(String text) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		boolean inWord = false;
		int i = 0;
		while (i < text.length()) {
			char c = text.charAt(i);
			if (Character.isWhitespace(c)) {
				if (inWord) {
					words.add(word.toString());
					word.setLength(0);
					inWord = false;
				}
				i++;
			} else if (c == '\'') {
				int end = text.indexOf('\'', i + 1);
				if (end < 0) {
					throw new IllegalArgumentException("unterminated single quote in command: " + text);
				}
				word.append(text, i + 1, end);
				inWord = true;
				i = end + 1;
			} else if (c == '"') {
				i++;
				boolean closed = false;
				while (i < text.length()) {
					char d = text.charAt(i);
					if (d == '"') {
						closed = true;
						i++;
						break;
					}
					if (d == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
						word.append(text.charAt(i + 1));
						i += 2;
					} else {
						word.append(d);
						i++;
					}
				}
				if (!closed) {
					throw new IllegalArgumentException("unterminated double quote in command: " + text);
				}
				inWord = true;
			} else if (c == '\\') {
				if (i + 1 >= text.length()) {
					throw new IllegalArgumentException("command ends with a lone backslash: " + text);
				}
				word.append(text.charAt(i + 1));
				inWord = true;
				i += 2;
			} else {
				word.append(c);
				inWord = true;
				i++;
			}
		}
		if (inWord) {
			words.add(word.toString());
		}
		return words;
	}
}
