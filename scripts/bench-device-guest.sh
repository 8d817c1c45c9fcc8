#!/bin/bash
# Runs inside the QEMU guest (see scripts/bench-device): 1,000 tagged processes, then the Java
# device reader's and /proc reader's scans, then exit-detection latency by device poll, pidfd and
# a plain 1 s /proc poll. Result lines start with "BENCH ".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
pwtest=$root/itests/device-e2e/target/pwtest
m2=/root/.m2/repository
cp_common=$root/bundles/pidwatcher.api/target/classes:$m2/net/java/dev/jna/jna/5.19.1/jna-5.19.1.jar:$m2/org/osgi/org.osgi.service.log/1.5.0/org.osgi.service.log-1.5.0.jar
cp_device=$root/bundles/pidwatcher.reader.device/target/classes:$root/bundles/pidwatcher.reader.device/target/test-classes:$cp_common
cp_procfs=$root/bundles/pidwatcher.reader.procfs/target/classes:$root/bundles/pidwatcher.reader.procfs/target/test-classes:$cp_common
java="java -XX:+UseSerialGC -Xshare:auto"
kills=${PW_BENCH_KILLS:-20}

# 1,000 tagged tasks: 4 x $kills victims (one set per latency run... three are used), the rest "bench".
victims=$((3 * kills))
for i in $(seq $((1000 - victims))); do PIDWATCHER_MODULE=bench "$pwtest" sleep 3600 & done
for i in $(seq $kills); do PIDWATCHER_MODULE=victim-dev "$pwtest" sleep 3600 & done
for i in $(seq $kills); do PIDWATCHER_MODULE=victim-pidfd "$pwtest" sleep 3600 & done
for i in $(seq $kills); do PIDWATCHER_MODULE=victim-poll "$pwtest" sleep 3600 & done
sleep 2
echo "BENCH guest: kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), $(ls -d /proc/[0-9]* | wc -l) processes in all"

$java -cp "$cp_device" io.pidwatcher.reader.device.internal.DeviceBench scan 21
$java -cp "$cp_procfs" io.pidwatcher.reader.procfs.internal.ProcfsBench scan 21
$java -cp "$cp_device" io.pidwatcher.reader.device.internal.DeviceBench latency $kills victim-dev
$java -cp "$cp_procfs" io.pidwatcher.reader.procfs.internal.ProcfsBench pidfd $kills victim-pidfd
$java -cp "$cp_procfs" io.pidwatcher.reader.procfs.internal.ProcfsBench poll1s $kills victim-poll
exit 0
