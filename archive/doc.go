// Package archive builds, reads and checks BTF archives.
//
// A tree is laid out as btfhub-archive lays it out:
//
//	<distro>/<version>/<arch>/<release>.btf.tar.xz
//
// where each tarball holds one regular file, <release>.btf, of raw BTF,
// and the arch directories are x86_64 and arm64. At the root, the
// catalogue (see package index) records every entry with its checksum.
//
// Add ingests kernel debug packages (.deb, .ddeb, .rpm, read as streams),
// vmlinux ELF files and raw BTF, with parallel workers. A vmlinux without
// .BTF is handed to an Encoder (package fromdwarf provides one), with the
// package's dwz supplementary files when the Encoder is an AltEncoder. It
// is idempotent,
// resumable and safe to run twice at once on one tree: every file is
// written to a temporary name and renamed, and a lock file serialises the
// updates of the tree and its catalogue.
//
// A pack (see docs/archive-formats.md) holds many kernels in one file,
// compressed against each other, so that consecutive kernels cost little
// more than their differences; each kernel reads back byte-identical,
// without decoding the others.
//
// Nothing read from an input is trusted: names are checked before they
// become paths, sizes are bounded before they become allocations, and
// checksums are verified on every read.
package archive
