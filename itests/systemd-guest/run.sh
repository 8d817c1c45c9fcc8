#!/bin/bash
# The systemd guest suite: boots a QEMU guest (TCG) whose root is the host's own Debian 12 root
# (read-only over virtio-9p) under an overlayfs with an ext4 disk image as the upper layer, with
# systemd as init (boot-guest.sh). guest.sh runs there as a unit, across three boots: install the
# packages and reboot; check DKMS, pidwatcher.service, pw:source, a module from /etc/pidwatcher,
# a SIGSTOP recovered by WatchdogSec with the module adopted, softdog kept fed by a healthy runtime
# and a reset by a frozen one; after the reset, the cause reported; then the purge.
# Prints every "ok N - ..." line of the guest and ends with "N passed, N failed".
#
#   itests/systemd-guest/run.sh [KERNEL]       default: the 6.1 kernel of kmod/scripts/kernels.sh
# Needs: features/target/pidwatcher.jar (mvn -B install); the packages are built from it here
# (packaging/build-deb into target/debs). QEMU, the kernel and its headers, dkms, e2fsprogs:
# itests/systemd-guest/deps.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/kmod/scripts/kernels.sh"
kernel=${1:-$K61}
timeout_s=${PW_GUEST_TIMEOUT:-1800}
# The guest has a fresh /tmp: a checkout under /tmp (a CI clone) is hidden there, so run from a
# copy of what the guest needs under /var/tmp.
case "$root" in
/tmp/*)
	stage=/var/tmp/pidwatcher-systemd-guest-stage
	rm -rf "$stage"
	mkdir -p "$stage/features/target" "$stage/itests"
	cp -a "$root/kmod" "$root/bin" "$root/pom.xml" "$root/README.md" "$stage/"
	[ -d "$root/packaging" ] && cp -a "$root/packaging" "$stage/"
	cp -a "$here" "$stage/itests/"
	cp "$root/features/target/pidwatcher.jar" "$stage/features/target/" 2>/dev/null
	echo "# checkout under /tmp, hidden in the guest: running from $stage"
	exec bash "$stage/itests/systemd-guest/run.sh" "$@"
	;;
esac
target=$here/target
mkdir -p "$target"
fail_early() { echo "not ok - $*"; echo "0 passed, 1 failed"; exit 1; }

jar=$root/features/target/pidwatcher.jar
[ -f "$jar" ] || fail_early "features/target/pidwatcher.jar missing (mvn -B install -DskipTests)"
[ -n "$kernel" ] && [ -f "/boot/vmlinuz-$kernel" ] && [ -d "/lib/modules/$kernel/build" ] \
	|| fail_early "kernel $kernel with headers is not installed (itests/systemd-guest/deps.sh)"
command -v mkfs.ext4 >/dev/null || fail_early "mkfs.ext4 missing (apt-get install e2fsprogs)"

# --- what to install: the packages, built now from this jar by packaging/build-deb -------------
debs=$target/debs
rm -rf "$debs"
bash "$root/packaging/build-deb" "$debs" > "$target/build-deb.log" 2>&1 || { cat "$target/build-deb.log"; fail_early "packaging/build-deb builds both packages"; }
deb=$(ls "$debs"/pidwatcher_*_all.deb)
dkmsdeb=$(ls "$debs"/pidwatcher-dkms_*_all.deb)
# the same runtime under a later version ("+guest1" sorts after it), for the upgrade in boot 2
upversion="$("$root/packaging/version")+guest1"
PW_DEB_VERSION=$upversion bash "$root/packaging/build-deb" "$debs/upgrade" >> "$target/build-deb.log" 2>&1 || { cat "$target/build-deb.log"; fail_early "packaging/build-deb builds the upgrade ($upversion)"; }
updeb=$(ls "$debs"/upgrade/pidwatcher_*_all.deb)

# --- the disk: the overlay's upper layer, seeded with the test unit and masks -------------------
seed=$target/seed
rm -rf "$seed"
units=$seed/upper/etc/systemd/system
mkdir -p "$units/multi-user.target.wants" "$seed/upper/var/lib/pw-guest" "$seed/work"
# The host's own services would only slow the guest down (TCG): masked in the guest alone.
for u in postgresql.service supervisor.service runit.service e2scrub_reap.service e2scrub_all.timer \
	apt-daily.timer apt-daily-upgrade.timer fstrim.timer man-db.timer logrotate.timer dpkg-db-backup.timer \
	systemd-timesyncd.service getty.target getty@tty1.service serial-getty@ttyS0.service console-getty.service \
	systemd-pstore.service systemd-tmpfiles-clean.timer mosquitto.service nginx.service \
	prometheus.service prometheus-node-exporter.service monit.service; do
	ln -s /dev/null "$units/$u"
done
cat > "$units/pw-guest.service" <<UNIT
[Unit]
Description=pidwatcher systemd guest suite (itests/systemd-guest/guest.sh)
After=multi-user.target
[Service]
Type=simple
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/bash /var/lib/pw-guest/guest.sh
UNIT
ln -s ../pw-guest.service "$units/multi-user.target.wants/pw-guest.service"
# A copy on the guest's disk: an edit of the checkout during a run does not reach the guest.
cp "$here/guest.sh" "$seed/upper/var/lib/pw-guest/guest.sh"
cat > "$seed/upper/var/lib/pw-guest/config" <<CFG
ROOT=$root
DEB=$deb
DKMSDEB=$dkmsdeb
UPDEB=$updeb
UPVERSION=$upversion
CFG
disk=$target/disk.img
rm -f "$disk"
truncate -s 3G "$disk"
mkfs.ext4 -q -F -d "$seed" "$disk" || fail_early "mkfs.ext4 of the guest disk"

# --- boot ---------------------------------------------------------------------------------------
echo "== systemd guest on $kernel: $(basename "$deb") $(basename "$dkmsdeb")"
start=$(date +%s)
"$here/boot-guest.sh" --disk "$disk" --kernel "$kernel" --timeout "$timeout_s" > "$target/console.log" 2>&1
rc=$?
log() { tr -d '\r' < "$target/console.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }
log | grep -aE '^(not )?ok [0-9]+ - |^# ' | sed "s/^/[$kernel] /"
passed=$(log | grep -acE '^ok [0-9]+ - ')
failed=$(log | grep -acE '^not ok [0-9]+ - ')
# softdog's reset, timed on the console: from the guest's "# froze the runtime at uptime U
# (softdog timeout T s)" to the kernel's "[ R] softdog: Initiating system reboot" of that boot.
# The last ping came at most a second before the freeze: within T + 2 s.
reset=$(log | awk '
	/^# froze the runtime at uptime / { froze = $7; limit = $10 + 2; next }
	froze != "" && /softdog: Initiating system reboot/ {
		r = $0; sub(/^.*\[ */, "", r); sub(/\].*$/, "", r)
		printf "%s %.1f %d\n", (r - froze <= limit ? "ok" : "not ok"), r - froze, limit - 2; exit }
	END { if (froze == "") print "none" }')
case "$reset" in
none) ;;	# the guest never froze its runtime: its own checks say why
"")
	echo "[$kernel] not ok - softdog reset the guest after the runtime froze (no 'softdog: Initiating system reboot' on the console)"
	failed=$((failed + 1)) ;;
*)
	set -- $reset
	if [ "$1" = ok ]; then
		echo "[$kernel] ok - softdog reset the guest $2 s after the runtime froze (timeout $3 s)"
		passed=$((passed + 1))
	else
		echo "[$kernel] not ok - softdog reset the guest within its timeout: $3 s after the runtime froze (timeout $4 s)"
		failed=$((failed + 1))
	fi ;;
esac
echo "[$kernel] guest ended (qemu exit $rc) after $(( $(date +%s) - start )) s"
# grep -c, not -q: -q stops reading at the match, and under pipefail the SIGPIPE of the pipe's
# writers then fails a guest that finished (the first run with the upgrade checks saw it)
if [ "$(log | grep -ac '^PW-GUEST-DONE')" -eq 0 ]; then
	echo "not ok - the guest ran its three boots to the end (qemu exit $rc; console $target/console.log)"
	failed=$((failed + 1))
fi
# The disk is kept for a look after a failure (under target/, like the console log); 3 GiB
# sparse, so removed after a pass.
[ "$failed" -eq 0 ] && rm -f "$disk"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
