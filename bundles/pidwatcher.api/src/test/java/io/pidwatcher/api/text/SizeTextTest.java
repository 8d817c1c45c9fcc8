package io.pidwatcher.api.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizeTextTest {

	@Test
	void binaryUnitsWithOrWithoutB() {
		assertThat(SizeText.parse("4096")).isEqualTo(4096);
		assertThat(SizeText.parse("512k")).isEqualTo(512L << 10);
		assertThat(SizeText.parse("512K")).isEqualTo(512L << 10);
		assertThat(SizeText.parse("10M")).isEqualTo(10L << 20);
		assertThat(SizeText.parse(" 64MiB ")).isEqualTo(64L << 20);
		assertThat(SizeText.parse("64MB")).isEqualTo(64L << 20);
		assertThat(SizeText.parse("1.5G")).isEqualTo(3L << 29);
		assertThat(SizeText.parse("2T")).isEqualTo(2L << 40);
		assertThat(SizeText.parse("100b")).isEqualTo(100);
	}

	@Test
	void badTextIsNamed() {
		for (String bad : new String[] { "", "M", "-1M", "10X", "1e3", "ten", "10 M B", "9999999999T" }) {
			assertThatThrownBy(() -> SizeText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("'" + bad + "'");
		}
		assertThatThrownBy(() -> SizeText.parse(null)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void formatIsShortAndExactWhereItCanBe() {
		assertThat(SizeText.format(10L << 20)).isEqualTo("10M");
		assertThat(SizeText.format(1536L << 10)).isEqualTo("1.5M");
		assertThat(SizeText.format(999)).isEqualTo("999");
		assertThat(SizeText.parse(SizeText.format(256L << 20))).isEqualTo(256L << 20);
	}
}
