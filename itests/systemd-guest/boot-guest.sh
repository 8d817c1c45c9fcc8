#!/bin/bash
# boot-guest.sh - boot a QEMU guest (TCG) whose root is the host's own Debian 12 root file system,
# read-only over virtio-9p, under an overlayfs whose upper layer is an ext4 disk image, with
# systemd as init. Installs and state survive a reboot (the upper layer is on the disk), and a
# reboot (a softdog reset included) boots the same disk again inside the same QEMU process.
#
# usage: boot-guest.sh --disk IMG --kernel VER [--timeout SEC] [--mem MB] [--append "..."]
# The initramfs (busybox, the 9p/virtio/ext4/overlay modules of VER) is built under
# target/initramfs-VER.cpio.gz. The serial console goes to stdout. The guest ends the run with
# poweroff; exit status 124 on timeout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
disk= kernel= tmo=600 mem=2048 extra=
while [ $# -gt 0 ]; do
	case "$1" in
	--disk) disk=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) extra=$2; shift 2 ;;
	*) echo "boot-guest: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$disk" ] && [ -n "$kernel" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
[ -f "/boot/vmlinuz-$kernel" ] || { echo "boot-guest: no /boot/vmlinuz-$kernel" >&2; exit 2; }
moddir=/lib/modules/$kernel
mkdir -p "$here/target"
initrd=$here/target/initramfs-$kernel.cpio.gz

deps_of() {	# module paths needed for $1, dependencies first (modules.dep is the truth)
	local m=$1 line d
	line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || return 0	# built in
	for d in ${line#*:}; do
		deps_of "$(basename "$d" | sed -E 's/\.ko(\.xz|\.zst)?$//')"
	done
	echo "${line%%:*}"
}
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	root=$here/target/initramfs.$$
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,lower,disk,newroot,mods}
	cp /bin/busybox "$root/bin/busybox"
	n=0
	for p in $( { for m in virtio_pci 9pnet_virtio 9p virtio_blk crc32c_generic ext4 overlay; do deps_of $m; done; } | awk '!seen[$0]++'); do
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
fail() { echo "PW-INITRAMFS-FAILED $*"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower || fail 9p
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.2; done
mount -t ext4 /dev/vda /disk || fail "ext4 /dev/vda"
mkdir -p /disk/upper /disk/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/disk/upper,workdir=/disk/work /newroot || fail overlay
# A fresh /tmp: the host's own /tmp would be emptied file by file over 9p by systemd-tmpfiles.
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /lib/systemd/systemd
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.new.$$"
	mv "$initrd.new.$$" "$initrd"
	rm -rf "$root"
fi

append="console=ttyS0 quiet loglevel=4 panic=5 systemd.show_status=0 $extra"
exec timeout --foreground -k 10 "$tmo" qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp 2 \
	-nographic -monitor none -serial stdio \
	-kernel "/boot/vmlinuz-$kernel" -initrd "$initrd" -append "$append" \
	-drive "file=$disk,format=raw,if=virtio,cache=unsafe" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	< /dev/null
