#!/bin/sh
# fetch-dbg.sh prepares the DWARF inputs of the fromdwarf benchmarks and
# equivalence tests in benchmarks/data/ (git-ignored):
#
#   benchmarks/data/vmlinux-6.1.0-53-cloud-amd64        DWARF vmlinux (with .BTF)
#   benchmarks/data/modules-6.1.0-53-cloud-amd64/*.ko    a few modules' DWARF
#
# It takes them from Debian's linux-image-6.1.0-53-cloud-amd64-dbg (about
# 282 MB). A package already in testdata/cache/debs/ (scripts/fetch-debs.sh)
# is reused; otherwise `apt-get download` fetches it into benchmarks/data/.
# Only the listed files are extracted (dpkg-deb --fsys-tarfile | tar -x).
#
# It is idempotent: files already present are left alone, and everything is
# extracted into a temporary directory and renamed into place, so an
# interrupted run never leaves half a file. It needs apt-get, dpkg-deb, tar.
set -eu

release=${RELEASE:-6.1.0-53-cloud-amd64}
modules=${MODULES:-"net/ipv4/tcp_bbr.ko net/netfilter/nf_conntrack.ko"}

root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/benchmarks/data
mkdir -p "$data"

vmlinux=$data/vmlinux-$release
moddir=$data/modules-$release

need=0
[ -f "$vmlinux" ] || need=1
for m in $modules; do
	[ -f "$moddir/$(basename "$m")" ] || need=1
done
if [ "$need" = 0 ]; then
	exit 0
fi

pkg=linux-image-$release-dbg
deb=$(ls "$root/testdata/cache/debs/${pkg}"_*.deb "$data/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	dl=$(mktemp -d "$data/dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT INT TERM
	start=$(date +%s)
	(cd "$dl" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
	got=$(ls "$dl/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$got" ]; then
		echo "fetch-dbg: downloading $pkg failed" >&2
		exit 1
	fi
	mv "$got" "$data/"
	deb=$data/$(basename "$got")
	echo "fetch-dbg: $pkg downloaded in $(($(date +%s) - start)) s" >&2
fi

tmp=$(mktemp -d "$data/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
paths=./usr/lib/debug/boot/vmlinux-$release
for m in $modules; do
	paths="$paths ./usr/lib/debug/lib/modules/$release/kernel/$m"
done
# shellcheck disable=SC2086
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" $paths

if [ ! -f "$vmlinux" ]; then
	mv "$tmp/usr/lib/debug/boot/vmlinux-$release" "$vmlinux"
	echo "fetch-dbg: $vmlinux" >&2
fi
mkdir -p "$moddir"
for m in $modules; do
	dst=$moddir/$(basename "$m")
	if [ ! -f "$dst" ]; then
		mv "$tmp/usr/lib/debug/lib/modules/$release/kernel/$m" "$dst"
		echo "fetch-dbg: $dst" >&2
	fi
done
