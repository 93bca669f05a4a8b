// Package pkgread reads kernel debug packages (.deb, .ddeb, .rpm) as
// streams: it walks the files of a package's payload without unpacking
// anything to disk, and finds the vmlinux with its kernel release.
//
// Every size and name comes from the input, so none is trusted: entries
// larger than Limits.MaxEntry are refused before any byte of them is
// buffered, names are only matched, never used as paths, and a truncated
// or corrupt container gives an error naming the package and what was
// being read.
//
// xz streams (Debian payloads, btfhub-archive tarballs, .btf.xz files)
// decompress through the xz tool (liblzma) when it is on PATH: on a Debian
// debug package it is about 15 times faster than the pure-Go decoder (9 s
// against 140 s for the 600 MB vmlinux of linux-image-6.1.0-53-cloud-amd64-dbg).
// The data still flows through a pipe; nothing touches the disk, and the
// decompressed bytes are the same either way. The environment variable
// BTFHUB_XZ=go makes every xz stream decompress with the pure-Go decoder;
// it is read when a stream is opened.
package pkgread
