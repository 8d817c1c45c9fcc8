#!/bin/bash
# run-guest.sh - boot a Debian kernel under QEMU (TCG), load pidwatcher.ko,
# chroot into the host's root file system (read-only over virtio-9p) and
# run a script there as root.  Its output goes to stdout; the exit status
# is the script's (124 on timeout, 125 on a guest that never reported).
#
# usage: run-guest.sh --kernel <ver> --script <host path> [options]
#   --kernel VER      kernel version, e.g. 6.1.0-56-amd64 (/boot/vmlinuz-VER)
#   --script PATH     host path of the script run with bash inside the chroot;
#                     must not be under /tmp (the guest mounts a tmpfs there)
#   --ko PATH         module to insmod (default kmod/build/VER/pidwatcher.ko)
#   --insmod-args STR module parameters, e.g. "major=254 debug=1"
#   --no-insmod       do not load the module before running the script
#   --timeout SEC     wall-clock limit for the whole guest (default 600)
#   --mem MB          guest memory (default 2048)
#   --env K=V         export K=V to the script (repeatable)
# Inside the script: PW_KO (module path), PW_KERNEL (version) are set,
# /dev/pidwatcher exists when the module was loaded, /tmp is a fresh tmpfs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kmod=$(cd "$here/../.." && pwd)
kernel= script= ko= insmod_args= no_insmod=0 tmo=600 mem=2048 envs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--script) script=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--insmod-args) insmod_args=$2; shift 2 ;;
	--no-insmod) no_insmod=1; shift ;;
	--timeout) tmo=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	*) echo "run-guest: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$script" ] || { sed -n '2,20p' "$0" >&2; exit 2; }
script=$(readlink -f "$script")
case "$script" in /tmp/*) echo "run-guest: $script is under /tmp, hidden in the guest" >&2; exit 2 ;; esac
[ -f "/boot/vmlinuz-$kernel" ] || { echo "run-guest: no /boot/vmlinuz-$kernel" >&2; exit 2; }
moddir=/lib/modules/$kernel
[ -n "$ko" ] || ko=$kmod/build/$kernel/pidwatcher.ko
ko=$(readlink -f "$ko")
if [ "$no_insmod" = 0 ] && [ ! -f "$ko" ]; then
	echo "run-guest: $ko missing (make -C kmod build/$kernel/pidwatcher.ko)" >&2; exit 2
fi

work=$kmod/build/$kernel/guest
initrd=$kmod/build/$kernel/initramfs.cpio.gz
mkdir -p "$work"

# --- initramfs: busybox + the 9p module chain, rebuilt when missing ---------
deps_of() {	# print module paths needed for $1, dependencies first
	local m=$1 line path d
	line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || return 0	# built in
	path=${line%%:*}
	for d in ${line#*:}; do
		deps_of "$(basename "$d" | sed -E 's/\.ko(\.xz|\.zst)?$//')"
	done
	echo "$path"
}
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	root=$work/root.$$
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,host,mods}
	cp /bin/busybox "$root/bin/busybox"
	n=0
	for p in $( { deps_of 9pnet_virtio; deps_of 9p; deps_of virtio_pci; } | awk '!seen[$0]++'); do
		n=$((n + 1))
		dst=$root/mods/$(printf '%02d' $n)-$(basename "$p" | sed -E 's/\.ko(\.xz|\.zst)?$//').ko
		case "$p" in
		*.xz) xz -dc "$moddir/$p" > "$dst" ;;
		*.zst) zstd -qdc "$moddir/$p" > "$dst" ;;
		*) cp "$moddir/$p" "$dst" ;;
		esac
	done
	cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /mods/*.ko; do insmod "$m" 2>/dev/null; done
arg() { sed -n "s/.*\bpw\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
rc=125
if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host; then
	mount -t proc proc /host/proc
	mount -t sysfs sysfs /host/sys
	mount -t devtmpfs devtmpfs /host/dev
	mount -t devpts devpts /host/dev/pts 2>/dev/null
	mount -t tmpfs -o mode=1777 tmpfs /host/tmp
	mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm 2>/dev/null
	mount -t tmpfs tmpfs /host/run
	env=$(arg env | sed 's/,/ /g')
	ko=$(arg ko)
	rc=0
	if [ "$(arg insmod)" = 1 ]; then
		insmod "/host$ko" $(arg insmod_args | sed 's/,/ /g') || rc=126
	fi
	if [ $rc = 0 ]; then
		chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root TERM=dumb LANG=C PW_KO="$ko" PW_KERNEL="$(uname -r)" $env \
			/bin/bash "$(arg script)"
		rc=$?
	fi
else
	echo "run-guest: cannot mount hostroot"
fi
echo "PW-GUEST-EXIT $rc"
sync
poweroff -f
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.new.$$"
	mv "$initrd.new.$$" "$initrd"	# atomic: concurrent guests see old or new
fi

enc() { printf '%s' "$1" | sed 's/ /,/g'; }
for e in "${envs[@]}"; do
	case "$e" in *' '*|*,*) echo "run-guest: --env values cannot hold spaces or commas" >&2; exit 2 ;; esac
done
append="console=ttyS0 quiet panic=-1 pw.script=$script pw.ko=$ko pw.insmod=$((1 - no_insmod))"
[ -n "$insmod_args" ] && append+=" pw.insmod_args=$(enc "$insmod_args")"
[ ${#envs[@]} -gt 0 ] && append+=" pw.env=$(IFS=,; echo "${envs[*]}")"

log=$(mktemp "$work/console.XXXXXX")	# one per run: guests may run side by side
trap 'rm -f "$log"; rm -rf "$work/root.$$"' EXIT
set +e
timeout --foreground -k 10 "$tmo" qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp 2 \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "/boot/vmlinuz-$kernel" -initrd "$initrd" -append "$append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	< /dev/null | tee "$log" | sed -u 's/\r$//'
qrc=${PIPESTATUS[0]}
set -e
[ "$qrc" = 124 ] && { echo "run-guest: timeout after ${tmo}s"; exit 124; }
rc=$(tr -d '\r' < "$log" | sed -n 's/^PW-GUEST-EXIT \([0-9]*\)$/\1/p' | tail -n1)
[ -n "$rc" ] || { echo "run-guest: guest did not report (qemu rc $qrc)"; exit 125; }
exit "$rc"
