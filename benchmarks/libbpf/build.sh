#!/bin/sh
# build.sh [OUTDIR]: builds the libbpf reference programs of this directory
# against the system's libbpf (Debian's libbpf-dev) into OUTDIR (default .).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out=${1:-$dir}
mkdir -p "$out"
${CC:-cc} -O2 -Wall -o "$out/dedup" "$dir/dedup.c" -lbpf
