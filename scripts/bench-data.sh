#!/bin/sh
# bench-data.sh prepares the inputs of the benchmarks in benchmarks/data/
# (git-ignored):
#
#   benchmarks/data/6.1.0-53-cloud-amd64.btf            vmlinux BTF, 95,057 types
#   benchmarks/data/6.1.0-53-cloud-amd64.prededup.btf   the same before dedup, 3.4M types
#   benchmarks/data/6.1.0-53-cloud-amd64.libbpf-1.1.btf libbpf 1.1's dedup of it
#
# Each is the decompressed copy of an xz file in testdata/, checked against
# the sha256 that /work/shared/data/README.md gives for it. The benchmarks
# read these files directly, so that no run pays for xz decompression.
#
# It is idempotent: a file that is present with the right checksum is left
# alone, and a run with every file present does nothing and exits 0. A file
# is written to a temporary name and renamed into place, so an interrupted
# run never leaves half a file. It needs xz and sha256sum.
#
# Benchmarks that need more (kernel DWARF from Debian's packages, ...) add a
# step below.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/benchmarks/data
mkdir -p "$data"

# prepare SRC DST SHA256 decompresses testdata/SRC into benchmarks/data/DST
# unless DST is already there with the given sha256.
prepare() {
	src=$root/testdata/$1
	dst=$data/$2
	want=$3
	if [ -f "$dst" ] && [ "$(sha256sum <"$dst" | cut -d' ' -f1)" = "$want" ]; then
		return 0
	fi
	if [ ! -f "$src" ]; then
		echo "bench-data: $src is missing" >&2
		exit 1
	fi
	tmp=$(mktemp "$dst.XXXXXX")
	trap 'rm -f "$tmp"' EXIT INT TERM
	xz -dc "$src" >"$tmp"
	got=$(sha256sum <"$tmp" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		echo "bench-data: $src decompresses to sha256 $got, want $want" >&2
		exit 1
	fi
	chmod 0644 "$tmp"
	mv "$tmp" "$dst"
	trap - EXIT INT TERM
	echo "bench-data: $dst" >&2
}

prepare kernels/6.1.0-53-cloud-amd64.btf.xz 6.1.0-53-cloud-amd64.btf \
	5a42fb0112adc43eebd7cad75d43e1697ce62bfe137b6d481710c888d1e8a766
prepare dedup/6.1.0-53-cloud-amd64.prededup.btf.xz 6.1.0-53-cloud-amd64.prededup.btf \
	fac56dacc9485473bd3c601d601623e27883cbcf4db6f5ef69fea55e31af1889
prepare dedup/6.1.0-53-cloud-amd64.libbpf-1.1.btf.xz 6.1.0-53-cloud-amd64.libbpf-1.1.btf \
	193a50b5a3eb1373867af3c0e3df71cdad060056b48571c6bc1767c2da4b33e2
