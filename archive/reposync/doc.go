// Package reposync keeps a btfhub-archive tree in step with distribution
// repositories: it reads their signed metadata (package repo/apt and
// repo/rpmmd), works out which kernel debug packages the tree lacks, and
// streams each one over HTTP (package internal/fetch) straight into the
// ingest path of archive add (archive.ReadPackage and Tree.AddKernel). No
// package file touches the disk, and memory stays what archive add needs
// for one package, per parallel job.
//
// A package is checked against the index's size and SHA-256 while it
// streams; nothing of it reaches the tree until the last byte has
// matched. A package that is in the tree already — a catalogue entry
// with its source (name_version_arch) and checksum — is not downloaded
// again; nor is one that held no vmlinux, one that held a kernel with BTF
// of its own when such kernels are skipped, or one that failed before
// (unless RetryFailed): the catalogue records those too
// (index.Record). Every write is atomic and under the tree's lock, so a
// sync that is killed loses nothing but the packages under way, and the
// next sync takes them up.
package reposync
