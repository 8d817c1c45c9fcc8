#!/bin/bash
# bench-guest.sh - runs inside a guest (scripts/bench.sh): the same N tagged
# tasks listed by the device and by /proc scans, side by side.
set -u
BIN=${PW_BIN:-$(dirname "$0")/../build/bin}
PWT=$BIN/pwtest
ms() { echo "scale=2; ($2 - $1) / 1000000 / $3" | bc; }
timeit() {	# reps cmd... -> ms per run
	local r=$1 i t0 t1; shift
	"$@" > /dev/null 2>&1	# warm up
	t0=$(date +%s%N)
	for i in $(seq 1 "$r"); do "$@" > /dev/null 2>&1; done
	t1=$(date +%s%N)
	ms "$t0" "$t1" "$r"
}
echo "# kernel $(uname -r), $(nproc) vCPUs (QEMU TCG)"
echo "BENCH| tagged tasks | all tasks | /bin/true (ms) | cat /dev/pidwatcher (ms) | /proc scan in C (ms) | ps axe (ms) | device in-process (ms) | /proc C in-process (ms) | /proc C / cat | in-process ratio |"
echo "BENCH|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for N in 100 1000 5000; do
	reps=10; [ "$N" -ge 5000 ] && reps=5
	: > /tmp/spawn.out
	PIDWATCHER_MODULE=bench "$PWT" spawn $((N - 1)) > /tmp/spawn.out &
	sp=$!
	for i in $(seq 1 900); do grep -q ready /tmp/spawn.out && break; sleep 0.1; done
	got=$(cat /dev/pidwatcher | head -n1 | sed 's/.*tasks=\([0-9]*\).*/\1/')
	[ "$got" = "$N" ] || echo "# warning: device lists $got tagged tasks, expected $N"
	[ "$("$PWT" procscan bench)" = "$N" ] || echo "# warning: /proc scan disagrees"
	all=$(ls -d /proc/[0-9]* | wc -l)
	sleep 2
	t=$(timeit $reps /bin/true)
	d=$(timeit $reps cat /dev/pidwatcher)
	p=$(timeit $reps "$PWT" procscan bench)
	s=$(timeit $reps ps axe)
	di=$("$PWT" devscan $reps)
	pi=$("$PWT" procbench $reps bench)
	echo "BENCH| $N | $all | $t | $d | $p | $s | $di | $pi | $(echo "scale=1; $p / $d" | bc)x | $(echo "scale=1; $pi / $di" | bc)x |"
	kill -TERM $sp; wait $sp 2>/dev/null
	sleep 1
done
