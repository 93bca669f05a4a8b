package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// FileName is the catalogue's name at the root of an archive.
const FileName = "btfhub-catalogue.json"

// FormatName is the value of the catalogue's "format" field.
const FormatName = "btfhub-catalogue"

// Version is the catalogue format version this package writes. It reads
// version 1 too, which has no package records and no source checksums.
const Version = 2

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

// Decode reads a catalogue from data, as Read does.
func Decode(data []byte) (*Catalogue, error) {
	if len(data) > MaxCatalogue {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrCatalogue, len(data), MaxCatalogue)
	}
	return Read(bytes.NewReader(data))
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
