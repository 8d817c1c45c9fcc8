package io.pidwatcher.api.reader;

import java.util.regex.Pattern;

/**
 * A validated environment variable name for the watch tag. Only names a shell can export are
 * accepted, so a typo in a config file cannot silently make every process look untagged.
 */
public record TagName(String value) {

	private static final Pattern SHELL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
	private static final int MAX_LENGTH = 128;

	public TagName {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("tag variable name is empty");
		}
		if (value.length() > MAX_LENGTH) {
			throw new IllegalArgumentException("tag variable name is longer than " + MAX_LENGTH + " characters");
		}
		if (!SHELL_NAME.matcher(value).matches()) {
			throw new IllegalArgumentException("tag variable name '" + value
					+ "' is not a valid environment variable name (letters, digits and '_', not starting with a digit)");
		}
	}

	public static TagName defaultName() {
		return new TagName(ProcessReader.DEFAULT_TAG_NAME);
	}

	@Override
	public String toString() {
		return value;
	}
}
