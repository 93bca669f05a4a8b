package index

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCatalogueRoundTrip(t *testing.T) {
	var c Catalogue
	for i := len(archiveEntries) - 1; i >= 0; i-- {
		c.Put(archiveEntries[i])
	}
	c.Put(archiveEntries[0]) // replacing keeps one entry per key
	if len(c.Entries) != len(archiveEntries) {
		t.Fatalf("%d entries", len(c.Entries))
	}
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.Marshal()
	if !bytes.Equal(data, again) {
		t.Fatal("re-encoding differs: the writer is not deterministic")
	}
	e, ok := d.Find(archiveEntries[3].Key())
	if !ok || e != archiveEntries[3] {
		t.Fatalf("Find = %+v, %v", e, ok)
	}
	d.Remove(e.Key())
	if _, ok := d.Find(e.Key()); ok {
		t.Fatal("entry still there after Remove")
	}
}

func TestCatalogueRejects(t *testing.T) {
	c := Catalogue{Entries: []Entry{entry("debian", "12", "x86_64", "6.1.0-53-amd64", h1)}}
	good, _ := c.Marshal()
	tests := []struct {
		name, in, msg string
	}{
		{"not json", "hello", "bad catalogue"},
		{"format", strings.Replace(string(good), FormatName, "other", 1), `format "other"`},
		{"version", strings.Replace(string(good), `"version": 1`, `"version": 2`, 1), "unknown version 2"},
		{"checksum", strings.Replace(string(good), `"types":3`, `"types":4`, 1), "checksum mismatch"},
		{"path", string(must((&Catalogue{Entries: []Entry{entry("debian", "..", "x86_64", "r", h1)}}).Marshal())), "starts with a dot"},
		{"slash", string(must((&Catalogue{Entries: []Entry{entry("debian", "12", "x86_64", "a/b", h1)}}).Marshal())), "not allowed"},
		{"arch", string(must((&Catalogue{Entries: []Entry{entry("debian", "12", "aarch64", "r", h1)}}).Marshal())), "want x86_64 or arm64"},
		{"hash", string(must((&Catalogue{Entries: []Entry{entry("debian", "12", "x86_64", "r", "xyz")}}).Marshal())), "16 lower-case hex"},
		{"duplicate", string(must((&Catalogue{Entries: []Entry{c.Entries[0], c.Entries[0]}}).Marshal())), "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			if !errors.Is(err, ErrCatalogue) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzDecode(f *testing.F) {
	c := Catalogue{Entries: archiveEntries}
	f.Add(must(c.Marshal()))
	f.Add([]byte(`{"format":"btfhub-catalogue","version":1,"checksum":"","entries":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data)
		if err != nil {
			return
		}
		// What decodes re-encodes, and decodes to the same thing.
		out, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(out)
		if err != nil || len(d.Entries) != len(c.Entries) {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}
