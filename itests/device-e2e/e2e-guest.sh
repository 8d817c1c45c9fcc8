#!/bin/bash
# Runs inside the QEMU guest (run-guest.sh --script, module loaded): the whole pidwatcher runtime,
# features/target/pidwatcher.jar on the host's JVM over 9p, against the real /dev/pidwatcher.
# One JVM session: Gogo commands are fed to the runtime's stdin through a FIFO and each command's
# output is cut out of its stdout by a marker. TAP-like output: first the plan "1..N", then one line
# per check, "ok N - name" / "not ok N - name"; "# ..." lines are diagnostics (measured latencies).
# Exits non-zero when a check failed or fewer checks than planned ran; run.sh checks the plan too.
# Timing: a check bounds only what must never happen (an exit event not seen within 5 s); the
# latencies measured here are printed as diagnostics (docs/benchmarks.md has the real figures).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar=$root/features/target/pidwatcher.jar
pwtest=$here/target/pwtest
home=/tmp/pwhome
mkdir -p "$home/etc"
cd "$home"

echo  # the first line of output shares the console line with the boot noise
plan=16
echo "1..$plan"
t=0 failures=0
result() {	# status name
	t=$((t + 1))
	if [ "$1" = 0 ]; then echo "ok $t - $2"; else echo "not ok $t - $2"; failures=$((failures + 1)); fi
}
# same_nonempty A B: A and B are the same list of pids, and not an empty one (two empty lists,
# a reader that lists nothing and a /proc walk that found nothing, must not pass)
same_nonempty() { [ -n "${1// /}" ] && [ "$1" = "$2" ]; }
is_pid() { [[ "$1" =~ ^[0-9]+$ ]]; }
us_now() { local r=$EPOCHREALTIME; echo "${r/./}"; }

# --- tagged processes: a double-forking daemon, a tree, and victims to kill ------------------------
PIDWATCHER_MODULE=e2e "$pwtest" daemon "$home/daemon.pid" 600
PIDWATCHER_MODULE=e2e "$pwtest" tree 1 2 600 &
PIDWATCHER_MODULE=e2e "$pwtest" threads 2 600 &
for i in 1 2 3; do
	PIDWATCHER_MODULE=victim$i "$pwtest" sleep 600 &
	eval victim$i=$!
done
# the daemon writes its pid file after its double fork; wait for it (with a deadline) rather than
# read a file that may still be empty
for _ in $(seq 50); do
	daemon=$(cat "$home/daemon.pid" 2>/dev/null)
	is_pid "$daemon" && break
	sleep 0.1
done
is_pid "$daemon" || echo "# the daemon wrote no pid to $home/daemon.pid"

# pids carrying PIDWATCHER_MODULE=$1 according to /proc (the truth the readers must match)
tagged_pids() {
	local d
	for d in /proc/[0-9]*; do
		tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "PIDWATCHER_MODULE=$1" && echo "${d#/proc/}"
	done | sort -n | tr '\n' ' '
}
# pids listed by pw:ps output (rows: PID PPID S ...)
ps_pids() { awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $1}' | sort -n | tr '\n' ' '; }

# --- the runtime, fed through a FIFO -----------------------------------------------------------------
mkfifo "$home/gogo.in"
out=$home/gogo.out
started=$(us_now)
# beginning=10: the bnd launcher sets the framework's start level to the beginning level only after
# it has started every bundle; pidwatcher.home's StartupGate raises it to 10 as soon as etc/ is
# loaded. On a slow (emulated) machine the gate can come first, the launcher then lowers the level
# to 1 again and the shell is stopped under our feet. etc/ is empty here, so nothing is lost.
# gosh.args= (empty) asks for the prompt although standard input is a FIFO: without it the runtime
# runs as a service (no terminal, no prompt).
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Dorg.osgi.framework.startlevel.beginning=10 \
	-Dgosh.args= -Dpidwatcher.home="$home" \
	-jar "$jar" < "$home/gogo.in" > "$out" 2>&1 &
jvm=$!
exec 5> "$home/gogo.in"

echo 0 > "$home/gogo.n"
# gogo CMD [TIMEOUT]: runs one command line, prints its output (often called in $(...): the
# command counter lives in a file)
gogo() {
	local n=$(($(cat "$home/gogo.n") + 1))
	echo $n > "$home/gogo.n"
	local from=$(($(stat -c %s "$out") + 1)) limit=$((${2:-60} * 10)) i=0
	printf '%s\necho PW-END-%d\n' "$1" "$n" >&5
	until grep -q "PW-END-$n\$" "$out"; do
		i=$((i + 1))
		if [ $i -gt $limit ] || ! kill -0 $jvm 2>/dev/null; then
			echo "# gogo: no answer to '$1'"
			return 1
		fi
		sleep 0.1
	done
	tail -c +"$from" "$out" | sed "/PW-END-$n\$/,\$d"
}
# wait_source PATTERN SECS: until pw:source matches
wait_source() {
	local end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le $end ]; do
		src=$(gogo pw:source 30) && grep -q "$1" <<< "$src" && return 0
		sleep 0.5
	done
	echo "# pw:source never matched '$1'; last:"
	sed 's/^/#   /' <<< "$src"
	return 1
}
# exit_latency SOURCE_REGEX PID T0: us from T0 (before kill) to the reader's delivery of PID's
# exit, polling pw:source for up to 5 s; prints nothing when the exit was never delivered
exit_latency() {
	local src at end=$(($(date +%s) + 5))
	is_pid "$2" || { echo "# exit_latency: '$2' is not a pid" >&2; return; }
	while :; do
		src=$(gogo pw:source)
		at=$(grep -E "$1" <<< "$src" | sed -n "s/.*last: pid $2 .* at \([0-9]*\) us since the epoch.*/\1/p" | head -1)
		[ -n "$at" ] && { echo $((at - $3)); return; }
		[ "$(date +%s)" -lt $end ] || break
		sleep 0.2
	done
	echo "# no exit of pid $2 within 5 s in: $(grep 'exit events' <<< "$src")" >&2
}
# listed MODULE PID: pw:ps MODULE lists PID within 10 s (the active reader has seen the task: the
# /proc reader tracks a task's exit from the scan that finds it on; no sleep tied to its period)
listed() {
	local end=$(($(date +%s) + 10))
	is_pid "$2" || return 1
	until gogo "pw:ps $1" | ps_pids | grep -qw "$2"; do
		[ "$(date +%s)" -lt $end ] || { echo "# pw:ps $1 never listed pid $2"; return 1; }
		sleep 0.2
	done
}
# delivered LATENCY_US: an exit event was delivered, after the kill and within the 5 s bound
delivered() { [ -n "$1" ] && [ "$1" -ge 0 ] && [ "$1" -lt 5000000 ]; }

# 1-3: start, device reader active, module facts, event mode
wait_source 'reader     device' 120
result $? "the runtime starts in the guest and pw:source reports the device reader"
echo "# runtime up $(( ($(us_now) - started) / 1000 )) ms after the JVM started"
sed 's/^/#   /' <<< "$src"
grep -q 'module     loaded, version 1.0, .*tag=PIDWATCHER_MODULE' <<< "$src"
result $? "pw:source shows the module's version and parameters"
grep -q 'events     device poll' <<< "$src"
result $? "pw:source says exit events come from device poll"

# 4: the double-forking tree
want=$(tagged_pids e2e)
ps=$(gogo "pw:ps e2e")
got=$(ps_pids <<< "$ps")
echo "# /proc says e2e = $want; pw:ps lists $got"
same_nonempty "$want" "$got" && is_pid "$daemon" && grep -qw "$daemon" <<< "$got"
result $? "pw:ps lists the tagged double-forking tree (setsid daemon $daemon included) on the device reader"
before=$got

# 5: exit event by device poll
listed victim1 "$victim1"; seen=$?
t0=$(us_now); kill -9 "$victim1"
lat=$(exit_latency 'exit events delivered' "$victim1" "$t0")
echo "# device: kill -9 to exit event delivered: ${lat:-never} us"
[ $seen = 0 ] && delivered "$lat"
result $? "killing a tagged task gives an exit event from device poll (within 5 s)"

# 6: the module is pinned while in use
rmmod pidwatcher 2>/dev/null
[ -e /dev/pidwatcher ]
result $? "rmmod is refused while the device reader holds /dev/pidwatcher"

# 7-9: release, unload, procfs takes over with the same tasks
echo "enabled=false" > "$home/etc/pidwatcher.device.cfg"
wait_source 'reader     procfs' 20
result $? "enabled=false hands over to the /proc reader"
rmmod pidwatcher && [ ! -e /dev/pidwatcher ] && wait_source 'module     not loaded' 10
result $? "rmmod then succeeds and pw:source says the module is not loaded"
got=$(gogo "pw:ps e2e" | ps_pids)
echo "# procfs: pw:ps e2e lists $got"
same_nonempty "$got" "$before"
result $? "pw:ps on the /proc reader lists the same tasks"

# 10: the /proc reader's own exit events with the module gone (the kernel's process events as
# root, pidfds where the connector cannot be had)
grep -Eq 'events     (process events connector|pidfd)' <<< "$src"
result $? "pw:source says exit events come from the process events connector or pidfd"
listed victim2 "$victim2"; seen=$?
t0=$(us_now); kill -9 "$victim2"
lat=$(exit_latency 'exit events delivered' "$victim2" "$t0")
echo "# procfs: kill -9 to exit event delivered: ${lat:-never} us"
[ $seen = 0 ] && delivered "$lat"
result $? "with the module unloaded, a killed tagged task gives an exit event from the /proc reader (within 5 s)"

# 11-13: re-enable while absent, load: the runtime switches back by itself
echo "enabled=true" > "$home/etc/pidwatcher.device.cfg"
sleep 2.5
src=$(gogo pw:source)
grep -q 'reader     procfs' <<< "$src"
result $? "enabled=true without the module: /proc stays in charge"
insmod "$PW_KO"
wait_source 'reader     device' 20
result $? "insmod: the runtime switches back to the device reader with no restart"
got=$(gogo "pw:ps e2e" | ps_pids)
echo "# device again: pw:ps e2e lists $got"
same_nonempty "$got" "$before"
result $? "pw:ps on the device reader lists the same tasks after the reload"
listed victim3 "$victim3"; seen=$?
t0=$(us_now); kill -9 "$victim3"
lat=$(exit_latency 'exit events delivered' "$victim3" "$t0")
echo "# device after reload: kill -9 to exit event delivered: ${lat:-never} us"
[ $seen = 0 ] && delivered "$lat"
result $? "after the reload, a killed tagged task gives a device exit event (within 5 s)"

# 14: a module loaded with another tag is refused, /proc stays in charge
echo "enabled=false" > "$home/etc/pidwatcher.device.cfg"
wait_source 'reader     procfs' 20 >/dev/null
rmmod pidwatcher && insmod "$PW_KO" tag=OTHER_TAG
echo "enabled=true" > "$home/etc/pidwatcher.device.cfg"
# the refusal is logged when the device reader looks at the module; wait for it (20 s at most),
# then /proc must still be in charge
for _ in $(seq 100); do
	grep -q 'module watches tag OTHER_TAG' "$home/var/log/pidwatcher.log" 2>/dev/null && break
	sleep 0.2
done
src=$(gogo pw:source)
grep -q 'reader     procfs' <<< "$src" && grep -q 'module watches tag OTHER_TAG' "$home/var/log/pidwatcher.log"
result $? "a module loaded with tag=OTHER_TAG is refused with a logged reason; /proc stays in charge"
grep 'device reader' "$home/var/log/pidwatcher.log" | sed 's/^/#   log: /'

exec 5>&-
# the shell stops the framework at the end of its input; bound the wait all the same
for _ in $(seq 300); do kill -0 $jvm 2>/dev/null || break; sleep 0.1; done
kill -0 $jvm 2>/dev/null && { echo "# the runtime did not exit within 30 s of its input's end: killed"; kill -9 $jvm; }
wait $jvm 2>/dev/null
if [ -n "${PW_E2E_DEBUG:-}" ]; then
	sed 's/^/#   out: /' "$out"
	sed 's/^/#   log: /' "$home/var/log/pidwatcher.log"
fi
echo "# guest done: $t of $plan checks, $failures failed"
[ "$t" -eq "$plan" ] || echo "not ok - $t checks ran, the plan is $plan"
[ "$failures" -eq 0 ] && [ "$t" -eq "$plan" ]
