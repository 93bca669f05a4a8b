package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
)

// memStore is a Store of raw BTF in memory, for pack tests that need no
// tree.
type memStore struct {
	entries []index.Entry
	raw     map[index.Key][]byte
}

func newMemStore(t testing.TB, kernels map[string][]byte) *memStore {
	m := &memStore{raw: map[index.Key][]byte{}}
	var c index.Catalogue
	for rel, raw := range kernels {
		e, err := describe(index.Entry{Distro: "debian", Version: "12", Arch: "x86_64", Release: rel, Encoder: EncoderRaw}, raw)
		if err != nil {
			t.Fatal(err)
		}
		c.Put(e)
		m.raw[e.Key()] = raw
	}
	m.entries = c.Entries
	return m
}

func (m *memStore) Entries() ([]index.Entry, error)     { return m.entries, nil }
func (m *memStore) ReadBTF(k index.Key) ([]byte, error) { return m.raw[k], nil }
func (m *memStore) Verify() ([]Problem, error)          { return nil, nil }
func (m *memStore) Close() error                        { return nil }

// packKernels are the testdata kernels and synthetic variations of one.
func packKernels(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"6.1.0-53-cloud-amd64": variant(t, kernel61, 0),
		"6.1.0-54-cloud-amd64": variant(t, kernel61, 4),
		"6.1.0-55-cloud-amd64": variant(t, kernel61, 9),
		"6.18.44-fc-v595":      variant(t, "6.18.44-fc-v595", 0),
	}
}

func TestPackRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  PackOptions
	}{
		{"payloads in the group", PackOptions{}},
		{"a blob per kernel", PackOptions{InlinePayloads: -1}},
		{"groups of two", PackOptions{GroupSize: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) { testPackRoundTrip(t, tt.opt) })
	}
}

func testPackRoundTrip(t *testing.T, opt PackOptions) {
	kernels := packKernels(t)
	st := newMemStore(t, kernels)
	var a, b bytes.Buffer
	if err := WritePackOptions(&a, st, &opt); err != nil {
		t.Fatal(err)
	}
	if err := WritePackOptions(&b, st, &opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two packs of the same kernels differ")
	}
	p, err := OpenPack(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := p.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(kernels) {
		t.Fatalf("%d entries", len(entries))
	}
	total := 0
	for _, e := range entries {
		raw, err := p.ReadBTF(e.Key())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, kernels[e.Release]) {
			t.Fatalf("%s differs", e.Release)
		}
		total += len(raw)
	}
	// The variations cost little more than one kernel, when they share a
	// group.
	single := len(compressedAlone(t, kernels["6.1.0-53-cloud-amd64"])) + len(compressedAlone(t, kernels["6.18.44-fc-v595"]))
	t.Logf("pack %d bytes for %d bytes of BTF; the two distinct kernels alone %d", a.Len(), total, single)
	if opt.GroupSize == 0 && a.Len() > single*11/10 {
		t.Fatalf("pack of %d bytes, more than 1.1 x the %d of its two distinct kernels", a.Len(), single)
	}
	if problems, err := p.Verify(); err != nil || len(problems) != 0 {
		t.Fatal(problems, err)
	}
	// Unpack gives a tree with the same kernels.
	dir := t.TempDir()
	if err := Unpack(p, dir); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := tr.Verify(); err != nil || len(problems) != 0 {
		t.Fatal(problems, err)
	}
	for rel, raw := range kernels {
		got, err := tr.ReadBTF(index.Key{Distro: "debian", Version: "12", Arch: "x86_64", Release: rel})
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("%s after unpack: %v", rel, err)
		}
	}
}

func compressedAlone(t testing.TB, raw []byte) []byte {
	b, err := compressBlob(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPackRejects(t *testing.T) {
	st := newMemStore(t, map[string][]byte{"a": variant(t, kernel61, 0), "b": variant(t, kernel61, 2)})
	var buf bytes.Buffer
	if err := WritePack(&buf, st); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	p, err := OpenPack(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	second, group := p.entries[1], p.groups[0]

	rehead := func(b []byte) []byte {
		binary.LittleEndian.PutUint64(b[56:], xxhash.Sum64(b[:56]))
		return b
	}
	tests := []struct {
		name string
		in   []byte
		msg  string
		read bool // the error shows when reading the kernel, not opening
	}{
		{"empty", nil, "reading the header", false},
		{"magic", append([]byte("NOTAPACK"), good[8:]...), "not a btfhub pack", false},
		{"version", func() []byte {
			b := bytes.Clone(good)
			binary.LittleEndian.PutUint32(b[8:], 1)
			return rehead(b)
		}(), "unknown pack version 1", false},
		{"header checksum", func() []byte { b := bytes.Clone(good); b[20]++; return b }(), "header checksum mismatch", false},
		{"truncated", good[:len(good)-10], "truncated", false},
		{"index checksum", func() []byte { b := bytes.Clone(good); b[len(b)-5]++; return b }(), "index checksum mismatch", false},
		{"blob checksum", func() []byte { b := bytes.Clone(good); b[group.Offset+group.Length/2]++; return b }(), "blob at byte 64: xxh64", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := OpenPack(bytes.NewReader(tt.in), int64(len(tt.in)))
			if tt.read {
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.ReadBTF(second.Key())
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

// TestPackRejectsIndex checks the index's rules on where an entry's
// payload is, on packs whose index is rewritten with valid checksums.
func TestPackRejectsIndex(t *testing.T) {
	st := newMemStore(t, map[string][]byte{"a": tinyBTF(1), "b": tinyBTF(2)})
	var buf bytes.Buffer
	if err := WritePack(&buf, st); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	tests := []struct {
		name   string
		change func(ix *packIndex)
		msg    string
		read   bool
	}{
		{"span and blob", func(ix *packIndex) { ix.Entries[1].Blob = &ix.Groups[0] }, "needs a blob, or a span", false},
		{"neither", func(ix *packIndex) { ix.Entries[1].Span = nil }, "needs a blob, or a span", false},
		{"span of no group", func(ix *packIndex) { ix.Entries[1].Group = -1 }, "needs a blob, or a span", false},
		{"no such group", func(ix *packIndex) { ix.Entries[1].Group = 7 }, "no group 7", false},
		{"span past the group", func(ix *packIndex) { ix.Entries[1].Span.At = ix.Groups[0].Size }, "outside its group", false},
		{"span in the tables", func(ix *packIndex) {
			// Within the group's content, but past its payload area.
			ix.Entries[1].Span.Len = ix.Groups[0].Size - ix.Entries[1].Span.At
		}, "outside the", true},
		{"span of another payload", func(ix *packIndex) { ix.Entries[1].Span = ix.Entries[0].Span }, "the catalogue says", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := rewriteIndex(t, good, tt.change)
			p, err := OpenPack(bytes.NewReader(in), int64(len(in)))
			if tt.read {
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.ReadBTF(p.entries[1].Key())
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

// rewriteIndex returns the pack with its index changed by change, and its
// header's sizes and checksums made to match.
func rewriteIndex(t *testing.T, pack []byte, change func(*packIndex)) []byte {
	t.Helper()
	h, err := parsePackHeader(pack, int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	js, err := decodeBlob(pack[h.indexOff:h.indexOff+h.indexLen], h.indexRawLen)
	if err != nil {
		t.Fatal(err)
	}
	var ix packIndex
	if err := json.Unmarshal(js, &ix); err != nil {
		t.Fatal(err)
	}
	change(&ix)
	if js, err = ix.marshal(); err != nil {
		t.Fatal(err)
	}
	zix, err := compressBlob(js)
	if err != nil {
		t.Fatal(err)
	}
	h.indexLen, h.indexRawLen, h.indexSum = uint64(len(zix)), uint64(len(js)), xxhash.Sum64(zix)
	h.fileSize = h.indexOff + h.indexLen
	return append(append(h.marshal(), pack[packHeaderSize:h.indexOff]...), zix...)
}

// TestPackFileThroughTree packs a tree written by Add, and reads the pack
// through Open, as the CLI does.
func TestPackFileThroughTree(t *testing.T) {
	in, dir := t.TempDir(), t.TempDir()
	inputs := []string{
		writeFile(t, in, "6.1.0-53-cloud-amd64.btf", variant(t, kernel61, 0)),
		writeFile(t, in, "6.1.0-54-cloud-amd64.btf", variant(t, kernel61, 2)),
	}
	if _, err := Add(dir, inputs, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.pack")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePack(f, tr); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	te, err := tr.Entries()
	if err != nil {
		t.Fatal(err)
	}
	pe, err := st.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(te) != len(pe) || te[0] != pe[0] || te[1] != pe[1] {
		t.Fatalf("pack entries %v, tree %v", pe, te)
	}
	if problems, err := st.Verify(); err != nil || len(problems) != 0 {
		t.Fatal(problems, err)
	}
}

func FuzzOpenPack(f *testing.F) {
	// Small, valid BTF keeps the fuzzer fast: the header alone.
	small := map[string][]byte{"r1": tinyBTF(1), "r2": tinyBTF(2)}
	var buf bytes.Buffer
	if err := WritePack(&buf, newMemStore(f, small)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(packMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := OpenPack(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, e := range p.entries {
			raw, err := p.ReadBTF(e.Key())
			if err == nil && index.Hash(raw) != e.XXH64 {
				t.Fatalf("%s read back with the wrong checksum", e.Key())
			}
		}
	})
}

// tinyBTF is raw BTF of one type, "int" or "int<n>".
func tinyBTF(n int) []byte {
	name := "int"
	for i := 0; i < n; i++ {
		name += "x"
	}
	strs := "\x00" + name + "\x00"
	b := make([]byte, 24+16)
	binary.LittleEndian.PutUint16(b[0:], 0xeb9f)
	b[2] = 1
	binary.LittleEndian.PutUint32(b[4:], 24)
	binary.LittleEndian.PutUint32(b[8:], 0)
	binary.LittleEndian.PutUint32(b[12:], 16)
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint32(b[20:], uint32(len(strs)))
	binary.LittleEndian.PutUint32(b[24:], 1)
	binary.LittleEndian.PutUint32(b[28:], 1<<24)
	binary.LittleEndian.PutUint32(b[32:], 4)
	binary.LittleEndian.PutUint32(b[36:], 32)
	return append(b, strs...)
}

// FuzzPackGroup feeds a group blob's content, past the pack's checksums,
// to the group decoder: the tables by column, then every payload of the
// payload area as one kernel, rebuilt when its lists decode. Tables that
// decode must encode back to the same columns.
func FuzzPackGroup(f *testing.F) {
	for _, kernels := range []map[string][]byte{
		{"a": tinyBTF(1), "b": tinyBTF(2)},
		{"a": tinyBTF(3)},
	} {
		var buf bytes.Buffer
		if err := WritePack(&buf, newMemStore(f, kernels)); err != nil {
			f.Fatal(err)
		}
		p, err := OpenPack(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			f.Fatal(err)
		}
		content, err := p.blob("group", p.groups[0])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(content)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, area, err := parseShared(data)
		if err != nil {
			return
		}
		cols := appendColumns(nil, tab.words)
		if again, _, rest, err := parseColumns(cols, 0); err != nil || len(rest) != 0 || !slices.Equal(again, tab.words) {
			t.Fatalf("columns do not round-trip: %v", err)
		}
		kp, err := parsePayload(area)
		if err != nil {
			return
		}
		lists, err := tab.decodeLists(kp, kernelLists{}, 1<<16, true)
		if err != nil {
			return
		}
		tab.rebuild(kp.header, lists, 1<<16)
	})
}
