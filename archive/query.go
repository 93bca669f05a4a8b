package archive

import (
	"fmt"
	"strings"

	"github.com/btfhub/btfhub/index"
)

// Query selects entries: every field that is not empty must match. Arch
// may be a machine name (aarch64 is arm64).
type Query struct {
	Distro, Version, Arch, Release string
}

// Match reports whether e fits q.
func (q Query) Match(e index.Entry) bool {
	return (q.Distro == "" || q.Distro == e.Distro) &&
		(q.Version == "" || q.Version == e.Version) &&
		(q.Arch == "" || index.NormalizeArch(q.Arch) == e.Arch) &&
		(q.Release == "" || q.Release == e.Release)
}

// FindOne returns the one entry that fits q, or an error wrapping
// ErrNotFound that lists the candidates when there are none or several.
func FindOne(entries []index.Entry, q Query) (index.Entry, error) {
	var found []index.Entry
	for _, e := range entries {
		if q.Match(e) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return index.Entry{}, fmt.Errorf("%w: nothing matches %s", ErrNotFound, q)
	}
	keys := make([]string, len(found))
	for i, e := range found {
		keys[i] = e.Key().String()
	}
	return index.Entry{}, fmt.Errorf("%w: %d entries match %s: %s; narrow it with --distro, --version or --arch",
		ErrNotFound, len(found), q, strings.Join(keys, ", "))
}

func (q Query) String() string {
	var parts []string
	for _, f := range []struct{ k, v string }{{"distro", q.Distro}, {"version", q.Version}, {"arch", q.Arch}, {"release", q.Release}} {
		if f.v != "" {
			parts = append(parts, f.k+"="+f.v)
		}
	}
	if len(parts) == 0 {
		return "(any)"
	}
	return strings.Join(parts, " ")
}
