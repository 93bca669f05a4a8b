#!/bin/sh
# bench-encode.sh compares `btfhub encode` with pahole -J on the DWARF
# vmlinux that scripts/fetch-dbg.sh puts in benchmarks/data/, in the same
# run: wall time, CPU time (user + system) and peak RSS of each, ROUNDS
# times (default 2), interleaved and alternating which goes first, then
# the dedup-ratio report of btfhub encode --stats.
#
#   scripts/bench-encode.sh               # pahole -j2 vs btfhub --jobs 2
#   JOBS=1 ROUNDS=3 scripts/bench-encode.sh
#   BTFHUB=/path/to/btfhub scripts/bench-encode.sh
#
# Both encode with floats (pahole --btf_gen_floats), so that their outputs
# are comparable. It needs pahole (dwarves) and GNU time (/usr/bin/time).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
release=${RELEASE:-6.1.0-53-cloud-amd64}
jobs=${JOBS:-2}
rounds=${ROUNDS:-2}
vmlinux=$root/benchmarks/data/vmlinux-$release
if [ ! -f "$vmlinux" ]; then
	"$root/scripts/fetch-dbg.sh"
fi
btfhub=${BTFHUB:-}
if [ -z "$btfhub" ]; then
	btfhub=$root/bin/btfhub
	(cd "$root" && go build -o "$btfhub" ./cmd/btfhub)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

measure() { # NAME CMD...
	name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" >/dev/null 2>"$out/err" || {
		cat "$out/err" >&2
		exit 1
	}
	read -r wall user sys rss <"$out/time"
	cpu=$(awk "BEGIN { print $user + $sys }")
	printf '%-28s %8.2f s wall %8.2f s CPU %6d MB peak RSS\n' "$name" "$wall" "$cpu" "$((rss / 1024))"
}

echo "vmlinux-$release, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
pahole_run() {
	measure "pahole -j$jobs" pahole -J -j"$jobs" --btf_gen_floats --btf_encode_detached "$out/pahole.btf" "$vmlinux"
}
btfhub_run() {
	measure "btfhub encode --jobs $jobs" "$btfhub" encode --jobs "$jobs" -q -o "$out/btfhub.btf" "$vmlinux"
}
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then
		pahole_run
		btfhub_run
	else
		btfhub_run
		pahole_run
	fi
done
echo
"$btfhub" encode --jobs "$jobs" -q --stats -o "$out/btfhub.btf" "$vmlinux"
