#!/bin/sh
# fetch-selftests.sh fetches libbpf's CO-RE selftests from the Linux kernel
# source that Debian 12 ships (package linux-source-6.1) into
# testdata/cache/selftests/ (git-ignored; the sources are GPL and are never
# committed):
#
#   testdata/cache/selftests/progs/test_core_reloc_*.c   the BPF programs
#   testdata/cache/selftests/progs/btf__core_reloc_*.c   their targets
#   testdata/cache/selftests/progs/core_reloc_types.h    the types both use
#   testdata/cache/selftests/prog_tests/core_reloc.c     the test_cases[] table
#   testdata/cache/selftests/VERSION                     the package version
#
# of tools/testing/selftests/bpf/. No other header of the selftests is
# included by these files (test_core_reloc_module.c includes the generated
# vmlinux.h, and needs bpf_testmod: corerel's test skips it).
# Package corerel's TestSelftests builds them with clang and compares
# corerel's relocations with libbpf's.
#
# It is idempotent: when testdata/cache/selftests/VERSION exists it does
# nothing and exits 0. It needs apt-get (with Debian 12's security archive
# in its sources), dpkg-deb, xz and GNU tar. The package is about 140 MB;
# it is deleted once the files are extracted.
set -eu

pkg=linux-source-6.1

root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/testdata/cache
out=$cache/selftests

if [ -f "$out/VERSION" ]; then
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch-selftests.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "fetch-selftests: downloading $pkg" >&2
# apt-get download writes into the current directory. As root it warns
# that _apt cannot write there; the download still works.
(cd "$work" && apt-get download -q "$pkg")
deb=$(ls "$work"/"${pkg}"_*.deb | head -n 1)
version=$(dpkg-deb -f "$deb" Version)

# The package holds one tarball, usr/src/linux-source-6.1.tar.xz, whose
# paths start with linux-source-6.1/.
sel=linux-source-6.1/tools/testing/selftests/bpf
mkdir "$work/tree"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$pkg.tar.xz" |
	xz -dc |
	tar -x -C "$work/tree" --strip-components=5 --wildcards \
		"$sel/progs/test_core_reloc_*.c" \
		"$sel/progs/btf__core_reloc_*.c" \
		"$sel/progs/core_reloc_types.h" \
		"$sel/prog_tests/core_reloc.c"
rm -f "$deb"

for f in progs/core_reloc_types.h prog_tests/core_reloc.c; do
	if [ ! -f "$work/tree/$f" ]; then
		echo "fetch-selftests: $f not found in $pkg $version" >&2
		exit 1
	fi
done
echo "$pkg $version" >"$work/tree/VERSION"

# Never leave half a tree: rename into place. VERSION, checked above, only
# exists in a complete tree.
rm -rf "$out"
mv "$work/tree" "$out"
echo "fetch-selftests: $out ($pkg $version, $(ls "$out/progs" | wc -l) files)" >&2
