#!/bin/bash
# Runs inside the QEMU guest (run-guest.sh --script): captures real /dev/pidwatcher output for the
# parser's unit tests. Every capture is printed base64-encoded between markers:
#   PW-CAPTURE-BEGIN <name> ... PW-CAPTURE-END <name>
set -u
dev=/dev/pidwatcher
work=/tmp/capture
mkdir -p "$work"
emit() {	# name file
	echo "PW-CAPTURE-BEGIN $1"
	base64 -w 76 "$2"
	echo "PW-CAPTURE-END $1"
}
# A program whose comm needs escaping (space, backslash, UTF-8 byte), and tagged processes whose
# values need it too; one value longer than the module's 4096-byte limit.
odd="$work/a b\\$(printf '\xc3\xa9')x"
cp /bin/sleep "$odd"
PIDWATCHER_MODULE=web sleep 300 &
PIDWATCHER_MODULE="caf$(printf '\xc3\xa9') bar\\1" "$odd" 300 &
oddpid=$!
PIDWATCHER_MODULE="tab$(printf '\t')nl$(printf '\001')" sleep 300 &
PIDWATCHER_MODULE=$(head -c 5000 /dev/zero | tr '\0' v) sleep 300 &
PIDWATCHER_MODULE=web sh -c 'sleep 300 & setsid sh -c "sleep 300 &"; sleep 300' &
# members by fork whose environment says otherwise (protocol 2): a child after env -i, and one
# whose own environment carries another value (the inherited value wins)
PIDWATCHER_MODULE=lineage sh -c 'env -i sleep 300 & PIDWATCHER_MODULE=other sleep 300 & wait' &
# until the setsid sleeper is reparented to init and both lineage children run sleep (10 s at most)
for i in $(seq 1 100); do
	[ "$(ps -o comm= --ppid 1 | grep -c '^sleep$')" -ge 1 ] &&
		[ "$(ps -o comm= --ppid $! | grep -c '^sleep$')" = 2 ] && break
	sleep 0.1
done

cat $dev > "$work/all-tagged.txt"
emit all-tagged "$work/all-tagged.txt"

exec 3<>$dev
echo all >&3
cat <&3 > "$work/all.txt"
emit all "$work/all.txt"
# A write re-snapshots but (module as built) leaves the file position where it was: reopen.
exec 3<&-
exec 3<>$dev
printf 'value caf\xc3\xa9 bar\\1' >&3
cat <&3 > "$work/value.txt"
emit value "$work/value.txt"
old=$(cat /sys/module/pidwatcher/parameters/max_tasks)
echo 2 > /sys/module/pidwatcher/parameters/max_tasks
exec 3<&-
exec 3<>$dev
echo rescan >&3
cat <&3 > "$work/truncated.txt"
emit truncated "$work/truncated.txt"
echo "$old" > /sys/module/pidwatcher/parameters/max_tasks
exec 3<&-

exec 4<>$dev
echo events >&4
sleep 0.5
kill -9 $oddpid
pkill -TERM -f 'sleep 300' 
sleep 1
timeout 2 cat <&4 > "$work/events.txt"
emit events "$work/events.txt"
for f in /sys/module/pidwatcher/parameters/*; do echo "PW-PARAM $(basename $f)=$(cat $f)"; done
echo "PW-VERSION $(cat /sys/module/pidwatcher/version 2>/dev/null)"
exit 0
