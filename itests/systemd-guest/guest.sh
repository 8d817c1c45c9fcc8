#!/bin/bash
# Runs inside the systemd guest (run.sh), as pw-guest.service, once per boot. The state lives in
# /var/lib/pw-guest on the overlay's upper layer (the disk), so it survives the reboots:
#   boot 1: install (the packages of `make deb`, else the marked stand-in), reboot;
#   boot 2: DKMS and the module, pidwatcher.service active, pw:source, a module from /etc/pidwatcher,
#           SIGSTOP of the runtime -> WatchdogSec restart with the module adopted, softdog fed by a
#           healthy runtime, then a frozen runtime with a critical module: softdog resets the guest;
#   boot 3: the reset came within the timeout, its cause is reported; a device held by systemd's
#           RuntimeWatchdogSec= is named, not fought; purge leaves no file; poweroff.
# One line per check on the serial console: "ok N - ..." / "not ok N - ..."; "# ..." diagnostics.
set -u
S=/var/lib/pw-guest
. "$S/config"
phase=$(cat "$S/phase" 2>/dev/null || echo 1)
n=$(cat "$S/n" 2>/dev/null || echo 0)
MODULE=guestdemo
HW_TIMEOUT=10	# softdog timeout, seconds

say() { printf '\n%s\n' "$*"; }
diag() { sed 's/^/# /'; }
result() {	# status name [diagnostics...]
	local rc=$1 name=$2
	shift 2
	n=$((n + 1))
	echo "$n" > "$S/n"
	if [ "$rc" = 0 ]; then say "ok $n - $name"; else say "not ok $n - $name"; fi
	[ $# -gt 0 ] && printf '%s\n' "$@" | diag
	sync
}
wait_for() {	# seconds command...: true once the command is, within the deadline
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		sleep 1
	done
	return 1
}
next_phase() { echo "$1" > "$S/phase"; sync; }
finish() { say "PW-GUEST-DONE"; sync; systemctl poweroff; exit 0; }

# The runtime's home: from the unit's -Dpidwatcher.home=, else the packages' /var/lib/pidwatcher.
home_dir() {
	local h
	h=$(systemctl show -p ExecStart --value pidwatcher 2>/dev/null | grep -o -- '-Dpidwatcher.home=[^ ;]*' | head -n1 | cut -d= -f2)
	echo "${h:-/var/lib/pidwatcher}"
}
# The config directory: /etc/pidwatcher (the packages' conffiles), where FileInstall looks.
ETC=/etc/pidwatcher
# The command-line client: the packages' `pidwatcher` on PATH, else the checkout's bin/pidwatcher.
pw() {
	if [ "$MODE" = deb ]; then timeout 120 pidwatcher "$@"; else timeout 120 "$ROOT/bin/pidwatcher" --home "$(home_dir)" "$@"; fi
}
# java processes of the unit: the runtime (its modules are not java)
runtime_pids() {
	local cg p
	cg=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/"$(systemctl show -p MainPID --value pidwatcher)"/cgroup 2>/dev/null)
	[ -f "$cg/cgroup.procs" ] || return 1
	for p in $(cat "$cg/cgroup.procs"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && echo "$p"
	done
}
tagged() {	# pids carrying PIDWATCHER_MODULE=$1, sorted
	local d
	for d in /proc/[0-9]*; do
		tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "PIDWATCHER_MODULE=$1" && echo "${d#/proc/}"
	done | sort -n | tr '\n' ' '
}
active() { systemctl is-active -q pidwatcher; }
module_runs() { [ -n "$(tagged $MODULE)" ]; }
runtime_log() { cat "$(home_dir)/var/log/pidwatcher.log" 2>/dev/null; journalctl -q -u pidwatcher -b 0 --no-pager 2>/dev/null; }

# --- the stand-in install, used only while `make deb` has produced nothing ----------------------
STANDIN_UNIT='# STAND-IN unit of itests/systemd-guest (no packages of `make deb` found)
[Unit]
Description=pidwatcher process watchdog (STAND-IN of the systemd guest suite)
After=local-fs.target systemd-modules-load.service
[Service]
Type=notify
NotifyAccess=main
WatchdogSec=10s
TimeoutStartSec=180s
TimeoutStopSec=15s
KillMode=process
Restart=on-failure
RestartSec=1s
WorkingDirectory=/var/lib/pidwatcher
ExecStart=/usr/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dgosh.args=--nointeractive -Dpidwatcher.home=/var/lib/pidwatcher -jar /usr/share/pidwatcher/pidwatcher.jar
[Install]
WantedBy=multi-user.target'
standin_install() {
	local ver src
	set -e
	mkdir -p /usr/share/pidwatcher /var/lib/pidwatcher "$ETC"
	cp "$ROOT/features/target/pidwatcher.jar" /usr/share/pidwatcher/
	ln -sfn "$ETC" /var/lib/pidwatcher/etc
	printf '%s\n' "$STANDIN_UNIT" > /etc/systemd/system/pidwatcher.service
	cp "$ROOT/kmod/udev/99-pidwatcher.rules" /etc/udev/rules.d/
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/kmod/dkms.conf")
	src=/usr/src/pidwatcher-$ver
	mkdir -p "$src"
	cp "$ROOT"/kmod/{Kbuild,Makefile,dkms.conf,pidwatcher.h,pw_compat.h,pw_main.c,pw_scan.c,pw_events.c} "$src/"
	dkms add -m pidwatcher -v "$ver"
	dkms install -m pidwatcher -v "$ver" -k "$(uname -r)"
	echo pidwatcher > /etc/modules-load.d/pidwatcher.conf
	systemctl daemon-reload
	systemctl enable pidwatcher
	set +e
}

case "$phase" in
1)
	say "# systemd guest, boot 1: kernel $(uname -r), install mode: $MODE"
	[ "$MODE" = standin ] && say "# STAND-IN: no pidwatcher*_all.deb under packaging/ (make deb); installing the jar, a unit and the DKMS module by hand"
	[ -n "$LOOPJAR" ] && say "# LOOP STAND-IN: this build's engine does not call LoopListener yet; the harness bundle pwguest.loopstandin calls it twice a second"
	t0=$SECONDS
	if [ "$MODE" = deb ]; then
		apt-get install -y --no-download "$DEB" "$DKMSDEB" > "$S/install.log" 2>&1
		rc=$?
		dpkg -L pidwatcher pidwatcher-dkms > "$S/files.list" 2>/dev/null
		result $rc "apt install ./pidwatcher*.deb ($((SECONDS - t0)) s)" "$(tail -n 5 "$S/install.log")"
	else
		standin_install > "$S/install.log" 2>&1
		result $? "stand-in install: jar, unit, udev rule, dkms install ($((SECONDS - t0)) s)" "$(tail -n 5 "$S/install.log")"
	fi
	mkdir -p "$ETC"
	printf 'command=/bin/sleep 86400\ninterval=1s\n' > "$ETC/pidwatcher.module-$MODULE.cfg"
	if [ -n "$LOOPJAR" ]; then
		mkdir -p "$(home_dir)/deploy"
		cp "$LOOPJAR" "$(home_dir)/deploy/"
	fi
	systemctl enable pidwatcher > /dev/null 2>&1
	next_phase 2
	systemctl reboot
	;;
2)
	say "# boot 2: $(systemd-analyze 2>/dev/null | head -n1)"
	k=$(uname -r)
	lsmod | grep -q '^pidwatcher ' && [ -c /dev/pidwatcher ] && dkms status pidwatcher | grep -q "$k.*installed"
	result $? "DKMS built and installed pidwatcher.ko for $k, loaded at boot (/dev/pidwatcher)" "$(dkms status pidwatcher)"

	wait_for 180 active
	result $? "pidwatcher.service is active (Type=notify: READY=1 arrived)" "$(systemctl status pidwatcher --no-pager 2>&1 | head -n 8)"
	status_text=$(systemctl show -p StatusText --value pidwatcher)
	echo "$status_text" | grep -qE '^[0-9]+ modules?, '
	result $? "systemd shows the runtime's STATUS= line: '$status_text'"

	out=$(pw source 2>&1)
	echo "$out" | grep -qi 'device'
	result $? "pw:source names the device reader" "$(echo "$out" | head -n 4)"

	wait_for 60 module_runs
	result $? "module $MODULE defined in $ETC runs (tagged pids: $(tagged $MODULE))"
	before=$(tagged $MODULE)

	# --- SIGSTOP: no more WATCHDOG=1, systemd restarts the runtime, the new one adopts ----------
	adoptions() { local c; c=$(grep -c 'adopted the running tree' "$(home_dir)/var/watchdog/journal.jsonl" 2>/dev/null); echo "${c:-0}"; }
	adopted_before=$(adoptions)
	wd=$(systemctl show -p WatchdogUSec --value pidwatcher)
	old=$(runtime_pids | tr '\n' ' ')
	kill -STOP $old
	t0=$SECONDS
	restarted() { local now; now=$(runtime_pids | tr '\n' ' '); [ -n "$now" ] && [ "$now" != "$old" ] && active; }
	wait_for 240 restarted
	rc=$?
	journalctl -q -u pidwatcher -b 0 --no-pager | grep -qi 'watchdog timeout'
	wdrc=$?
	result $((rc | wdrc)) "kill -STOP of the runtime: systemd's WatchdogSec ($wd) restarted it ($((SECONDS - t0)) s; runtime pid $old-> $(runtime_pids | tr '\n' ' '))" \
		"$(journalctl -q -u pidwatcher -b 0 --no-pager | grep -iE 'watchdog|Main process|Scheduled restart' | tail -n 4)"
	after=$(tagged $MODULE)
	adopted() { [ "$(adoptions)" -gt "$adopted_before" ]; }
	wait_for 60 adopted
	arc=$?
	[ -n "$before" ] && [ "$before" = "$after" ] && [ $arc = 0 ]
	result $? "the module keeps the same processes across the restart (adopted): $before -> $after"

	# --- softdog, fed by a healthy runtime --------------------------------------------------------
	modprobe softdog
	echo softdog > /etc/modules-load.d/pw-guest-softdog.conf	# the board's driver, loaded at every boot
	[ -c /dev/watchdog ]
	result $? "softdog loaded (/dev/watchdog)"
	printf 'device=/dev/watchdog\ntimeout=%ss\ncritical=%s\ngrace=2s\n' "$HW_TIMEOUT" "$MODULE" > "$ETC/pidwatcher.hwwatchdog.cfg"
	armed() { runtime_log | grep -q 'hardware watchdog: /dev/watchdog armed'; }
	wait_for 60 armed
	result $? "the runtime armed /dev/watchdog (timeout ${HW_TIMEOUT}s, critical $MODULE)" "$(runtime_log | grep -i 'hardware watchdog' | tail -n 3)"
	t0=$SECONDS
	sleep $((3 * HW_TIMEOUT))
	result 0 "a healthy runtime keeps the guest up for $((SECONDS - t0)) s with softdog's timeout at ${HW_TIMEOUT}s"

	# --- a frozen runtime: softdog resets the guest -------------------------------------------------
	next_phase 3
	date +%s > "$S/frozen_at"
	sync
	kill -STOP $(runtime_pids)
	sleep $((6 * HW_TIMEOUT))
	result 1 "a frozen runtime resets the guest within ${HW_TIMEOUT}s (still up after $((6 * HW_TIMEOUT)) s)"
	next_phase 4
	systemctl reboot
	;;
3|4)
	if [ "$phase" = 3 ]; then
		frozen=$(cat "$S/frozen_at")
		booted=$(( $(date +%s) - $(cut -d. -f1 /proc/uptime) ))
		dt=$((booted - frozen))
		# the reset comes at most HW_TIMEOUT after the last ping, which came just before the SIGSTOP
		[ "$dt" -le $((HW_TIMEOUT + 10)) ]
		result $? "the frozen runtime's guest was reset by softdog ${dt} s after the SIGSTOP (timeout ${HW_TIMEOUT}s)"
		wait_for 180 active
		reported() { runtime_log | grep -q 'the machine restarted while the hardware watchdog was armed'; }
		wait_for 60 reported
		result $? "after the boot the runtime reports the reset's cause" "$(runtime_log | grep 'the machine restarted while' | tail -n 1)"
		[ -f "$(home_dir)/var/hwwatchdog/last-reset.properties" ]
		result $? "the cause is kept in var/hwwatchdog/last-reset.properties (pw:hwwatchdog)"
	fi
	# --- a device already held: systemd's RuntimeWatchdogSec= owns /dev/watchdog ---------------
	closes() { runtime_log | grep -c 'closed with the magic character'; }
	closes_before=$(closes)
	rm -f "$ETC/pidwatcher.hwwatchdog.cfg"
	disarmed() { [ "$(closes)" -gt "$closes_before" ]; }
	wait_for 30 disarmed
	mkdir -p /etc/systemd/system.conf.d
	printf '[Manager]\nRuntimeWatchdogSec=60s\n' > /etc/systemd/system.conf.d/pw-guest-watchdog.conf
	systemctl daemon-reexec
	printf 'device=/dev/watchdog\ntimeout=%ss\n' "$HW_TIMEOUT" > "$ETC/pidwatcher.hwwatchdog.cfg"
	held() { runtime_log | grep -q '/dev/watchdog is already held by another owner'; }
	wait_for 60 held
	rc=$?
	active
	result $((rc | $?)) "a device held by systemd (RuntimeWatchdogSec=) gets a clear message and the runtime goes on" \
		"$(runtime_log | grep 'already held' | tail -n 1)"
	rm -f "$ETC/pidwatcher.hwwatchdog.cfg" /etc/systemd/system.conf.d/pw-guest-watchdog.conf
	systemctl daemon-reexec
	if [ "$MODE" = deb ]; then
		timeout 300 apt-get purge -y pidwatcher pidwatcher-dkms > "$S/purge.log" 2>&1
		rc=$?
		left=$( { while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done < "$S/files.list"
			ls -d /etc/pidwatcher /var/lib/pidwatcher /var/log/pidwatcher /usr/share/pidwatcher /usr/src/pidwatcher-* \
				/var/lib/dkms/pidwatcher /lib/modules/*/updates/dkms/pidwatcher.ko* 2>/dev/null; } | head -n 20)
		[ $rc = 0 ] && [ -z "$left" ]
		result $? "apt purge leaves no file of the packages" "$left" "$(tail -n 3 "$S/purge.log")"
	else
		result 0 "purge # SKIP no packages of make deb in this build (stand-in install)"
	fi
	finish
	;;
*)
	finish
	;;
esac
