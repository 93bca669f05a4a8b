package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// FileName is the catalogue's name at the root of an archive.
const FileName = "btfhub-catalogue.json"

// FormatName is the value of the catalogue's "format" field.
const FormatName = "btfhub-catalogue"

// Version is the catalogue format version this package writes. It reads
// version 1 too, which has no package records and no source checksums.
const Version = 2

// MaxCatalogue bounds the size of a catalogue file that is read: about
// two million entries.
const MaxCatalogue = 512 << 20

// ErrCatalogue is wrapped by errors about a catalogue that cannot be read:
// unknown format or version, checksum mismatch, invalid or duplicate
// entries.
var ErrCatalogue = errors.New("bad catalogue")

// Catalogue is the list of an archive's entries, sorted by key with no
// two entries of one key, and of the packages archive sync read without
// adding an entry, sorted by Record.Less with no two of one package.
type Catalogue struct {
	Entries  []Entry
	Packages []Record
}

// document is the catalogue's JSON form.
type document struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	Checksum string   `json:"checksum"`
	Entries  []Entry  `json:"entries"`
	Packages []Record `json:"packages"`
}

// checksum is the xxhash64 of the compact JSON encoding of the entries;
// from version 2 on, followed by a newline and that of the packages.
func checksum(version int, entries []Entry, packages []Record) (string, error) {
	if entries == nil {
		entries = []Entry{}
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return "", err
	}
	if version >= 2 {
		if packages == nil {
			packages = []Record{}
		}
		p, err := json.Marshal(packages)
		if err != nil {
			return "", err
		}
		b = append(append(b, '\n'), p...)
	}
	return "xxh64:" + Hash(b), nil
}

// Marshal encodes the catalogue deterministically: the same entries give
// the same bytes, one entry per line.
func (c *Catalogue) Marshal() ([]byte, error) {
	c.sort()
	sum, err := checksum(Version, c.Entries, c.Packages)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n\"format\": %q,\n\"version\": %d,\n\"checksum\": %q,\n\"entries\": [", FormatName, Version, sum)
	if err := writeLines(&buf, c.Entries); err != nil {
		return nil, err
	}
	buf.WriteString("],\n\"packages\": [")
	if err := writeLines(&buf, c.Packages); err != nil {
		return nil, err
	}
	buf.WriteString("]\n}\n")
	return buf.Bytes(), nil
}

// writeLines writes the JSON of each element on a line of its own.
func writeLines[T any](buf *bytes.Buffer, list []T) error {
	for i := range list {
		b, err := json.Marshal(&list[i])
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		buf.Write(b)
	}
	if len(list) > 0 {
		buf.WriteString("\n")
	}
	return nil
}

// Decode reads a catalogue, rejecting an unknown format or version, a
// checksum mismatch, invalid entries and duplicate keys.
func Decode(data []byte) (*Catalogue, error) {
	if len(data) > MaxCatalogue {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrCatalogue, len(data), MaxCatalogue)
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
	}
	if head.Format != FormatName {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrCatalogue, head.Format, FormatName)
	}
	if head.Version != 1 && head.Version != Version {
		return nil, fmt.Errorf("%w: unknown version %d (this btfhub reads versions 1 to %d)", ErrCatalogue, head.Version, Version)
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalogue, err)
	}
	if head.Version == 1 && doc.Packages != nil {
		return nil, fmt.Errorf("%w: version 1 has no packages", ErrCatalogue)
	}
	sum, err := checksum(head.Version, doc.Entries, doc.Packages)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	if sum != doc.Checksum {
		return nil, fmt.Errorf("%w: checksum mismatch: entries hash to %s, the catalogue says %s", ErrCatalogue, sum, doc.Checksum)
	}
	c := &Catalogue{Entries: doc.Entries, Packages: doc.Packages}
	for i := range c.Packages {
		r := &c.Packages[i]
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%w: package %d: %w", ErrCatalogue, i, err)
		}
		if i > 0 && !c.Packages[i-1].Less(r) {
			return nil, fmt.Errorf("%w: package %d (%s): not sorted, or a duplicate", ErrCatalogue, i, r.Source)
		}
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrCatalogue, i, err)
		}
		if i > 0 && !c.Entries[i-1].Key().Less(e.Key()) {
			return nil, fmt.Errorf("%w: entry %d (%s): not sorted, or a duplicate", ErrCatalogue, i, e.Key())
		}
	}
	return c, nil
}

// ReadFile reads the catalogue at path. A missing file is an empty
// catalogue.
func ReadFile(path string) (*Catalogue, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Catalogue{}, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func (c *Catalogue) sort() {
	slices.SortFunc(c.Packages, func(a, b Record) int { return cmpRecord(&a, &b) })
	slices.SortFunc(c.Entries, func(a, b Entry) int {
		ka, kb := a.Key(), b.Key()
		switch {
		case ka.Less(kb):
			return -1
		case kb.Less(ka):
			return 1
		}
		return 0
	})
}

// search returns the position of key k, and whether it is there.
func (c *Catalogue) search(k Key) (int, bool) {
	return slices.BinarySearchFunc(c.Entries, k, func(e Entry, k Key) int {
		ek := e.Key()
		switch {
		case ek.Less(k):
			return -1
		case k.Less(ek):
			return 1
		}
		return 0
	})
}

// Find returns the entry of key k.
func (c *Catalogue) Find(k Key) (Entry, bool) {
	i, ok := c.search(k)
	if !ok {
		return Entry{}, false
	}
	return c.Entries[i], true
}

// Put adds e, or replaces the entry of its key; it keeps the entries
// sorted.
func (c *Catalogue) Put(e Entry) {
	i, ok := c.search(e.Key())
	if ok {
		c.Entries[i] = e
		return
	}
	c.Entries = slices.Insert(c.Entries, i, e)
}

// Remove deletes the entry of key k, if any.
func (c *Catalogue) Remove(k Key) {
	if i, ok := c.search(k); ok {
		c.Entries = slices.Delete(c.Entries, i, i+1)
	}
}
