# sourced: sets K61 and K612, the kernel versions `make check` tests.
# Prefers kmod/build/kernels (written by deps.sh), else the newest installed.
_kfile=$(dirname "${BASH_SOURCE[0]}")/../build/kernels
pick() { ls -d /usr/src/linux-headers-$1.*-amd64 2>/dev/null | grep -v -- '-rt-amd64\|-cloud-amd64' |
	sed 's,.*/linux-headers-,,' | sort -V | tail -n1; }
K61=$(sed -n 1p "$_kfile" 2>/dev/null); K612=$(sed -n 2p "$_kfile" 2>/dev/null)
[ -n "$K61" ] && [ -d "/lib/modules/$K61/build" ] || K61=$(pick 6.1)
[ -n "$K612" ] && [ -d "/lib/modules/$K612/build" ] || K612=$(pick 6.12)
