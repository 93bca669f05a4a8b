#!/bin/sh
# fetch-debs.sh downloads the Debian kernel debug packages
# (linux-image-<release>-dbg, hundreds of MB each) pinned in
# scripts/debs.manifest, for the tests and benchmarks that read real .deb
# files. Each manifest line belongs to a set:
#
#   series  Debian 12's 6.1 builds (amd64, cloud-amd64, rt-amd64), into
#           testdata/cache/debs/ (the real-archive tests and benchmarks)
#   repo    a few packages of other architectures and releases, into
#           testdata/cache/repo-debs/ (the APT repository test)
#
#   scripts/fetch-debs.sh                           # every package in the manifest
#   scripts/fetch-debs.sh 6.1.0-53-cloud-amd64 ...  # only linux-image-<release>-dbg
#   SETS=series scripts/fetch-debs.sh               # only these sets
#
# Environment:
#   SETS                    sets to fetch, space-separated (default: "series repo")
#   MANIFEST                manifest to read (default: scripts/debs.manifest)
#   DEST_ROOT               directory holding debs/ and repo-debs/
#                           (default: testdata/cache)
#   DEBIAN_MIRROR           base URL of the debian archive
#   DEBIAN_SECURITY_MIRROR  base URL of the debian-security archive
#
# The mirrors default to the host's apt sources (apt-get indextargets): the
# URI whose path ends in /debian/, and the one ending in /debian-security/.
# They are looked up only when something has to be downloaded.
#
# It is idempotent: a package already present with the manifest's size is
# not downloaded again (its sha256 is not rechecked, to keep a no-op run
# fast). A download goes to a temporary file in the target directory, is
# checked against the manifest's size and sha256, and only then renamed to
# its pool file name (<name>_<version>_<arch>.deb), so an interrupted or
# corrupt download never leaves a .deb behind. It prints the size and time
# of each download. It needs curl and sha256sum (and apt-get, unless both
# mirrors are given).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
manifest=${MANIFEST:-$root/scripts/debs.manifest}
dest_root=${DEST_ROOT:-$root/testdata/cache}
sets=${SETS:-series repo}
set -f # manifest fields are split unquoted; never glob them

die() {
	echo "fetch-debs: $*" >&2
	exit 1
}

[ -r "$manifest" ] || die "cannot read manifest $manifest"

tmp=
cleanup() {
	if [ -n "$tmp" ]; then
		rm -f "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# mirror ARCHIVE sets $mirror to the base URL of ARCHIVE (debian or
# debian-security), without a trailing slash.
apt_uris=
apt_uris_done=
mirror() {
	case $1 in
	debian) mirror=${DEBIAN_MIRROR:-} ;;
	debian-security) mirror=${DEBIAN_SECURITY_MIRROR:-} ;;
	esac
	if [ -z "$mirror" ]; then
		if [ -z "$apt_uris_done" ]; then
			command -v apt-get >/dev/null ||
				die "no apt-get; set DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR"
			# shellcheck disable=SC2016 # $(REPO_URI) is apt's, not ours
			apt_uris=$(apt-get indextargets --format '$(REPO_URI)' | sort -u)
			apt_uris_done=1
		fi
		for u in $apt_uris; do
			case $u in
			*/"$1"/)
				mirror=$u
				break
				;;
			esac
		done
	fi
	[ -n "$mirror" ] || die "no $1 archive in apt's sources; set $(upper "$1")"
	mirror=${mirror%/}
}

upper() {
	case $1 in
	debian) echo DEBIAN_MIRROR ;;
	debian-security) echo DEBIAN_SECURITY_MIRROR ;;
	esac
}

want_set() {
	for s in $sets; do
		[ "$s" = "$1" ] && return 0
	done
	return 1
}

# want_pkg NAME: with no arguments every package is wanted, otherwise only
# linux-image-<release>-dbg for a given release.
want_pkg() {
	[ "$#" -eq 1 ] || return 1
	[ -z "$releases" ] && return 0
	for r in $releases; do
		[ "$1" = "linux-image-$r-dbg" ] && return 0
	done
	return 1
}

releases=$*
matched=
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	# shellcheck disable=SC2086
	set -- $line
	[ "$#" -eq 0 ] && continue
	[ "$#" -eq 5 ] || die "$manifest:$lineno: want SET ARCHIVE POOLPATH SIZE SHA256"
	set_=$1 archive=$2 path=$3 size=$4 sha=$5
	case $set_ in
	series) dest=$dest_root/debs ;;
	repo) dest=$dest_root/repo-debs ;;
	*) die "$manifest:$lineno: unknown set $set_" ;;
	esac
	case $archive in
	debian | debian-security) ;;
	*) die "$manifest:$lineno: unknown archive $archive" ;;
	esac
	file=${path##*/}
	case $file in
	*_*_*.deb) ;;
	*) die "$manifest:$lineno: $path is not a pool path of a .deb" ;;
	esac
	case $size in
	'' | *[!0-9]*) die "$manifest:$lineno: bad size $size" ;;
	esac
	case $sha in
	*[!0-9a-f]*) die "$manifest:$lineno: bad sha256 $sha" ;;
	esac
	[ "${#sha}" -eq 64 ] || die "$manifest:$lineno: bad sha256 $sha"
	pkg=${file%%_*}

	want_set "$set_" || continue
	want_pkg "$pkg" || continue
	matched="$matched $pkg "

	if [ -f "$dest/$file" ]; then
		have=$(stat -c %s "$dest/$file")
		[ "$have" = "$size" ] && continue
		echo "fetch-debs: $dest/$file has $have bytes, want $size; downloading it again" >&2
	fi

	mirror "$archive"
	mkdir -p "$dest"
	tmp=$(mktemp "$dest/.fetch-debs.XXXXXX")
	start=$(date +%s)
	curl -fsSL --retry 3 -o "$tmp" "$mirror/$path" </dev/null ||
		die "$pkg: downloading $mirror/$path failed"
	got=$(stat -c %s "$tmp")
	if [ "$got" != "$size" ]; then
		die "$pkg: $mirror/$path has $got bytes, manifest says $size"
	fi
	gotsha=$(sha256sum "$tmp" | cut -d ' ' -f 1)
	if [ "$gotsha" != "$sha" ]; then
		die "$pkg: $mirror/$path has sha256 $gotsha, manifest says $sha"
	fi
	chmod 644 "$tmp"
	mv -f "$tmp" "$dest/$file"
	tmp=
	end=$(date +%s)
	echo "fetch-debs: $pkg: $size bytes in $((end - start)) s" >&2
done <"$manifest"

for r in $releases; do
	case $matched in
	*" linux-image-$r-dbg "*) ;;
	*) die "linux-image-$r-dbg is not in $manifest (sets: $sets)" ;;
	esac
done
