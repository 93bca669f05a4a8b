package index

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Status says why a package that archive sync read gave no entry.
type Status string

// The statuses of a Record.
const (
	// HasBTF: the kernel ships its own BTF (its vmlinux has a .BTF
	// section), and sync was asked to leave such kernels out
	// (--skip-with-btf), as btfhub-archive does.
	HasBTF Status = "has-btf"
	// NoVmlinux: the package holds no vmlinux.
	NoVmlinux Status = "no-vmlinux"
	// Failed: reading the package failed; Record.Error says why.
	Failed Status = "failed"
)

// Record remembers a package that archive sync read without adding a
// kernel from it, so that the next sync of the same repository does not
// download it again. A package that gives an entry is remembered by the
// entry's Source and SourceSHA256 instead.
type Record struct {
	// Distro, Version and Arch are the archive key's first three parts,
	// as for an Entry.
	Distro  string `json:"distro"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
	// Source names the package: "name_version_arch".
	Source string `json:"source"`
	// SHA256 is the package file's SHA-256 in lower-case hex.
	SHA256 string `json:"sha256"`
	// Status says what was found.
	Status Status `json:"status"`
	// Error is the failure, for Status Failed.
	Error string `json:"error,omitempty"`
}

// maxRecordError bounds the error text a record keeps.
const maxRecordError = 1024

// Less orders records by distro, version, arch, then source.
func (r *Record) Less(o *Record) bool {
	return cmpRecord(r, o) < 0
}

func cmpRecord(a, b *Record) int {
	for _, p := range [][2]string{{a.Distro, b.Distro}, {a.Version, b.Version}, {a.Arch, b.Arch}, {a.Source, b.Source}} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return 0
}

// Validate checks a record's fields.
func (r *Record) Validate() error {
	k := Key{Distro: r.Distro, Version: r.Version, Arch: r.Arch, Release: "x"}
	if err := k.Validate(); err != nil {
		return err
	}
	if err := checkComponent(r.Source); err != nil {
		return fmt.Errorf("%w: package record source %q: %w", ErrInvalid, r.Source, err)
	}
	if !IsSHA256(r.SHA256) {
		return fmt.Errorf("%w: package record %s: sha256 %q is not 64 lower-case hex digits", ErrInvalid, r.Source, r.SHA256)
	}
	switch r.Status {
	case HasBTF, NoVmlinux, Failed:
	default:
		return fmt.Errorf("%w: package record %s: unknown status %q", ErrInvalid, r.Source, r.Status)
	}
	if len(r.Error) > maxRecordError {
		return fmt.Errorf("%w: package record %s: error text of %d bytes", ErrInvalid, r.Source, len(r.Error))
	}
	return nil
}

// FindRecord returns the record of the package source in one distro
// version and arch.
func (c *Catalogue) FindRecord(distro, version, arch, source string) (Record, bool) {
	probe := Record{Distro: distro, Version: version, Arch: arch, Source: source}
	i, ok := slices.BinarySearchFunc(c.Packages, &probe, func(r Record, p *Record) int { return cmpRecord(&r, p) })
	if !ok {
		return Record{}, false
	}
	return c.Packages[i], true
}

// PutRecord adds r, or replaces the record of its package. An error
// longer than the format allows is cut.
func (c *Catalogue) PutRecord(r Record) {
	if len(r.Error) > maxRecordError {
		cut := maxRecordError - 3
		for cut > 0 && !utf8.RuneStart(r.Error[cut]) {
			cut--
		}
		r.Error = r.Error[:cut] + "..."
	}
	i, ok := slices.BinarySearchFunc(c.Packages, &r, func(x Record, p *Record) int { return cmpRecord(&x, p) })
	if ok {
		c.Packages[i] = r
		return
	}
	c.Packages = slices.Insert(c.Packages, i, r)
}

// RemoveRecord deletes the record of a package, if any.
func (c *Catalogue) RemoveRecord(distro, version, arch, source string) {
	probe := Record{Distro: distro, Version: version, Arch: arch, Source: source}
	if i, ok := slices.BinarySearchFunc(c.Packages, &probe, func(r Record, p *Record) int { return cmpRecord(&r, p) }); ok {
		c.Packages = slices.Delete(c.Packages, i, i+1)
	}
}
