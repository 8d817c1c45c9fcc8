#!/bin/bash
# dkms add/build (and remove) the module from a clean copy of kmod/,
# against each kernel given (default: the two `make check` kernels).
# Prints "ok"/"not ok" lines; exit status 0 when every build worked.
set -u
kmod=$(cd "$(dirname "$0")/.." && pwd)
. "$kmod/scripts/kernels.sh"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$kmod/dkms.conf")
src=/usr/src/pidwatcher-$ver
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=("$K61" "$K612")
dkms remove -m pidwatcher -v "$ver" --all >/dev/null 2>&1
rm -rf "$src"
mkdir -p "$src"
cp "$kmod"/{Kbuild,Makefile,dkms.conf,pidwatcher.h,pw_compat.h,pw_main.c,pw_scan.c,pw_lineage.c,pw_events.c,pw_env.c} "$src/"
fail=0
if ! dkms add -m pidwatcher -v "$ver" > "$kmod/build/dkms-add.log" 2>&1; then
	echo "not ok - dkms add"; sed 's/^/# /' "$kmod/build/dkms-add.log"; fail=1
fi
for k in "${kernels[@]}"; do
	if dkms build -m pidwatcher -v "$ver" -k "$k" > "$kmod/build/dkms-$k.log" 2>&1 &&
	   ls /var/lib/dkms/pidwatcher/"$ver"/"$k"/x86_64/module/pidwatcher.ko* >/dev/null 2>&1; then
		echo "ok - dkms build $k"
	else
		echo "not ok - dkms build $k"; tail -n 20 "$kmod/build/dkms-$k.log" | sed 's/^/# /'
		fail=1
	fi
done
dkms remove -m pidwatcher -v "$ver" --all >/dev/null 2>&1
rm -rf "$src"
exit $fail
