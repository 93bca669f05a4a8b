package apt

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/repo"
)

// packageFields are the fields of a Packages stanza that parsePackages
// reads; the reader keeps no others.
var packageFields = map[string]bool{
	"package": true, "version": true, "architecture": true, "filename": true,
	"size": true, "sha256": true, "description": true,
}

// keepPackageField tells whether the Packages field name is one of
// packageFields.
func keepPackageField(name string) bool {
	return len(name) <= len("architecture") && packageFields[strings.ToLower(name)]
}

// candidate is what one stanza of a Packages index gives: a package, a
// skipped package, or a warning about a stanza passed over.
type candidate struct {
	pkg     *repo.Package // Name, Version, Arch, URL, Size, SHA256, Release
	skipped *repo.Skipped
	warning string
}

// parsePackages reads the Packages index r, which messages call name (its
// URL), as a stream, and calls visit for each stanza of a kernel debug
// package (see debugRelease) of an architecture other than "all". The
// files' URLs are made from base, the repository's URL. A stanza without
// a usable Version, Size or SHA256 is passed over with a warning; a
// Filename that is absolute or climbs out of the repository is an error
// that wraps repo.ErrMetadata, as is a stanza that is not deb822. ctx
// stops the reading.
func parsePackages(ctx context.Context, r io.Reader, name, base string, visit func(candidate)) error {
	pr := newParagraphReader(r, name, packagesLimits)
	pr.keep = keepPackageField
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		p, err := pr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		pkgName := p.get("Package")
		rel, ok := debugRelease(pkgName)
		if !ok {
			continue
		}
		c, err := stanzaCandidate(p, name, base, pkgName, rel)
		if err != nil {
			return err
		}
		if c != nil {
			visit(*c)
		}
	}
}

// stanzaCandidate reads the stanza p of the kernel debug package pkgName,
// whose name carries rel. It returns nil for a package of architecture
// "all".
func stanzaCandidate(p *paragraph, index, base, pkgName, rel string) (*candidate, error) {
	version, arch := p.get("Version"), p.get("Architecture")
	if arch == "all" {
		return nil, nil
	}
	where := fmt.Sprintf("%s: line %d: %s", index, p.line, pkgName)
	if bad := checkWord(version); bad != "" {
		return &candidate{warning: fmt.Sprintf("%s: Version %s; passed over", where, bad)}, nil
	}
	if bad := checkWord(arch); bad != "" {
		return &candidate{warning: fmt.Sprintf("%s: Architecture %s; passed over", where, bad)}, nil
	}
	full := pkgName + "_" + version + "_" + arch
	if !isKernelRelease(rel) || isMetaDescription(p.get("Description")) {
		return &candidate{skipped: &repo.Skipped{Name: full, Reason: "meta package"}}, nil
	}
	fn, _ := p.lookup("Filename")
	if !urlSafe(fn.value) {
		return &candidate{
			skipped: &repo.Skipped{Name: full, Reason: "no usable Filename"},
			warning: fmt.Sprintf("%s: Filename %.80q is missing or has bytes a URL cannot carry; passed over", where, fn.value),
		}, nil
	}
	url, err := repo.JoinURL(base, fn.value)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: line %d: %s: Filename: %w", repo.ErrMetadata, index, fn.line, pkgName, err)
	}
	size, err := strconv.ParseInt(p.get("Size"), 10, 64)
	if err != nil || size <= 0 {
		return &candidate{
			skipped: &repo.Skipped{Name: full, Reason: "no usable Size"},
			warning: fmt.Sprintf("%s: Size %.30q is not a positive integer; passed over", where, p.get("Size")),
		}, nil
	}
	sum, err := parseSHA256(p.get("SHA256"))
	if err != nil {
		if p.get("SHA256") == "" {
			err = fmt.Errorf("no SHA256 field")
		}
		return &candidate{
			skipped: &repo.Skipped{Name: full, Reason: "no usable SHA256"},
			warning: fmt.Sprintf("%s: %v; passed over", where, err),
		}, nil
	}
	return &candidate{pkg: &repo.Package{
		Name: pkgName, Version: version, Arch: arch,
		URL: url, Size: size, SHA256: sum, Release: rel,
	}}, nil
}

// maxWordLen bounds a package's version or architecture.
const maxWordLen = 255

// checkWord says what is wrong with a package's Version or Architecture
// (empty, too long, blanks or control bytes, a '/' or a '_'), or "".
func checkWord(s string) string {
	if s == "" {
		return "missing"
	}
	if len(s) > maxWordLen {
		return fmt.Sprintf("longer than %d bytes", maxWordLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '/' || c == '_' {
			return fmt.Sprintf("%.40q has a byte %q", s, c)
		}
	}
	return ""
}

// urlSafe tells whether a Filename can be put in a URL as it is: not
// empty, no blanks or control bytes, none of "?#%\\".
func urlSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("?#%\\", c) >= 0 {
			return false
		}
	}
	return true
}
