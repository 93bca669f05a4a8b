// Package repo describes the kernel debug packages that distribution
// repositories offer, as the metadata readers of its subpackages find
// them: apt for APT repositories (Debian, Ubuntu) and rpmmd for RPM-MD
// repositories (Fedora, RHEL rebuilds, Oracle Linux, Amazon Linux, SUSE).
//
// A reader turns a repository's signed metadata into an Index: the
// packages that hold a kernel's debug vmlinux, each with its URL, size and
// SHA-256, and the archive key (distro, version, arch, release) it
// belongs under; and the packages it passed over, with the reason. What
// is fetched and how is the caller's: the readers ask a Getter for each
// metadata file, so that one HTTP client, with its retries and limits,
// serves every repository.
//
// Nothing a repository says is trusted: metadata is verified against
// the Keyring before it is parsed further (unless verification is turned
// off by the caller), indexes are checked against the checksums the
// signed metadata gives, and every name that becomes part of a path is
// checked.
package repo

import (
	"context"
	"errors"
	"path"
	"strings"
)

// Package is one kernel debug package of a repository.
type Package struct {
	// Name, Version and Arch are the package's own, as the repository
	// names them (Debian "amd64", RPM "x86_64"); for RPM, Version is
	// "version-release", without the epoch, as the package header gives
	// it.
	Name, Version, Arch string
	// URL is the absolute URL of the package file.
	URL string
	// Size is the package file's size in bytes.
	Size int64
	// SHA256 is the package file's SHA-256, in lower-case hex.
	SHA256 string
	// Distro, DistroVersion, KernelArch and Release are the archive key
	// the package's kernel belongs under: the os-release ID ("debian"),
	// the distribution version ("12", "20.04"), the archive's arch
	// directory ("x86_64", "arm64") and the kernel release (uname -r),
	// as the package's name and version tell it.
	Distro, DistroVersion, KernelArch, Release string
	// Repo names the repository the package was found in, for messages.
	Repo string
}

// Source names the package as "name_version_arch", as
// pkgread.Package.Source reads it from the package itself, and as the
// archive catalogue records it.
func (p *Package) Source() string { return p.Name + "_" + p.Version + "_" + p.Arch }

// FileName is the last element of the package's URL.
func (p *Package) FileName() string { return path.Base(p.URL) }

// Skipped is a package that a reader passed over.
type Skipped struct {
	// Name is the package's name, with its version when it has one.
	Name string
	// Reason says why, in a few words ("meta package").
	Reason string
}

// Index is what a reader found in one repository.
type Index struct {
	// Packages are the kernel debug packages, in the order the
	// repository lists them.
	Packages []Package
	// Skipped are the packages that looked like kernel debug packages
	// but were passed over.
	Skipped []Skipped
	// Warnings are things the caller should print, such as that
	// signature verification was turned off.
	Warnings []string
}

// Getter fetches one metadata file, of at most max bytes. Package fetch
// provides the one btfhub uses.
type Getter interface {
	Get(ctx context.Context, url string, max int64) ([]byte, error)
}

// Errors that callers branch on.
var (
	// ErrSignature is wrapped by errors about metadata whose signature is
	// missing, malformed, or not made by a key of the keyring.
	ErrSignature = errors.New("bad signature")
	// ErrChecksum is wrapped by errors about a file whose size or
	// checksum is not the one the metadata gives.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrMetadata is wrapped by errors about metadata that cannot be
	// parsed or misses what is needed.
	ErrMetadata = errors.New("bad repository metadata")
	// ErrNotFound is wrapped by a Getter's error for a file the server
	// does not have (HTTP 404 or 410).
	ErrNotFound = errors.New("not found")
)

// JoinURL joins a repository's base URL and a path relative to it, as
// APT and RPM-MD name their files. The path must be relative and must
// not climb out of the base with "..".
func JoinURL(base, rel string) (string, error) {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "://") {
		return "", errors.New("not a relative path: " + rel)
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return "", errors.New("path climbs out of the repository: " + rel)
		}
	}
	return strings.TrimSuffix(base, "/") + "/" + rel, nil
}
