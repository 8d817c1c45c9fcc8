package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class StatFieldsTest {

	private static StatFields parse(String line) {
		byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
		return StatFields.parse(bytes, bytes.length);
	}

	@Test
	void commWithSpacesAndParenthesesIsTakenWhole() {
		StatFields stat = parse("4242 (a) (b c) S 17 4242 4242 0 -1 4194560 100 0 0 0 "
				+ "250 31 0 0 20 0 3 0 987654 1000 50 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
		assertThat(stat.comm()).isEqualTo("a) (b c");
		assertThat(stat.state()).isEqualTo('S');
		assertThat(stat.ppid()).isEqualTo(17);
		assertThat(stat.utimeTicks()).isEqualTo(250);
		assertThat(stat.stimeTicks()).isEqualTo(31);
		assertThat(stat.threads()).isEqualTo(3);
		assertThat(stat.startTicks()).isEqualTo(987654);
		assertThat(stat.rssPages()).isEqualTo(50);
	}

	@Test
	void truncatedLineIsRejectedNotMisread() {
		assertThatThrownBy(() -> parse("4242 (sleep) S 17 4242")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> parse("garbage")).isInstanceOf(IllegalArgumentException.class);
	}
}
