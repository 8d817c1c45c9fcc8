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
# Needs: features/target/pidwatcher.jar (mvn -B install), and for the package route the debs of
# `make deb` (packaging/**/pidwatcher_*_all.deb, pidwatcher-dkms_*_all.deb); without them the
# harness installs a clearly marked stand-in (jar, unit, DKMS by hand). QEMU, the kernel and its
# headers, dkms, e2fsprogs: itests/systemd-guest/deps.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/kmod/scripts/kernels.sh"
kernel=${1:-$K61}
timeout_s=${PW_GUEST_TIMEOUT:-1200}
# The guest has a fresh /tmp: a checkout under /tmp (a CI clone) is hidden there, so run from a
# copy of what the guest needs under /var/tmp.
case "$root" in
/tmp/*)
	stage=/var/tmp/pidwatcher-systemd-guest-stage
	rm -rf "$stage"
	mkdir -p "$stage/features/target" "$stage/itests"
	cp -a "$root/kmod" "$root/bin" "$stage/"
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

# --- what to install: the packages of `make deb`, else the stand-in ---------------------------
deb=$(find "$root/packaging" -name 'pidwatcher_*_all.deb' 2>/dev/null | sort -V | tail -n1)
dkmsdeb=$(find "$root/packaging" -name 'pidwatcher-dkms_*_all.deb' 2>/dev/null | sort -V | tail -n1)
if [ -n "$deb" ] && [ -n "$dkmsdeb" ]; then
	mode=deb
else
	mode=standin
	deb= dkmsdeb=
fi

# --- the engine's LoopListener calls, or the harness's stand-in for them ------------------------
loopjar=
work=$target/loop-standin.$$
mkdir -p "$work"
unzip -qo "$jar" 'jar/*' -d "$work" 2>/dev/null
if ! unzip -p "$work"/jar/pidwatcher.watchdog-*.jar '*.class' 2>/dev/null | grep -aq 'api/supervisor/LoopListener'; then
	mkdir -p "$work/classes"
	if javac -d "$work/classes" -cp "$(ls "$work"/jar/pidwatcher.api-*.jar):$(ls "$work"/jar/org.apache.felix.framework-*.jar 2>/dev/null || ls /root/.m2/repository/org/apache/felix/org.apache.felix.framework/7.0.5/*.jar)" \
		"$here/loop-standin/pwguest/loopstandin/Activator.java" > "$work/javac.log" 2>&1; then
		jar cfm "$target/pwguest.loopstandin.jar" "$here/loop-standin/MANIFEST.MF" -C "$work/classes" . && loopjar=$target/pwguest.loopstandin.jar
	fi
	[ -n "$loopjar" ] || { cat "$work/javac.log"; rm -rf "$work"; fail_early "the loop stand-in bundle builds"; }
fi
rm -rf "$work"

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
ExecStart=/bin/bash $here/guest.sh
UNIT
ln -s ../pw-guest.service "$units/multi-user.target.wants/pw-guest.service"
cat > "$seed/upper/var/lib/pw-guest/config" <<CFG
MODE=$mode
ROOT=$root
DEB=$deb
DKMSDEB=$dkmsdeb
LOOPJAR=$loopjar
CFG
disk=$target/disk.img
rm -f "$disk"
truncate -s 3G "$disk"
mkfs.ext4 -q -F -d "$seed" "$disk" || fail_early "mkfs.ext4 of the guest disk"

# --- boot ---------------------------------------------------------------------------------------
echo "== systemd guest on $kernel ($mode$([ -n "$loopjar" ] && echo ', loop stand-in'))"
start=$(date +%s)
"$here/boot-guest.sh" --disk "$disk" --kernel "$kernel" --timeout "$timeout_s" > "$target/console.log" 2>&1
rc=$?
log() { tr -d '\r' < "$target/console.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }
log | grep -aE '^(not )?ok [0-9]+ - |^# ' | sed "s/^/[$kernel] /"
passed=$(log | grep -acE '^ok [0-9]+ - ')
failed=$(log | grep -acE '^not ok [0-9]+ - ')
echo "[$kernel] guest ended (qemu exit $rc) after $(( $(date +%s) - start )) s"
if ! log | grep -aq '^PW-GUEST-DONE'; then
	echo "not ok - the guest ran its three boots to the end (qemu exit $rc; console $target/console.log)"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
