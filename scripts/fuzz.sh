#!/usr/bin/env bash
# Runs every go test -fuzz target in the module for FUZZTIME each
# (default 10s: the short run CI does; use FUZZTIME=30m before resolving an
# issue about a decoder). Targets are discovered with go test -list.
#
# Go 1.26's fuzz coordinator has a shutdown race at the -fuzztime deadline
# (go.dev/issue/75804, fixed in Go 1.27): a run can end in a bare
# "context deadline exceeded" failure with no failing input. Such a run is
# repeated once; a run that writes a failing input, or fails any other way,
# fails the script at once.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_target PKG TARGET: 0 on pass, 1 on a real failure, 2 on the
# coordinator's deadline race.
run_target() {
	if go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" 2>&1 | tee "$log"; then
		return 0
	fi
	if grep -q 'Failing input written to' "$log"; then
		return 1
	fi
	# The race prints exactly this line after --- FAIL and nothing else.
	if grep -A1 -- "^--- FAIL: $2 " "$log" | tail -n1 | grep -qx '[[:space:]]*context deadline exceeded'; then
		return 2
	fi
	return 1
}

status=0
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "fuzz: $pkg $target for $fuzztime"
		rc=0
		run_target "$pkg" "$target" || rc=$?
		if [ "$rc" -eq 2 ]; then
			echo "fuzz: $target ended in Go's fuzztime deadline race (go.dev/issue/75804) with no failing input; running it again"
			rc=0
			run_target "$pkg" "$target" || rc=$?
			if [ "$rc" -eq 2 ]; then
				echo "fuzz: warning: $target hit the deadline race twice, with no failing input; not counted as a failure"
				rc=0
			fi
		fi
		if [ "$rc" -ne 0 ]; then
			echo "fuzz: FAIL $pkg $target"
			status=1
		fi
	done
done
exit $status
