#!/bin/sh
# Install the Debian packages the build and tests need, when missing.
# As root: apt-get installs them.  Otherwise: print the one line to run and
# fail, so nothing is assumed to be installed by hand.
set -eu
want="cmake make gcc g++ binutils pkg-config libcmocka-dev check libjemalloc-dev uthash-dev libjansson-dev parallel"
case "${1:-}" in
--fuzz|--asan) want="$want clang libclang-rt-14-dev" ;;
esac
missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi
echo "deps: missing Debian packages. Run, as root:" >&2
echo "  apt-get install -y$missing" >&2
exit 1
