package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
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

const sha = "5a42fb0112adc43eebd7cad75d43e1697ce62bfe137b6d481710c888d1e8a766"

var withRecordCat = Catalogue{Packages: []Record{{Distro: "debian", Version: "12", Arch: "x86_64", Source: "linux-image-6.1.0-53-amd64-dbg_6.1.187-1_amd64", SHA256: sha, Status: Failed, Error: "boom"}}}
var withRecord = must(withRecordCat.Marshal())

func TestCatalogueRejects(t *testing.T) {
	c := Catalogue{Entries: []Entry{entry("debian", "12", "x86_64", "6.1.0-53-amd64", h1)}}
	good, _ := c.Marshal()
	tests := []struct {
		name, in, msg string
	}{
		{"not json", "hello", "bad catalogue"},
		{"format", strings.Replace(string(good), FormatName, "other", 1), `format "other"`},
		{"version", strings.Replace(string(good), `"version": 2`, `"version": 3`, 1), "unknown version 3"},
		{"v1 with packages", strings.Replace(string(good), `"version": 2`, `"version": 1`, 1), "version 1 has no packages"},
		{"record checksum", strings.Replace(string(withRecord), `"status":"failed"`, `"status":"no-vmlinux"`, 1), "checksum mismatch"},
		{"record status", string(must((&Catalogue{Packages: []Record{{Distro: "debian", Version: "12", Arch: "x86_64", Source: "p_1_amd64", SHA256: sha, Status: "odd"}}}).Marshal())), `unknown status "odd"`},
		{"record sha256", string(must((&Catalogue{Packages: []Record{{Distro: "debian", Version: "12", Arch: "x86_64", Source: "p_1_amd64", SHA256: "abc", Status: Failed}}}).Marshal())), "64 lower-case hex"},
		{"record source", string(must((&Catalogue{Packages: []Record{{Distro: "debian", Version: "12", Arch: "x86_64", Source: "../p", SHA256: sha, Status: Failed}}}).Marshal())), "starts with a dot"},
		{"record duplicate", string(must((&Catalogue{Packages: []Record{withRecordCat.Packages[0], withRecordCat.Packages[0]}}).Marshal())), "duplicate"},
		{"entry sha256", string(must((&Catalogue{Entries: []Entry{{Distro: "debian", Version: "12", Arch: "x86_64", Release: "r", XXH64: h1, RawSize: 1, Encoder: "raw", SourceSHA256: "ABC"}}}).Marshal())), "source_sha256"},
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

// TestCatalogueVersion1 reads a catalogue as version 1 wrote it: no
// packages, and a checksum of the entries alone.
func TestCatalogueVersion1(t *testing.T) {
	entries := []Entry{entry("debian", "12", "x86_64", "6.1.0-53-amd64", h1)}
	b, _ := json.Marshal(entries)
	doc := `{"format":"btfhub-catalogue","version":1,"checksum":"xxh64:` + Hash(b) + `","entries":` + string(b) + `}`
	c, err := Decode([]byte(doc))
	if err != nil || len(c.Entries) != 1 || c.Entries[0] != entries[0] {
		t.Fatalf("Decode = %+v, %v", c, err)
	}
}

// TestRecords adds, finds, replaces and removes package records, and
// keeps them through a round trip.
func TestRecords(t *testing.T) {
	var c Catalogue
	for _, src := range []string{"b_1_amd64", "a_1_amd64", "c_1_amd64"} {
		c.PutRecord(Record{Distro: "debian", Version: "12", Arch: "x86_64", Source: src, SHA256: sha, Status: NoVmlinux})
	}
	c.PutRecord(Record{Distro: "debian", Version: "12", Arch: "x86_64", Source: "a_1_amd64", SHA256: sha, Status: Failed, Error: strings.Repeat("é", 1000)})
	if len(c.Packages) != 3 || c.Packages[0].Source != "a_1_amd64" || c.Packages[0].Status != Failed {
		t.Fatalf("records %+v", c.Packages)
	}
	if n := len(c.Packages[0].Error); n > maxRecordError || !utf8.ValidString(c.Packages[0].Error) {
		t.Fatalf("error text of %d bytes, valid UTF-8 %v", n, utf8.ValidString(c.Packages[0].Error))
	}
	d, err := Decode(must(c.Marshal()))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := d.FindRecord("debian", "12", "x86_64", "b_1_amd64"); !ok || r.Status != NoVmlinux {
		t.Fatalf("FindRecord = %+v, %v", r, ok)
	}
	d.RemoveRecord("debian", "12", "x86_64", "b_1_amd64")
	if _, ok := d.FindRecord("debian", "12", "x86_64", "b_1_amd64"); ok || len(d.Packages) != 2 {
		t.Fatal("record still there after RemoveRecord")
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
	f.Add(withRecord)
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
		if err != nil || len(d.Entries) != len(c.Entries) || len(d.Packages) != len(c.Packages) {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}
