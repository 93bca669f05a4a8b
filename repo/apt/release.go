package apt

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/btfhub/btfhub/repo"
)

// release is what Discover uses of a suite's Release file.
type release struct {
	origin, label, suite, version, codename string
	// date and validUntil are zero when the Release does not give them.
	date, validUntil time.Time
	// archs and components are as the Release lists them (components
	// may carry a directory, as "updates/main" in a security archive).
	archs, components []string
	// files are the SHA256 field's entries, by path.
	files map[string]fileEntry
}

// fileEntry is the size and SHA-256 (lower-case hex) that a Release gives
// for one file.
type fileEntry struct {
	size   int64
	sha256 string
}

// dateLayouts are the forms of the Date and Valid-Until fields: RFC 1123
// as APT writes it, with a zone name or offset, and with one-digit days.
var dateLayouts = []string{
	time.RFC1123,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 -0700",
}

// parseDate parses a Release date field.
func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an RFC 1123 date: %.60q", s)
}

// parseRelease reads a Release file (the signed text of an InRelease),
// which messages call name. It must be one paragraph with a SHA256
// field.
func parseRelease(r io.Reader, name string) (*release, error) {
	pr := newParagraphReader(r, name, releaseLimits)
	p, err := pr.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: %s: empty Release file", repo.ErrMetadata, name)
	}
	if err != nil {
		return nil, err
	}
	if _, err := pr.next(); err != io.EOF {
		if err == nil {
			err = pr.errorf("a second paragraph; a Release file has one")
		}
		return nil, err
	}
	rel := &release{
		origin:     p.get("Origin"),
		label:      p.get("Label"),
		suite:      p.get("Suite"),
		version:    p.get("Version"),
		codename:   p.get("Codename"),
		archs:      strings.Fields(p.get("Architectures")),
		components: strings.Fields(p.get("Components")),
	}
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"Date", &rel.date}, {"Valid-Until", &rel.validUntil}} {
		fl, ok := p.lookup(f.name)
		if !ok {
			continue
		}
		if *f.t, err = parseDate(fl.value); err != nil {
			return nil, fmt.Errorf("%w: %s: line %d: %s: %w", repo.ErrMetadata, name, fl.line, f.name, err)
		}
	}
	sums, ok := p.lookup("SHA256")
	if !ok {
		return nil, fmt.Errorf("%w: %s: no SHA256 field, so no index can be checked", repo.ErrMetadata, name)
	}
	if rel.files, err = parseChecksums(sums); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", repo.ErrMetadata, name, err)
	}
	return rel, nil
}

// parseChecksums reads the entries of a SHA256 field, one a line:
// "<sha256> <size> <path>".
func parseChecksums(f field) (map[string]fileEntry, error) {
	files := make(map[string]fileEntry)
	for i, line := range strings.Split(f.value, "\n") {
		if line == "" {
			continue
		}
		at := f.line + i
		parts := strings.Fields(line)
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %d: SHA256 entry %.80q is not \"hash size path\"", at, line)
		}
		sum, err := parseSHA256(parts[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: SHA256 entry for %.80q: %w", at, parts[2], err)
		}
		size, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("line %d: SHA256 entry for %.80q: bad size %.30q", at, parts[2], parts[1])
		}
		if _, dup := files[parts[2]]; dup {
			return nil, fmt.Errorf("line %d: SHA256 entry for %.80q given twice", at, parts[2])
		}
		if len(files) >= MaxReleaseFiles {
			return nil, fmt.Errorf("line %d: more than %d SHA256 entries", at, MaxReleaseFiles)
		}
		files[parts[2]] = fileEntry{size: size, sha256: sum}
	}
	return files, nil
}

// parseSHA256 checks that s is a SHA-256 in hex and returns it in lower
// case.
func parseSHA256(s string) (string, error) {
	if len(s) != 64 {
		return "", fmt.Errorf("SHA-256 %.70q is not 64 hex digits", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", fmt.Errorf("SHA-256 %q is not 64 hex digits", s)
		}
	}
	return strings.ToLower(s), nil
}
