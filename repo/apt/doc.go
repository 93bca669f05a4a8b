// Package apt reads APT repositories (Debian, Ubuntu) and finds the
// kernel debug packages they offer.
//
// Discover reads, for each suite of a Repo, the suite's signed Release
// (InRelease, or Release with Release.gpg), checks its signature against
// the Repo's keyring, then fetches the Packages index of each component
// and architecture, checks it against the size and SHA-256 the Release
// gives, and reads its stanzas as a stream, picking the packages that
// hold a kernel's debug vmlinux:
//
//	linux-image-<release>-dbg                  Debian (.deb)
//	linux-image-<release>-dbgsym               Ubuntu (.ddeb)
//	linux-image-unsigned-<release>-dbgsym      Ubuntu (.ddeb)
//
// Meta packages of these families (linux-image-amd64-dbg, which depends
// on the current kernel's package) are passed over, as repo.Skipped.
//
// ParseSources and HostSources read the host's APT sources (one-line
// sources.list files and deb822 .sources files), and Source.Repos turns
// them into Repos.
//
// Every file is bounded before it is read (see the Max constants), and
// the deb822 reader that Release files, Packages indexes and .sources
// files share bounds line lengths, field counts and paragraph sizes.
package apt
