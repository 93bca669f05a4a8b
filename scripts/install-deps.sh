#!/usr/bin/env bash
# Installs the Debian reference tools that btfhub's tests use as oracles,
# when they are missing. In CI (CI=true) a tool that cannot be installed
# fails the run; elsewhere the script says what is missing and the tests
# that need it skip with that reason.
set -euo pipefail

# command -> Debian package
declare -A tools=(
	[bpftool]=bpftool
	[clang]=clang
	[llvm-objcopy]=llvm
	[pahole]=dwarves
	[xz]=xz-utils
	[cc]=gcc
	[dwz]=dwz
	[createrepo_c]=createrepo-c
	[rpmbuild]=rpm
)
# Files that only a package provides.
declare -A files=(
	[/usr/include/bpf/libbpf.h]=libbpf-dev
	[/usr/sbin/biolatency]=libbpf-tools
)

missing=()
for cmd in "${!tools[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${tools[$cmd]}")
done
for f in "${!files[@]}"; do
	[ -e "$f" ] || missing+=("${files[$f]}")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
		exit 0
	fi
fi
echo "install-deps: could not install ${missing[*]} (need root and apt-get);" >&2
echo "install-deps: run: sudo apt-get install ${missing[*]}" >&2
if [ -n "${CI:-}" ]; then
	exit 1
fi
echo "install-deps: tests that need them will be skipped" >&2
