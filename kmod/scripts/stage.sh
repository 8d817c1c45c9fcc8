# sourced by check.sh and bench.sh: the guest mounts a tmpfs over /tmp, so a
# checkout under /tmp (as a CI clone may be) is invisible to it.  Re-run the
# calling script from a copy under /var/tmp in that case.
_kmod=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$_kmod" in
/tmp/*)
	_stage=/var/tmp/pidwatcher-kmod-stage
	rm -rf "$_stage"
	mkdir -p "$_stage"
	cp -a "$_kmod" "$_stage/kmod"
	echo "# kmod/ is under /tmp, hidden in the guest: running from $_stage/kmod"
	exec bash "$_stage/kmod/scripts/$(basename "$0")" "$@"
	;;
esac
