package io.pidwatcher.api.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationTextTest {

	@Test
	void unitsPeopleWrite() {
		assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
		assertThat(DurationText.parse("2s")).isEqualTo(Duration.ofSeconds(2));
		assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
		assertThat(DurationText.parse(" 10min ")).isEqualTo(Duration.ofMinutes(10));
		assertThat(DurationText.parse("1h")).isEqualTo(Duration.ofHours(1));
		assertThat(DurationText.parse("3")).isEqualTo(Duration.ofSeconds(3));
		assertThat(DurationText.parse(null, Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(100));
	}

	@Test
	void garbageIsRejectedWithTheTextInTheMessage() {
		for (String bad : new String[] { "", "fast", "-1s", "2 weeks", "1e3s", "\u0000" }) {
			assertThatThrownBy(() -> DurationText.parse(bad)).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("not a duration");
		}
	}

	@Test
	void formatIsTheShortestExactText() {
		assertThat(DurationText.format(Duration.ofMillis(100))).isEqualTo("100ms");
		assertThat(DurationText.format(Duration.ofSeconds(10))).isEqualTo("10s");
		assertThat(DurationText.format(Duration.ofMinutes(5))).isEqualTo("5min");
		assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0ms");
	}
}
