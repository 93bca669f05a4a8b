package index

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/btfhub/btfhub/internal/safefs"
	"github.com/cespare/xxhash/v2"
)

// MaxCatalogue bounds the size of a catalogue file that is read: 64 MiB,
// room for MaxEntries entries and MaxPackages records of the longest
// lines real archives have (about 400 bytes).
const MaxCatalogue = 64 << 20

// MaxEntries bounds the entries of a catalogue that is read. Real
// archives hold tens of thousands (btfhub-archive about 20,000).
const MaxEntries = 100_000

// MaxPackages bounds the package records of a catalogue that is read.
const MaxPackages = 100_000

// maxEntries and maxPackages are the bounds in force; tests lower them.
var maxEntries, maxPackages, maxCatalogue = MaxEntries, MaxPackages, int64(MaxCatalogue)

// Read decodes a catalogue from r as a stream, one entry at a time, so
// that memory stays a small multiple of one entry plus the entries kept.
// It reads at most MaxCatalogue bytes, and rejects a longer stream, more
// than MaxEntries entries or MaxPackages records, an unknown format or
// version, a checksum mismatch, invalid entries and duplicate keys.
func Read(r io.Reader) (*Catalogue, error) {
	lr := &io.LimitedReader{R: r, N: maxCatalogue + 1}
	c, err := decodeStream(bufio.NewReaderSize(lr, 64<<10))
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrCatalogue, maxCatalogue)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ReadFile reads the catalogue at path, which must be a regular file (not
// a link, a device or a FIFO) of at most MaxCatalogue bytes. A missing
// file is an empty catalogue.
func ReadFile(path string) (*Catalogue, error) {
	f, _, err := safefs.OpenFile(path, MaxCatalogue)
	if errors.Is(err, fs.ErrNotExist) {
		return &Catalogue{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	defer f.Close()
	c, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// interner shares the strings that repeat from entry to entry.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < 4096 {
		in[s] = s
	}
	return s
}

// decodeStream reads the catalogue object key by key; "entries" and
// "packages" element by element.
func decodeStream(r io.Reader) (*Catalogue, error) {
	dec := json.NewDecoder(r)
	bad := func(err error) (*Catalogue, error) {
		return nil, fmt.Errorf("%w: at byte %d: %w", ErrCatalogue, dec.InputOffset(), err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return bad(err)
	}
	var (
		format, sum string
		version     int
		c           Catalogue
		seen        = map[string]bool{}
		in          = interner{}
		hasPkgs     bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad(err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return bad(fmt.Errorf("field %q twice", key))
		}
		seen[key] = true
		switch key {
		case "format":
			err = dec.Decode(&format)
		case "version":
			err = dec.Decode(&version)
		case "checksum":
			err = dec.Decode(&sum)
		case "entries":
			err = decodeList(dec, maxEntries, "entries", func(e *Entry, i int) error {
				if err := e.Validate(); err != nil {
					return fmt.Errorf("entry %d: %w", i, err)
				}
				if i > 0 && !c.Entries[i-1].Key().Less(e.Key()) {
					return fmt.Errorf("entry %d (%s): not sorted, or a duplicate", i, e.Key())
				}
				e.Distro, e.Version, e.Arch = in.get(e.Distro), in.get(e.Version), in.get(e.Arch)
				e.Encoder, e.EncoderVersion = in.get(e.Encoder), in.get(e.EncoderVersion)
				c.Entries = append(c.Entries, *e)
				return nil
			})
		case "packages":
			hasPkgs = true
			err = decodeList(dec, maxPackages, "packages", func(p *Record, i int) error {
				if err := p.Validate(); err != nil {
					return fmt.Errorf("package %d: %w", i, err)
				}
				if i > 0 && !c.Packages[i-1].Less(p) {
					return fmt.Errorf("package %d (%s): not sorted, or a duplicate", i, p.Source)
				}
				p.Distro, p.Version, p.Arch = in.get(p.Distro), in.get(p.Version), in.get(p.Arch)
				c.Packages = append(c.Packages, *p)
				return nil
			})
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			if errors.Is(err, ErrCatalogue) || errors.Is(err, ErrInvalid) {
				return nil, err
			}
			return bad(fmt.Errorf("%q: %w", key, err))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return bad(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad(errors.New("data after the catalogue object"))
	}
	if format != FormatName {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrCatalogue, format, FormatName)
	}
	if version != 1 && version != Version {
		return nil, fmt.Errorf("%w: unknown version %d (this btfhub reads versions 1 to %d)", ErrCatalogue, version, Version)
	}
	if version == 1 && hasPkgs {
		return nil, fmt.Errorf("%w: version 1 has no packages", ErrCatalogue)
	}
	want, err := checksum(version, c.Entries, c.Packages)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	if want != sum {
		return nil, fmt.Errorf("%w: checksum mismatch: entries hash to %s, the catalogue says %s", ErrCatalogue, want, sum)
	}
	return &c, nil
}

// decodeList decodes a JSON array (or null) element by element, calling
// keep with each, and fails past max elements.
func decodeList[T any](dec *json.Decoder, max int, what string, keep func(*T, int) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("not an array")
	}
	for i := 0; dec.More(); i++ {
		if i >= max {
			return fmt.Errorf("%w: more than %d %s", ErrCatalogue, max, what)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
		if err := keep(&v, i); err != nil {
			return fmt.Errorf("%w: %w", ErrCatalogue, err)
		}
	}
	_, err = dec.Token()
	return err
}

// expectDelim reads the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("got %v, want %q", tok, string(d))
	}
	return nil
}

// checksum is the xxhash64 of the compact JSON encoding of the entries;
// from version 2 on, followed by a newline and that of the packages. It
// encodes one element at a time into the hash.
func checksum(version int, entries []Entry, packages []Record) (string, error) {
	d := xxhash.New()
	if err := hashList(d, entries); err != nil {
		return "", err
	}
	if version >= 2 {
		d.Write([]byte{'\n'})
		if err := hashList(d, packages); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("xxh64:%016x", d.Sum64()), nil
}

// hashList writes the compact JSON of list to d, as json.Marshal would.
func hashList[T any](d *xxhash.Digest, list []T) error {
	d.Write([]byte{'['})
	for i := range list {
		if i > 0 {
			d.Write([]byte{','})
		}
		b, err := json.Marshal(&list[i])
		if err != nil {
			return err
		}
		d.Write(b)
	}
	d.Write([]byte{']'})
	return nil
}
