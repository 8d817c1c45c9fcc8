package io.pidwatcher.watchdog.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A child process that exists only in the test: alive until {@link #exit}, which completes
 * {@link #onExit()} on the test's thread as the JDK's reaper would on its own.
 */
final class FakeProcess extends Process {

	private final long pid;
	private final CompletableFuture<Process> exited = new CompletableFuture<>();
	private volatile Integer status;

	FakeProcess(long pid) {
		this.pid = pid;
	}

	void exit(int exitStatus) {
		status = exitStatus;
		exited.complete(this);
	}

	@Override
	public long pid() {
		return pid;
	}

	@Override
	public boolean isAlive() {
		return status == null;
	}

	@Override
	public int exitValue() {
		Integer s = status;
		if (s == null) {
			throw new IllegalThreadStateException("process " + pid + " has not exited");
		}
		return s;
	}

	@Override
	public CompletableFuture<Process> onExit() {
		return exited;
	}

	@Override
	public int waitFor() {
		return exited.join().exitValue();
	}

	@Override
	public void destroy() {
		throw new UnsupportedOperationException("the engine stops trees by signals, never by Process.destroy");
	}

	@Override
	public OutputStream getOutputStream() {
		return OutputStream.nullOutputStream();
	}

	@Override
	public InputStream getInputStream() {
		return InputStream.nullInputStream();
	}

	@Override
	public InputStream getErrorStream() {
		return InputStream.nullInputStream();
	}
}
