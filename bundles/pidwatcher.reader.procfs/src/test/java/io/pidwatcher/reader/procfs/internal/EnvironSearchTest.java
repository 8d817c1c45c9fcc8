package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class EnvironSearchTest {

	private final EnvironSearch search = new EnvironSearch("PIDWATCHER_MODULE");

	private static byte[] env(String... entries) {
		return (String.join("\0", entries) + "\0").getBytes(StandardCharsets.UTF_8);
	}

	private String find(byte[] env) {
		return search.find(env, env.length);
	}

	@Test
	void findsTheTagFirstMiddleAndLast() {
		assertThat(find(env("PIDWATCHER_MODULE=web", "A=1", "B=2"))).isEqualTo("web");
		assertThat(find(env("A=1", "PIDWATCHER_MODULE=web", "B=2"))).isEqualTo("web");
		assertThat(find(env("A=1", "B=2", "PIDWATCHER_MODULE=web"))).isEqualTo("web");
	}

	@Test
	void lastEntryWithoutTrailingNul() {
		byte[] env = "A=1\0PIDWATCHER_MODULE=db".getBytes(StandardCharsets.US_ASCII);
		assertThat(find(env)).isEqualTo("db");
	}

	@Test
	void missingTagAndLookAlikeNamesAreNotTags() {
		assertThat(find(env("A=1", "B=2"))).isNull();
		assertThat(find(env("XPIDWATCHER_MODULE=no", "PIDWATCHER_MODULE_X=no", "PIDWATCHER_MODULE"))).isNull();
		assertThat(find(new byte[0])).isNull();
	}

	@Test
	void valueWithSpacesEqualsSignsAndUtf8() {
		assertThat(find(env("PIDWATCHER_MODULE=my web = server ü"))).isEqualTo("my web = server ü");
		assertThat(find(env("PIDWATCHER_MODULE="))).isEmpty();
	}

	@Test
	void firstDefinitionWinsLikeGetenv() {
		assertThat(find(env("PIDWATCHER_MODULE=first", "PIDWATCHER_MODULE=second"))).isEqualTo("first");
	}

	@Test
	void hugeEnvironmentWithTagAtTheEnd() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < 25_000; i++) {
			out.writeBytes(("VAR_" + i + "=" + "x".repeat(40) + "\0").getBytes(StandardCharsets.US_ASCII));
		}
		out.writeBytes("PIDWATCHER_MODULE=deep".getBytes(StandardCharsets.US_ASCII));
		byte[] env = out.toByteArray();
		assertThat(env.length).isGreaterThan(1 << 20);
		assertThat(find(env)).isEqualTo("deep");
	}
}
