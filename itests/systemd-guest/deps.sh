#!/bin/bash
# System packages the systemd guest suite needs beyond kmod/scripts/deps.sh (QEMU, busybox, the
# Debian kernels and headers, dkms): mkfs.ext4 for the guest's disk, dpkg-deb for the packages.
# The guest's own root is the host's, so systemd (Debian's init) must be installed,
# as it is on Debian 12. Idempotent; run as root (make deps calls it through kmod/scripts/deps.sh).
set -euo pipefail
need=()
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v dpkg-deb >/dev/null || need+=(dpkg)
[ -x /lib/systemd/systemd ] || need+=(systemd)
command -v dkms >/dev/null || need+=(dkms)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need[@]}"
fi
