#!/bin/bash
# The end-to-end suite of the runtime against the real kernel module: for each kernel, boot a QEMU
# guest with pidwatcher.ko loaded and run e2e-guest.sh there (the runtime jar on the host's JVM,
# over 9p). Prints every guest's "ok N - ..." lines and ends with "N passed, N failed". Each guest
# prints its plan first ("1..N"): a planned check that never reported counts as failed, and so
# does a guest that exits non-zero (a failed check, or a guest cut short).
#
#   itests/device-e2e/run.sh [KERNEL...]     default: every kernel in kmod/scripts/kernels.sh's
#                                            list that is installed, else every /boot/vmlinuz-*
# Needs: features/target/pidwatcher.jar (mvn -B verify), QEMU and the kernels (make -C kmod deps).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# The guest mounts a tmpfs over /tmp: a checkout under /tmp (a CI clone) is invisible there, so
# run from a copy of what the guest needs under /var/tmp.
case "$root" in
/tmp/*)
	stage=/var/tmp/pidwatcher-e2e-stage
	rm -rf "$stage"
	mkdir -p "$stage/features/target" "$stage/itests" "$stage/itests/pidwatcher.testing/src/main"
	cp -a "$root/kmod" "$stage/kmod"
	cp -a "$root/itests/device-e2e" "$stage/itests/"
	cp -a "$root/itests/pidwatcher.testing/src/main/resources" "$stage/itests/pidwatcher.testing/src/main/"
	cp "$root/features/target/pidwatcher.jar" "$stage/features/target/" 2>/dev/null
	echo "# checkout under /tmp, hidden in the guest: running from $stage"
	exec bash "$stage/itests/device-e2e/run.sh" "$@"
	;;
esac
kernels=("$@")
if [ ${#kernels[@]} -eq 0 ]; then
	for k in /boot/vmlinuz-*; do
		k=${k#/boot/vmlinuz-}
		[ -d "/lib/modules/$k/build" ] && kernels+=("$k")
	done
fi
passed=0 failed=0
[ -f "$root/features/target/pidwatcher.jar" ] || { echo "e2e: features/target/pidwatcher.jar missing (mvn -B verify)"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$here/target"
gcc -O2 -Wall -pthread -o "$here/target/pwtest" "$root/itests/pidwatcher.testing/src/main/resources/io/pidwatcher/testing/pwtest.c" \
	|| { echo "0 passed, 1 failed"; exit 1; }
for k in "${kernels[@]}"; do
	echo "== runtime end-to-end on $k"
	if ! make -s -C "$root/kmod" "build/$k/pidwatcher.ko" > "$here/target/kbuild-$k.log" 2>&1; then
		echo "not ok - pidwatcher.ko builds for $k (see $here/target/kbuild-$k.log)"
		failed=$((failed + 1))
		continue
	fi
	# 600 s: a guest on a machine loaded by other suites took 417 s of the former 420 (11:00, 2026-12-01)
	start=$(date +%s)
	"$root/kmod/tests/qemu/run-guest.sh" --kernel "$k" --script "$here/e2e-guest.sh" --timeout 600 \
		${PW_E2E_DEBUG:+--env PW_E2E_DEBUG=1} \
		> "$here/target/guest-$k.log" 2>&1
	rc=$?
	tr -d '\r' < "$here/target/guest-$k.log" | grep -aE '^(not )?ok [0-9]+ - |^# ' | sed "s/^/[$k] /"
	p=$(tr -d '\r' < "$here/target/guest-$k.log" | grep -acE '^ok [0-9]+ - ')
	f=$(tr -d '\r' < "$here/target/guest-$k.log" | grep -acE '^not ok [0-9]+ - ')
	plan=$(tr -d '\r' < "$here/target/guest-$k.log" | sed -nE 's/^1\.\.([0-9]+)$/\1/p' | head -1)
	echo "[$k] guest exit $rc after $(( $(date +%s) - start )) s: $p passed, $f failed of a plan of ${plan:-?}"
	# every planned check must have reported: one that never printed its line counts as failed
	if [ -z "$plan" ]; then
		echo "not ok - the $k guest printed its plan (a 1..N line; log $here/target/guest-$k.log)"
		f=$((f + 1))
	elif [ $((p + f)) -ne "$plan" ]; then
		echo "not ok - the $k guest ran its plan: $((p + f)) of $plan checks reported (log $here/target/guest-$k.log)"
		[ $((p + f)) -lt "$plan" ] && f=$((f + plan - p - f)) || f=$((f + 1))
	fi
	# a non-zero exit with every check passed and reported: the guest failed outside the checks
	if [ "$rc" != 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - the $k guest exited 0 (exit $rc; log $here/target/guest-$k.log)"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
