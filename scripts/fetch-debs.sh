#!/bin/sh
# fetch-debs.sh downloads Debian 12's kernel debug packages
# (linux-image-<release>-dbg, several hundred MB each) into
# testdata/cache/debs/ (git-ignored), for the archive tests and benchmarks
# that build a real btfhub archive straight from the .deb files.
#
#   scripts/fetch-debs.sh                  # every 6.1 amd64, cloud and rt build apt knows
#   scripts/fetch-debs.sh 6.1.0-53-cloud-amd64 ...   # only these releases
#   DEBS_MAX=3 scripts/fetch-debs.sh       # at most 3 packages
#
# It is idempotent: a package already in the cache is not downloaded again,
# and a download goes to a temporary directory and is moved into place only
# once complete, so an interrupted run leaves no partial .deb. It prints
# the time each download took. It needs apt-get with Debian 12's archives
# (including bookworm-security) in its sources.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/testdata/cache/debs
mkdir -p "$cache"

if [ "$#" -gt 0 ]; then
	releases=$*
else
	releases=$(apt-cache search --names-only '^linux-image-6\.1\.[0-9]+-[0-9]+-(amd64|cloud-amd64|rt-amd64)-dbg$' |
		sed -n 's/^linux-image-\(.*\)-dbg .*/\1/p' | sort -V)
fi
max=${DEBS_MAX:-0}

work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

n=0
for r in $releases; do
	if [ "$max" -gt 0 ] && [ "$n" -ge "$max" ]; then
		break
	fi
	n=$((n + 1))
	pkg=linux-image-$r-dbg
	if ls "$cache/${pkg}"_*.deb >/dev/null 2>&1; then
		continue
	fi
	start=$(date +%s)
	# apt-get download writes into the current directory. As root it warns
	# that _apt cannot write there; the download still works.
	(cd "$work" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
	deb=$(ls "$work/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		echo "fetch-debs: downloading $pkg failed" >&2
		exit 1
	fi
	size=$(stat -c %s "$deb")
	mv "$deb" "$cache/"
	end=$(date +%s)
	echo "fetch-debs: $pkg: $size bytes in $((end - start)) s" >&2
done
