package apt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// Source is one entry of an APT sources file: a line of a one-line
// sources.list file, or a paragraph of a deb822 .sources file.
type Source struct {
	// Types are "deb" and/or "deb-src".
	Types []string
	// URIs are the repositories' base URLs.
	URIs []string
	// Suites are the suites ("bookworm", "bookworm-updates").
	Suites []string
	// Components are the components ("main"); none for a flat
	// repository.
	Components []string
	// Archs are the architectures the entry is restricted to (arch= or
	// Architectures:), if any.
	Archs []string
	// SignedBy are the keyring files (signed-by= or Signed-By:), as
	// written.
	SignedBy []string
	// SignedByKey is an armored public key block written inline in a
	// deb822 Signed-By field.
	SignedByKey []byte
	// Enabled is false for a deb822 entry with "Enabled: no".
	Enabled bool
	// File and Line are where the entry is, for messages.
	File string
	Line int
}

// ParseSources reads the APT sources file r, called name: a deb822 file
// when name ends in ".sources", a one-line sources.list file otherwise
// (with options such as "[arch=amd64 signed-by=/path]"). Errors name the
// file and line. At most MaxSourcesFileSize bytes and MaxSourceEntries
// entries are read.
func ParseSources(r io.Reader, name string) ([]Source, error) {
	lr := &io.LimitedReader{R: r, N: MaxSourcesFileSize + 1}
	var out []Source
	var err error
	if strings.HasSuffix(name, ".sources") {
		out, err = parseDeb822Sources(lr, name)
	} else {
		out, err = parseOneLineSources(lr, name)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxSourcesFileSize)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HostSources reads the APT sources of the system whose root directory is
// root ("/" for this one): <root>/etc/apt/sources.list, then the files of
// <root>/etc/apt/sources.list.d whose names end in ".list" or ".sources"
// and are made of letters, digits and "_.-", in the order of their names,
// as APT reads them. Missing files and directories are no error.
func HostSources(root string) ([]Source, error) {
	files := []string{filepath.Join(root, "etc/apt/sources.list")}
	dir := filepath.Join(root, "etc/apt/sources.list.d")
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".list") || strings.HasSuffix(n, ".sources")) || !sourcesFileName(n) {
			continue
		}
		names = append(names, n)
	}
	if len(names) > MaxSourcesFiles {
		return nil, fmt.Errorf("%s: more than %d sources files", dir, MaxSourcesFiles)
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, filepath.Join(dir, n))
	}
	var out []Source
	for _, name := range files {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		got, err := ParseSources(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// sourcesFileName tells whether APT reads a sources.list.d file of this
// name: letters, digits, '_', '.' and '-' only.
func sourcesFileName(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return n != ""
}

// Repos returns one Repo per URI of s when s is an enabled "deb" entry
// (deb-src is of no use here), with s's suites, components and
// architectures; none otherwise. Keyring is left to the caller (see
// Source.Keyring).
func (s *Source) Repos() []*Repo {
	if !s.Enabled || !slices.Contains(s.Types, "deb") {
		return nil
	}
	var out []*Repo
	for _, u := range s.URIs {
		out = append(out, &Repo{
			URL:        u,
			Suites:     slices.Clone(s.Suites),
			Components: slices.Clone(s.Components),
			Archs:      slices.Clone(s.Archs),
		})
	}
	return out
}

// Keyring loads the keys that s's repositories must be signed by, as APT
// would: the inline key of s's Signed-By, or its keyring files (read
// under root, the system's root directory, "/" for this one), or, when
// s has no Signed-By, every key APT trusts:
// <root>/etc/apt/trusted.gpg.d/*.gpg and *.asc and <root>/etc/apt/trusted.gpg.
// Signed-By fingerprints (rather than files) are not supported.
func (s *Source) Keyring(root string) (*repo.Keyring, error) {
	where := fmt.Sprintf("%s:%d", s.File, s.Line)
	if len(s.SignedByKey) > 0 {
		k, err := repo.ReadKeyring(s.SignedByKey)
		if err != nil {
			return nil, fmt.Errorf("%s: Signed-By key: %w", where, err)
		}
		return k, nil
	}
	var paths []string
	for _, p := range s.SignedBy {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%s: Signed-By %q is not an absolute path to a keyring (fingerprints are not supported)", where, p)
		}
		paths = append(paths, filepath.Join(root, p))
	}
	if len(paths) == 0 {
		dir := filepath.Join(root, "etc/apt/trusted.gpg.d")
		for _, pattern := range []string{"*.gpg", "*.asc"} {
			m, err := filepath.Glob(filepath.Join(dir, pattern))
			if err != nil {
				return nil, err
			}
			paths = append(paths, m...)
		}
		sort.Strings(paths)
		legacy := filepath.Join(root, "etc/apt/trusted.gpg")
		if _, err := os.Stat(legacy); err == nil {
			paths = append(paths, legacy)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%s: no Signed-By, and no trusted keys in %s", where, dir)
		}
	}
	k, err := repo.LoadKeyring(paths...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return k, nil
}
