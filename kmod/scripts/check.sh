#!/bin/bash
# make check: build for the 6.1 and 6.12 kernels, build the tools, dkms
# build, then boot each kernel under QEMU (TCG) and run tests/suite.sh.
# The last line is "N passed, N failed" over everything, with ", N skipped"
# when KTAP lines said "ok ... # SKIP" (a skip is counted apart, never as a pass).
set -u
. "$(dirname "$0")/stage.sh"
kmod=$(cd "$(dirname "$0")/.." && pwd)
cd "$kmod"
. scripts/kernels.sh
pass=0 fail=0 skip=0
# count_ktap FILE: sets p, f, s to the "ok", "not ok" and "ok ... # SKIP" lines in FILE
count_ktap() {
	s=$(grep -cE '^ok [0-9]+ - .*# SKIP' "$1")
	p=$(( $(grep -cE '^ok [0-9]+ - ' "$1") - s ))
	f=$(grep -cE '^not ok [0-9]+ - ' "$1")
}
res() {	# rc name
	if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok - $2"
	else fail=$((fail + 1)); echo "not ok - $2"; fi
}
finish() {
	local sk=
	[ "$skip" -gt 0 ] && sk=", $skip skipped"
	echo "$pass passed, $fail failed$sk"
	[ "$fail" = 0 ]; exit $?
}

for k in "$K61" "$K612"; do
	if [ -z "$k" ] || [ ! -d "/lib/modules/$k/build" ] || [ ! -f "/boot/vmlinuz-$k" ]; then
		echo "# kernel '$k' not installed: run make -C kmod deps"
		res 1 "kernel ${k:-?} installed"
		finish
	fi
done
echo "# kernels: $K61 $K612"

mkdir -p build/bin
for k in "$K61" "$K612"; do
	rm -f "build/$k/pidwatcher.ko"
	make --no-print-directory "build/$k/pidwatcher.ko" > "build/make-$k.log" 2>&1
	rc=$?
	grep -E 'warning:|error:' "build/make-$k.log" | sed 's/^/# /'
	grep -q 'warning:' "build/make-$k.log" && rc=1
	res $rc "module builds without warnings for $k"
done
${CC:-gcc} -O2 -Wall -Wextra -Werror -o build/bin/pspidwatcher tools/pspidwatcher.c
res $? "pspidwatcher builds"
${CC:-gcc} -O2 -Wall -pthread -o build/bin/pwtest tests/pwtest.c
res $? "test helpers build"

while read -r line; do
	echo "$line"
	case "$line" in
	"ok - "*"# SKIP"*) skip=$((skip + 1)) ;;
	"ok - "*) pass=$((pass + 1)) ;;
	"not ok - "*) fail=$((fail + 1)) ;;
	esac
done < <(bash scripts/dkms-check.sh "$K61" "$K612")

for k in "$K61" "$K612"; do
	if [ ! -f "build/$k/pidwatcher.ko" ]; then
		res 1 "guest suite on $k (no module)"; continue
	fi
	echo "# booting $k under QEMU (TCG)"
	log=build/suite-$k.log
	t0=$SECONDS
	tests/qemu/run-guest.sh --kernel "$k" --script tests/suite.sh --timeout 900 \
		--env "PW_BIN=$kmod/build/bin" > "$log" 2>&1
	grc=$?
	grep -E '^(not )?ok [0-9]+ - |^# ' "$log"
	count_ktap "$log"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	echo "# $k: $p passed, $f failed, $s skipped of ${plan:-?} planned, guest exit $grc, $((SECONDS - t0)) s"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	if [ "$p" = 0 ] || [ "$((p + f + s))" != "${plan:-x}" ] || { [ "$grc" != 0 ] && [ "$f" = 0 ]; }; then
		tail -n 20 "$log" | sed 's/^/# /'
		res 1 "guest on $k ran its whole plan (exit $grc)"
	fi
done
finish
