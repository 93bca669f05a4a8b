// Package index holds the catalogue of a BTF archive, and finds the entry
// that a host's loader should use.
//
// The catalogue (btfhub-catalogue.json at the archive's root) records, for
// every kernel, its distro, version, architecture and release, the
// xxhash64 of its raw BTF, raw and compressed sizes, type count, the
// package it came from and the encoder that produced it. Its format is
// specified in docs/archive-formats.md: a version field, a checksum over
// the entries, and a deterministic encoding so that archives diff well.
//
// Lookup tolerates the naming differences between hosts and archives:
// aarch64 against arm64, a VERSION_ID of "7.9" against a directory named
// "7", "11" against "bullseye", and falls back to the release name across
// all distros.
package index
