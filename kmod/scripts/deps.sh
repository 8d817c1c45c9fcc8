#!/bin/bash
# Install everything `make check` needs: bookworm's 6.1 kernel image+headers,
# the newest 6.12 image+headers from bookworm-backports, qemu, busybox, dkms.
# Idempotent and non-interactive.  Records the chosen 6.12 version in
# kmod/build/kernels.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")/.." && pwd)
bp=/etc/apt/sources.list.d/backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$bp"
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	qemu-system-x86 busybox-static cpio kmod xz-utils gcc make libc6-dev \
	linux-image-amd64 linux-headers-amd64 dwarves dkms libcap2-bin \
	procps bash coreutils util-linux bc >/dev/null
# Newest 6.12 generic amd64 image in backports, chosen at run time.
v612=$(apt-cache search --names-only '^linux-image-6\.12\..*-amd64$' |
	awk '{print $1}' | grep -v -- '-rt-amd64\|-cloud-amd64\|-dbg' |
	sed 's/^linux-image-//' | sort -V | tail -n1)
if [ -z "$v612" ]; then
	echo "deps: no linux-image-6.12.*-amd64 found in bookworm-backports" >&2
	exit 1
fi
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
	"linux-image-$v612" "linux-headers-$v612" >/dev/null
v61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 | sed 's,.*/linux-headers-,,' | sort -V | tail -n1)
mkdir -p "$here/build"
printf '%s\n%s\n' "$v61" "$v612" > "$here/build/kernels"
echo "deps: kernels $v61 $v612"
# the systemd guest suite's few extras (e2fsprogs, systemd, dkms)
bash "$here/../itests/systemd-guest/deps.sh"
