#!/bin/bash
# System packages the systemd guest suite needs beyond kmod/scripts/deps.sh (QEMU, busybox, the
# Debian kernels and headers, dkms): mkfs.ext4 for the guest's disk, unzip to look into the
# runtime jar. The guest's own root is the host's, so systemd (Debian's init) must be installed,
# as it is on Debian 12. Idempotent; run as root (make deps calls it).
set -euo pipefail
need=()
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v unzip >/dev/null || need+=(unzip)
[ -x /lib/systemd/systemd ] || need+=(systemd)
command -v dkms >/dev/null || need+=(dkms)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need[@]}"
fi
