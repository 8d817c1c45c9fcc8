#!/bin/bash
# Runs inside the systemd guest (run.sh), as pw-guest.service, once per boot. The state lives in
# /var/lib/pw-guest on the overlay's upper layer (the disk), so it survives the reboots:
#   boot 1: apt install of the two packages (built by run.sh with packaging/build-deb), reboot;
#   boot 2: DKMS and the module, pidwatcher.service active, pw:source, a module from /etc/pidwatcher,
#           SIGSTOP of the runtime -> WatchdogSec restart with the module adopted, an upgrade to a
#           later package (configuration kept, the module adopted), softdog fed by a
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
# softdog's timeout, seconds: the runtime takes its loop for hung after half of it, and a TCG guest
# on a loaded host stalls for seconds at a time
HW_TIMEOUT=15

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
# The command-line client: the package's `pidwatcher` on PATH.
pw() { timeout 120 pidwatcher "$@"; }
# java processes of the unit: the runtime (its modules are not java)
runtime_pids() {
	local cg p
	cg=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/"$(systemctl show -p MainPID --value pidwatcher)"/cgroup 2>/dev/null)
	[ -f "$cg/cgroup.procs" ] || return 1
	for p in $(cat "$cg/cgroup.procs"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && echo "$p"
	done
}
tagged() {	# pids carrying PIDWATCHER_MODULE=$1, sorted (one grep: a fork per process costs seconds under TCG)
	grep -lxzs -- "PIDWATCHER_MODULE=$1" /proc/[0-9]*/environ | cut -d/ -f3 | sort -n | tr '\n' ' '
}
active() { systemctl is-active -q pidwatcher; }
module_runs() { [ -n "$(tagged $MODULE)" ]; }
runtime_log() { cat "$(home_dir)/var/log/pidwatcher.log" 2>/dev/null; journalctl -q -u pidwatcher -b 0 --no-pager 2>/dev/null; }

# How long this boot has taken so far, from the kernel's start (the boot's own wall time).
boot_time() { cut -d. -f1 /proc/uptime; }

case "$phase" in
1)
	say "# systemd guest, boot 1: kernel $(uname -r), $(basename "$DEB") $(basename "$DKMSDEB")"
	# The guest's root is the host's, which has the headers of every kernel the kmod suites test;
	# this guest is a machine with its running kernel's headers only, so the postinst's DKMS build
	# is the one for this kernel (each build under TCG costs minutes). The links go in the
	# overlay only (whiteouts on the guest's disk).
	for b in /lib/modules/*/build; do
		k=$(basename "$(dirname "$b")")
		[ "$k" = "$(uname -r)" ] || { rm -f "$b" "/lib/modules/$k/source"; say "# headers of $k hidden in the guest"; }
	done
	# The host is a container whose policy-rc.d forbids starting services ("exit 101"); a real
	# machine has none, and the postinst's start is part of what is tested.
	if [ -e /usr/sbin/policy-rc.d ]; then
		rm -f /usr/sbin/policy-rc.d
		say "# the host's /usr/sbin/policy-rc.d removed in the guest"
	fi
	t0=$SECONDS
	# its lines on the console as they come, with the second they came at (where the time goes)
	apt-get install -y "$DEB" "$DKMSDEB" 2>&1 | tee "$S/install.log" | while IFS= read -r l; do say "# [$((SECONDS - t0)) s] $l"; done
	rc=${PIPESTATUS[0]}
	dpkg -L pidwatcher pidwatcher-dkms > "$S/files.list" 2>/dev/null
	result $rc "apt install ./pidwatcher*.deb ./pidwatcher-dkms*.deb ($((SECONDS - t0)) s, DKMS build in the postinst included)" "$(grep -E 'pidwatcher-dkms:|E:' "$S/install.log" | tail -n 6)"
	mkdir -p "$ETC"
	printf 'command=/bin/sleep 86400\ninterval=1s\n' > "$ETC/pidwatcher.module-$MODULE.cfg"
	systemctl is-enabled -q pidwatcher && systemctl is-active -q pidwatcher
	result $? "the package enabled and started pidwatcher.service (READY=1 within the postinst's start)" "$(systemctl status pidwatcher --no-pager 2>&1 | head -n 5)"
	say "# boot 1 took $(boot_time) s"
	next_phase 2
	systemctl reboot
	;;
2)
	say "# boot 2: $(systemd-analyze 2>/dev/null | head -n1)"
	k=$(uname -r)
	lsmod | grep -q '^pidwatcher ' && [ -c /dev/pidwatcher ] && dkms status pidwatcher | grep -q "$k.*installed"
	result $? "DKMS built and installed pidwatcher.ko for $k, loaded at boot (/dev/pidwatcher)" "$(dkms status pidwatcher)"

	unit=$(systemctl show -p Type,NotifyAccess,WatchdogUSec,FragmentPath pidwatcher | tr '\n' ' ')
	case "$unit" in *Type=notify*NotifyAccess=main*WatchdogUSec=30s*FragmentPath=/lib/systemd/system/pidwatcher.service*) rc=0 ;; *) rc=1 ;; esac
	result $rc "the package's unit: $unit"
	wait_for 180 active
	result $? "pidwatcher.service is active (Type=notify: READY=1 arrived $(( ($(systemctl show -p ActiveEnterTimestampMonotonic --value pidwatcher) - $(systemctl show -p ExecMainStartTimestampMonotonic --value pidwatcher)) / 1000000 )) s after the runtime started)" "$(systemctl status pidwatcher --no-pager 2>&1 | head -n 8)"
	status_text=$(systemctl show -p StatusText --value pidwatcher)
	echo "$status_text" | grep -qE '^[0-9]+ modules?, '
	result $? "systemd shows the runtime's STATUS= line: '$status_text'"

	out=$(pw source 2>&1)
	echo "$out" | grep -qi 'device'
	result $? "pw:source names the device reader" "$(echo "$out" | head -n 4)"

	wait_for 60 module_runs
	result $? "module $MODULE defined in $ETC runs (tagged pids: $(tagged $MODULE))"
	before=$(tagged $MODULE)

	# --- WATCHDOG=1 keeps coming: a whole WatchdogSec= after READY=1, no watchdog timeout --------
	wd=$(systemctl show -p WatchdogUSec --value pidwatcher)
	wd_s=$(( $(systemctl show -p WatchdogUSec --value pidwatcher | tr -dc 0-9) ))	# "30s" -> 30
	since_ready() { echo $(( ($(cut -d' ' -f1 /proc/uptime | tr -d .)0000 - $(systemctl show -p ActiveEnterTimestampMonotonic --value pidwatcher)) / 1000000 )); }
	fed() { [ "$(since_ready)" -gt $((wd_s + 5)) ]; }
	wait_for $((wd_s + 60)) fed
	timeouts=$(journalctl -q -u pidwatcher -b 0 --no-pager | grep -ci 'watchdog timeout')
	[ "$timeouts" = 0 ] && [ "$(systemctl show -p NRestarts --value pidwatcher)" = 0 ] && active
	result $? "WATCHDOG=1 from the loop keeps systemd's watchdog ($wd) fed: active $(since_ready) s since READY=1, no watchdog timeout, no restart"

	# --- SIGSTOP: no more WATCHDOG=1, systemd restarts the runtime, the new one adopts ----------
	adoptions() { local c; c=$(grep -c 'adopted the running tree' "$(home_dir)/var/watchdog/journal.jsonl" 2>/dev/null); echo "${c:-0}"; }
	adopted_before=$(adoptions)
	wd_timeouts() { journalctl -q -u pidwatcher -b 0 --no-pager | grep -ci 'watchdog timeout'; }
	timeouts_before=$(wd_timeouts)
	old=$(runtime_pids | tr '\n' ' ')
	kill -STOP $old
	t0=$SECONDS
	restarted() { local now; now=$(runtime_pids | tr '\n' ' '); [ -n "$now" ] && [ "$now" != "$old" ] && active; }
	wait_for 240 restarted
	rc=$?
	# this SIGSTOP's own timeout, not an earlier one
	[ "$(wd_timeouts)" -gt "$timeouts_before" ]
	wdrc=$?
	result $((rc | wdrc)) "kill -STOP of the runtime: systemd's WatchdogSec ($wd) restarted it ($((SECONDS - t0)) s; runtime pid $old-> $(runtime_pids | tr '\n' ' '))" \
		"$(journalctl -q -u pidwatcher -b 0 --no-pager | grep -iE 'watchdog|Main process|Scheduled restart' | tail -n 4)"
	after=$(tagged $MODULE)
	adopted() { [ "$(adoptions)" -gt "$adopted_before" ]; }
	wait_for 60 adopted
	arc=$?
	[ -n "$before" ] && [ "$before" = "$after" ] && [ $arc = 0 ]
	result $? "the module keeps the same processes across the restart (adopted): $before -> $after"

	# --- an upgrade: a later pidwatcher package over the running service ----------------------------
	# The postinst restarts the service; its SIGTERM leaves the module running for the new runtime.
	# An administrator's edit of a conffile stays (dpkg keeps it: the package's copy did not change).
	echo "# an administrator's line, kept across upgrades (systemd guest)" >> /etc/default/pidwatcher
	before=$(tagged $MODULE)
	old=$(runtime_pids | tr '\n' ' ')
	adopted_before=$(adoptions)
	t0=$SECONDS
	apt-get install -y --no-install-recommends "$UPDEB" > "$S/upgrade.log" 2>&1
	rc=$?
	dpkg -L pidwatcher >> "$S/files.list" 2>/dev/null	# the purge check covers the upgrade's files too
	wait_for 180 active
	version=$(dpkg-query -W -f '${Version}' pidwatcher 2>/dev/null)
	now=$(runtime_pids | tr '\n' ' ')
	[ $rc = 0 ] && [ "$version" = "$UPVERSION" ] && active && [ -n "$now" ] && [ "$now" != "$old" ]
	result $? "apt install of pidwatcher $version over the running service restarted it ($((SECONDS - t0)) s; runtime pid $old-> $now)" \
		"$(grep -vE 'Reading database|^\(' "$S/upgrade.log" | tail -n 6)"
	grep -q "an administrator's line" /etc/default/pidwatcher && [ -f "$ETC/pidwatcher.module-$MODULE.cfg" ]
	result $? "the upgrade kept the configuration (/etc/default/pidwatcher as edited, $ETC/pidwatcher.module-$MODULE.cfg)"
	wait_for 60 adopted
	arc=$?
	after=$(tagged $MODULE)
	[ -n "$before" ] && [ "$before" = "$after" ] && [ $arc = 0 ]
	result $? "the upgraded runtime adopted $MODULE with the same processes: $before -> $after"

	# --- softdog, fed by a healthy runtime --------------------------------------------------------
	modprobe softdog
	echo softdog > /etc/modules-load.d/pw-guest-softdog.conf	# the board's driver, loaded at every boot
	[ -c /dev/watchdog ]
	result $? "softdog loaded (/dev/watchdog)"
	armings() { runtime_log | grep -c 'hardware watchdog: /dev/watchdog armed'; }
	armed_before=$(armings)
	armed() { [ "$(armings)" -gt "$armed_before" ]; }
	printf 'device=/dev/watchdog\ntimeout=%ss\ncritical=%s\ngrace=2s\n' "$HW_TIMEOUT" "$MODULE" > "$ETC/pidwatcher.hwwatchdog.cfg"
	wait_for 60 armed
	result $? "the runtime armed /dev/watchdog (timeout ${HW_TIMEOUT}s, critical $MODULE)" "$(runtime_log | grep -i 'hardware watchdog' | tail -n 3)"
	# A reset meanwhile boots into phase "healthy-reset", which fails this check.
	next_phase healthy-reset
	t0=$SECONDS
	sleep 30
	active && module_runs
	result $? "a healthy runtime keeps the guest up for $((SECONDS - t0)) s with softdog's timeout at ${HW_TIMEOUT}s"

	# --- a frozen runtime: softdog resets the guest -------------------------------------------------
	say "# boot 2 took $(boot_time) s up to the freeze"
	next_phase 3
	date +%s > "$S/frozen_at"
	sync
	# run.sh times the reset from this line to the kernel's "softdog: Initiating system reboot"
	say "# froze the runtime at uptime $(cut -d' ' -f1 /proc/uptime) (softdog timeout $HW_TIMEOUT s)"
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
		# Whether softdog did it, and within its timeout, run.sh reads from the console (the
		# kernel's own line, timestamped, never reaches this boot's journal); this is the wall time.
		say "# this boot began ${dt} s after the SIGSTOP (reset, firmware and kernel start)"
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
	timeout 300 apt-get purge -y pidwatcher pidwatcher-dkms > "$S/purge.log" 2>&1
	rc=$?
	# The module file this suite wrote into /etc/pidwatcher is the administrator's, not the
	# packages': dpkg leaves it (and says so), as Debian policy wants. Anything else is left over.
	mine=$ETC/pidwatcher.module-$MODULE.cfg
	left=$( { while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done < "$S/files.list"
		find /etc/pidwatcher ! -type d ! -path "$mine" 2>/dev/null
		ls -d /var/lib/pidwatcher /var/log/pidwatcher /usr/share/pidwatcher /usr/src/pidwatcher-* \
			/var/lib/dkms/pidwatcher /lib/modules/*/updates/dkms/pidwatcher.ko* 2>/dev/null; } | head -n 20)
	[ $rc = 0 ] && [ -z "$left" ]
	result $? "apt purge leaves no file of the packages (left by design: $(ls "$mine" 2>/dev/null), which this suite wrote)" \
		"$left" "$(grep -v 'Reading database' "$S/purge.log" | tail -n 4)"
	say "# boot 3 took $(boot_time) s"
	finish
	;;
healthy-reset)
	result 1 "a healthy runtime keeps the guest up for 30 s with softdog's timeout at ${HW_TIMEOUT}s: softdog reset it" \
		"$(journalctl -q -b -1 -u pidwatcher --no-pager 2>/dev/null | tail -n 5)"
	finish
	;;
*)
	finish
	;;
esac
