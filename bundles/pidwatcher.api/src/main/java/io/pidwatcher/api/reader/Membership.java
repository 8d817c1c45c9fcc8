package io.pidwatcher.api.reader;

/**
 * How a reader knows that a process belongs to a module. Membership is decided at fork: the tag
 * finds the first members, lineage finds the rest.
 */
public enum Membership {
	/** the process carries the tag variable in its own environment */
	TAG,
	/**
	 * the process was forked by a member and inherited its membership, whatever its environment says
	 * now ({@code env -i}, setproctitle, a wiped environment area)
	 */
	FORK
}
