#!/bin/sh
# fetch-testdata.sh fetches the test inputs that are too big for the
# repository into testdata/cache/ (git-ignored):
#
#   testdata/cache/modules/<release>/<name>.ko
#
# a few kernel modules of Debian 12's linux-image-6.1.0-53-cloud-amd64,
# whose .BTF is split BTF over testdata/kernels/6.1.0-53-cloud-amd64.btf.xz.
# The btf package's tests dump them and compare with bpftool.
#
# It is idempotent: when every module is present it does nothing and exits 0.
# It needs apt-get (with Debian 12's security archive in its sources),
# dpkg-deb, tar and, for compressed modules, xz or zstd.
set -eu

release=6.1.0-53-cloud-amd64
# Paths of the modules inside the package, below lib/modules/<release>/.
# tcp_bbr is small, nf_conntrack has bitfields and many enums, kvm is large.
modules="
kernel/net/ipv4/tcp_bbr.ko
kernel/net/netfilter/nf_conntrack.ko
kernel/arch/x86/kvm/kvm.ko
"

root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/testdata/cache
out=$cache/modules/$release

missing=
for m in $modules; do
	[ -f "$out/$(basename "$m")" ] || missing="$missing $m"
done
if [ -z "$missing" ]; then
	exit 0
fi

mkdir -p "$cache" "$out"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

pkg=linux-image-$release
deb=$(ls "$cache"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "fetch-testdata: downloading $pkg" >&2
	# apt-get download writes into the current directory. As root it warns
	# that _apt cannot write there; the download still works.
	(cd "$work" && apt-get download -q "$pkg")
	deb=$(ls "$work"/"${pkg}"_*.deb | head -n 1)
	mv "$deb" "$cache/"
	deb=$cache/$(basename "$deb")
fi

# Extract each missing module, accepting an .xz or .zst compressed one.
for m in $missing; do
	name=$(basename "$m")
	found=
	for suffix in "" .xz .zst; do
		path=./lib/modules/$release/$m$suffix
		if dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "$path" 2>/dev/null; then
			found=$work/$path
			break
		fi
	done
	if [ -z "$found" ]; then
		echo "fetch-testdata: $m not found in $deb" >&2
		exit 1
	fi
	case $found in
	*.xz) xz -dc "$found" >"$work/$name" ;;
	*.zst) zstd -qdc "$found" >"$work/$name" ;;
	*) mv "$found" "$work/$name" ;;
	esac
	# Never leave half a file: rename into place.
	mv "$work/$name" "$out/$name"
	echo "fetch-testdata: $out/$name" >&2
done
