#!/usr/bin/env bash
# Runs every go test -fuzz target in the module for FUZZTIME each
# (default 10s: the short run CI does; use FUZZTIME=30m before resolving an
# issue about a decoder). Targets are discovered with go test -list.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
status=0
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "fuzz: $pkg $target for $fuzztime"
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
			status=1
		fi
	done
done
exit $status
