#!/bin/bash
# make bench: boot a kernel (default: the 6.12 one) and compare device
# scans with /proc scans for 100, 1000 and 5000 tagged tasks.
set -eu
. "$(dirname "$0")/stage.sh"
kmod=$(cd "$(dirname "$0")/.." && pwd)
cd "$kmod"
. scripts/kernels.sh
k=${1:-$K612}
make --no-print-directory "build/$k/pidwatcher.ko" > /dev/null
mkdir -p build/bin
gcc -O2 -Wall -pthread -o build/bin/pwtest tests/pwtest.c
tests/qemu/run-guest.sh --kernel "$k" --script tests/bench-guest.sh --mem 3072 \
	--timeout 900 --env "PW_BIN=$kmod/build/bin" | tee build/bench-$k.log | grep -E '^BENCH\||^# '
