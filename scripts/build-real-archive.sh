#!/bin/sh
# build-real-archive.sh builds testdata/cache/archive-real (git-ignored), a
# btfhub archive of the Debian kernel debug packages in testdata/cache/debs
# (scripts/fetch-debs.sh), with `btfhub archive add`. The minimize bundle
# test and the pack benchmarks read it.
#
# It is idempotent: archive add skips packages whose BTF is already there.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
set -- testdata/cache/debs/linux-image-*-dbg_*.deb
if [ ! -e "$1" ]; then
	echo "build-real-archive: no packages in testdata/cache/debs (run scripts/fetch-debs.sh)" >&2
	exit 1
fi
mkdir -p bin
go build -o bin/btfhub ./cmd/btfhub
bin/btfhub archive add testdata/cache/archive-real --distro debian --version 12 --arch x86_64 "$@"
