// Package pkgread reads kernel debug packages (.deb, .ddeb, .rpm) as
// streams: it walks the files of a package's payload without unpacking
// anything to disk, and finds the vmlinux with its kernel release.
//
// Every size and name comes from the input, so none is trusted: entries
// larger than Limits.MaxEntry are refused before any byte of them is
// buffered, names are only matched, never used as paths, and a truncated
// or corrupt container gives an error naming the package and what was
// being read.
package pkgread
