#!/bin/sh
# bench-sync.sh compares `btfhub archive sync` from a loopback APT
# repository with `btfhub archive add` of the same package files, in the
# same run: wall time, CPU time and peak RSS of each, ROUNDS times
# (default 3), interleaved, each into an empty tree.
#
#   scripts/bench-sync.sh                          # 3 Debian 12 cloud kernels
#   RELEASES="6.1.0-53-amd64" ROUNDS=5 scripts/bench-sync.sh
#   SERVE_ONLY=1 scripts/bench-sync.sh             # print the two commands, serve until killed
#
# The repository is made by Debian's own tools from the pinned packages
# in testdata/cache/debs (scripts/fetch-debs.sh): apt-ftparchive (package
# apt-utils) writes Packages and Release, and python3's http.server
# serves them on 127.0.0.1. The sync runs with --no-verify, since the
# repository is not signed; checking a signature takes microseconds.
# Both commands run with --jobs 2. It needs GNU time (/usr/bin/time).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
releases=${RELEASES:-"6.1.0-53-cloud-amd64 6.1.0-54-cloud-amd64 6.1.0-55-cloud-amd64"}
rounds=${ROUNDS:-3}
port=${PORT:-18631}
btfhub=${BTFHUB:-}
if [ -z "$btfhub" ]; then
	btfhub=$root/bin/btfhub
	(cd "$root" && go build -o "$btfhub" ./cmd/btfhub)
fi
command -v apt-ftparchive >/dev/null || {
	echo "bench-sync: apt-ftparchive not found (apt-get install apt-utils)" >&2
	exit 1
}

work=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

repo=$work/repo
mkdir -p "$repo/pool" "$repo/dists/bench/main/binary-amd64"
debs=
for r in $releases; do
	deb=$(ls "$root"/testdata/cache/debs/linux-image-"$r"-dbg_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		"$root/scripts/fetch-debs.sh" "$r"
		deb=$(ls "$root"/testdata/cache/debs/linux-image-"$r"-dbg_*.deb | head -n 1)
	fi
	ln -s "$deb" "$repo/pool/"
	debs="$debs $deb"
done
(
	cd "$repo"
	apt-ftparchive packages pool >dists/bench/main/binary-amd64/Packages
	apt-ftparchive -o APT::FTPArchive::Release::Origin=Debian -o APT::FTPArchive::Release::Version=12 \
		-o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
		release dists/bench >dists/bench/Release
)
python3 -m http.server --bind 127.0.0.1 --directory "$repo" "$port" >/dev/null 2>&1 &
server=$!
i=0
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/dists/bench/Release')" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || {
		echo "bench-sync: the server did not start" >&2
		exit 1
	}
	sleep 0.1
done

sync_cmd="$btfhub archive sync $work/tree-sync --apt http://127.0.0.1:$port --suite bench --arch amd64 --no-verify --jobs 2 -q"
add_cmd="$btfhub archive add $work/tree-add --distro debian --version 12 --arch amd64 --jobs 2 -q$debs"
if [ -n "${SERVE_ONLY:-}" ]; then
	echo "$sync_cmd"
	echo "$add_cmd"
	wait "$server"
	exit 0
fi

measure() { # NAME CMD...
	name=$1
	shift
	rm -rf "$work/tree-sync" "$work/tree-add"
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
		cat "$work/err" >&2
		exit 1
	}
	read -r wall user sys rss <"$work/time"
	cpu=$(awk "BEGIN { print $user + $sys }")
	printf '%-24s %8.2f s wall %8.2f s CPU %6d MB peak RSS\n' "$name" "$wall" "$cpu" "$((rss / 1024))"
}

echo "$(echo "$releases" | wc -w) packages, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
while [ "$n" -lt "$rounds" ]; do
	# shellcheck disable=SC2086
	measure "archive sync (loopback)" $sync_cmd
	# shellcheck disable=SC2086
	measure "archive add (files)" $add_cmd
	n=$((n + 1))
done
