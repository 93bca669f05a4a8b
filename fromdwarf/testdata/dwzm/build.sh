#!/bin/sh
# Rebuilds the prebuilt debug files of gnu/ and dwarf5/ (TestAltLinkPrebuilt,
# FuzzEncodeAlt): programs a (a.c, a2.c) and b (b.c), their debug files
# (objcopy --only-keep-debug, as debuginfo packages hold), and dwz -m over
# those, linking them to common.dwz (gnu: .gnu_debugaltlink; dwarf5: dwz -5,
# .debug_sup). Made with gcc 12.2 and dwz 0.15 (Debian 12).
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -g -gdwarf-4 -O2 -fdebug-prefix-map="$PWD"=. -o "$tmp/a" a.c a2.c
gcc -g -gdwarf-4 -O2 -fdebug-prefix-map="$PWD"=. -o "$tmp/b" b.c
for form in gnu dwarf5; do
	rm -rf "$form" && mkdir "$form"
	objcopy --only-keep-debug "$tmp/a" "$form/a.debug"
	objcopy --only-keep-debug "$tmp/b" "$form/b.debug"
	opt=
	[ "$form" = dwarf5 ] && opt=-5
	(cd "$form" && dwz $opt -m common.dwz a.debug b.debug)
	chmod 644 "$form"/*
done
