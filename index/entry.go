package index

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Entry describes one kernel's BTF in an archive.
type Entry struct {
	// Distro is the os-release ID of the distribution ("debian", "centos").
	Distro string `json:"distro"`
	// Version is the distribution version as the archive names its
	// directory ("12", "7", "bullseye", "20.04").
	Version string `json:"version"`
	// Arch is "x86_64" or "arm64".
	Arch string `json:"arch"`
	// Release is the kernel release, as uname -r prints it.
	Release string `json:"release"`
	// XXH64 is the xxhash64 of the raw BTF, as 16 lower-case hex digits.
	XXH64 string `json:"xxh64"`
	// RawSize is the size of the raw BTF in bytes.
	RawSize int64 `json:"raw_size"`
	// CompressedSize is the size of the stored file (.btf.tar.xz) in
	// bytes.
	CompressedSize int64 `json:"compressed_size"`
	// Types is the number of types in the BTF.
	Types int `json:"types"`
	// Source names the input the BTF came from: the package
	// ("name_version_arch") or the file name.
	Source string `json:"source,omitempty"`
	// Encoder names what produced the BTF: "vmlinux" for the kernel's own
	// .BTF section, "raw" for BTF given as is, or a DWARF encoder.
	Encoder string `json:"encoder"`
	// EncoderVersion is the encoder's version, when it has one.
	EncoderVersion string `json:"encoder_version,omitempty"`
	// SourceSHA256 is the SHA-256 of the package file the BTF was read
	// from, in lower-case hex, when the source is a package. archive sync
	// compares it with a repository's index to tell that a package is in
	// the tree already.
	SourceSHA256 string `json:"source_sha256,omitempty"`
}

// Key identifies an entry: one kernel of one distro version and
// architecture.
type Key struct {
	Distro, Version, Arch, Release string
}

// Key returns the entry's key.
func (e *Entry) Key() Key { return Key{e.Distro, e.Version, e.Arch, e.Release} }

// String formats the key as the entry's path without suffix.
func (k Key) String() string { return path.Join(k.Distro, k.Version, k.Arch, k.Release) }

// Less orders keys by distro, version, arch, then release.
func (k Key) Less(o Key) bool {
	if k.Distro != o.Distro {
		return k.Distro < o.Distro
	}
	if k.Version != o.Version {
		return k.Version < o.Version
	}
	if k.Arch != o.Arch {
		return k.Arch < o.Arch
	}
	return k.Release < o.Release
}

// Suffix is the file name suffix of an entry in a btfhub-archive tree.
const Suffix = ".btf.tar.xz"

// Path returns the entry's path in a btfhub-archive tree, with slashes:
// <distro>/<version>/<arch>/<release>.btf.tar.xz.
func (k Key) Path() string { return k.String() + Suffix }

// ErrInvalid is wrapped by errors about an entry whose fields cannot be
// used.
var ErrInvalid = errors.New("invalid catalogue entry")

// Validate checks that each part of the key is a safe path component (so
// that no entry can name a file outside an archive) and that the arch is
// one the archive layout knows.
func (k Key) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"distro", k.Distro}, {"version", k.Version}, {"arch", k.Arch}, {"release", k.Release},
	} {
		if err := checkComponent(f.v); err != nil {
			return fmt.Errorf("%w: %s %q: %w", ErrInvalid, f.name, f.v, err)
		}
	}
	if k.Arch != "x86_64" && k.Arch != "arm64" {
		return fmt.Errorf("%w: arch %q (want x86_64 or arm64)", ErrInvalid, k.Arch)
	}
	return nil
}

// checkComponent accepts 1 to 255 bytes of letters, digits and "._+~-",
// not starting with a dot.
func checkComponent(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if len(s) > 255 {
		return errors.New("longer than 255 bytes")
	}
	if s[0] == '.' {
		return errors.New("starts with a dot")
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+~-", r))
	}); i >= 0 {
		return fmt.Errorf("character %q not allowed", s[i])
	}
	return nil
}

// Validate checks the key and the other fields' ranges.
func (e *Entry) Validate() error {
	if err := e.Key().Validate(); err != nil {
		return err
	}
	if len(e.XXH64) != 16 || strings.Trim(e.XXH64, "0123456789abcdef") != "" {
		return fmt.Errorf("%w: %s: xxh64 %q is not 16 lower-case hex digits", ErrInvalid, e.Key(), e.XXH64)
	}
	if e.SourceSHA256 != "" && !IsSHA256(e.SourceSHA256) {
		return fmt.Errorf("%w: %s: source_sha256 %q is not 64 lower-case hex digits", ErrInvalid, e.Key(), e.SourceSHA256)
	}
	if e.RawSize <= 0 || e.CompressedSize < 0 || e.Types < 0 {
		return fmt.Errorf("%w: %s: sizes %d/%d, %d types", ErrInvalid, e.Key(), e.RawSize, e.CompressedSize, e.Types)
	}
	return nil
}

// NormalizeArch maps a machine name (uname -m, a Debian or RPM
// architecture) to the archive's arch directory: x86_64 or arm64. Unknown
// names are returned unchanged.
func NormalizeArch(m string) string {
	switch m {
	case "x86_64", "amd64", "x86-64", "x64":
		return "x86_64"
	case "aarch64", "arm64", "aarch64_be":
		return "arm64"
	}
	return m
}

// IsSHA256 reports whether s is a SHA-256 in 64 lower-case hex digits.
func IsSHA256(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}
