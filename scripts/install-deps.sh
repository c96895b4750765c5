#!/usr/bin/env bash
# install-deps.sh GROUP... - make sure the Debian packages of each GROUP are installed.
#
# GROUP is a list in scripts/deps/GROUP.list (build, check, pseries, ...). As root the
# missing ones are installed with apt-get (one 'apt-get update' first); as anyone else
# the script names them and exits 1. An installed machine costs one dpkg-query.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- build

want=()
for group in "$@"; do
	list="$here/deps/$group.list"
	[ -f "$list" ] || { echo "install-deps: no package list $list" >&2; exit 2; }
	while read -r name _; do
		case "$name" in ''|'#'*) continue ;; esac
		want+=("$name")
	done < "$list"
done

missing=()
for pkg in "${want[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -q -y --no-install-recommends)
if ! apt-get "${apt_opts[@]}" install "${missing[@]}" >/tmp/tlb-apt.log 2>&1; then
	apt-get -o DPkg::Lock::Timeout=600 -q update >>/tmp/tlb-apt.log 2>&1 || true
	if ! apt-get "${apt_opts[@]}" install "${missing[@]}" >>/tmp/tlb-apt.log 2>&1; then
		tail -20 /tmp/tlb-apt.log >&2
		echo "install-deps: apt-get install failed (log: /tmp/tlb-apt.log)" >&2
		exit 1
	fi
fi
