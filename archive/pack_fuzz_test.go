package archive

import (
	"bytes"
	"encoding/binary"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/index"
)

// The fuzz targets of this file reach below the pack's checksums: they
// take one part of a pack (its index, a group's content, a kernel's
// payload, a zstd frame) as the fuzzer's input, put it in place of the
// part of a real pack, and make every checksum match before reading.

// rawFrame is a zstd frame of data in raw blocks: what a part becomes in
// a pack, without the cost of compressing it on every run.
func rawFrame(data []byte) []byte {
	f := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xc0, (17 - 10) << 3}
	f = binary.LittleEndian.AppendUint64(f, uint64(len(data)))
	const block = 128 << 10
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), block)
		h := uint32(n) << 3
		if n == len(data) {
			h |= 1
		}
		f = append(f, byte(h), byte(h>>8), byte(h>>16))
		f, data = append(f, data[:n]...), data[n:]
	}
	return f
}

// fuzzPack is a pack written for a fuzz target, and its parts.
type fuzzPack struct {
	h       *hostilePack
	content []byte // the content of group 0
	area    []byte // its payload area
	tables  *groupTables
	p       *Pack
}

// fuzzPacks are the packs the fuzz targets start from: a testdata kernel
// twice, slightly changed, so that one is coded against the other, and
// two tiny kernels, which fuzz faster. They are written once for all the
// targets.
func fuzzPacks(f *testing.F) []*fuzzPack {
	fuzzPacksOnce.Do(func() { fuzzPacksMade, fuzzPacksErr = makeFuzzPacks(f) })
	if fuzzPacksErr != nil {
		f.Fatal(fuzzPacksErr)
	}
	return fuzzPacksMade
}

var (
	fuzzPacksOnce sync.Once
	fuzzPacksMade []*fuzzPack
	fuzzPacksErr  error
)

func makeFuzzPacks(f *testing.F) ([]*fuzzPack, error) {
	sets := []map[string][]byte{
		{"a": variant(f, kernel61, 0), "b": variant(f, kernel61, 4)},
		{"a": tinyBTF(1), "b": tinyBTF(2)},
	}
	var out []*fuzzPack
	for _, set := range sets {
		var buf bytes.Buffer
		if err := WritePack(&buf, newMemStore(f, set)); err != nil {
			return nil, err
		}
		p, err := OpenPack(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			return nil, err
		}
		content, err := p.blob("group", p.groups[0])
		if err != nil {
			return nil, err
		}
		tab, area, err := parseShared(content)
		if err != nil {
			return nil, err
		}
		h := &hostilePack{good: buf.Bytes(), ix: packIndex{Groups: p.groups, Entries: p.entries}}
		out = append(out, &fuzzPack{h: h, content: content, area: area, tables: tab, p: p})
	}
	return out, nil
}

// readAll opens the pack in b and reads every kernel: a kernel that reads
// back must have its checksum, and none may be larger than its entry.
func readAll(t *testing.T, b []byte) {
	p, err := OpenPack(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return
	}
	for _, e := range p.entries {
		raw, err := p.ReadBTF(e.Key())
		if err == nil && (index.Hash(raw) != e.XXH64 || int64(len(raw)) != e.RawSize) {
			t.Fatalf("%s read back with the wrong checksum or size", e.Key())
		}
	}
}

// FuzzPackIndex: any index JSON, in a pack whose checksums match.
func FuzzPackIndex(f *testing.F) {
	packs := fuzzPacks(f)
	for i, fp := range packs {
		js, err := fp.h.ix.marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js, uint8(i))
	}
	f.Add([]byte(`{"groups":[{}],"entries":[{}]}`), uint8(1))
	f.Fuzz(func(t *testing.T, js []byte, which uint8) {
		fp := packs[int(which)%len(packs)]
		readAll(t, fp.h.bytes(t, rawFrame(js), uint64(len(js))))
	})
}

// FuzzPackGroupContent: any content of the first group (its tables and
// payload area), in a pack whose checksums and group size match.
func FuzzPackGroupContent(f *testing.F) {
	packs := fuzzPacks(f)
	for i, fp := range packs {
		f.Add(fp.content, uint8(i))
	}
	f.Fuzz(func(t *testing.T, content []byte, which uint8) {
		fp := packs[int(which)%len(packs)]
		h := *fp.h
		h.frame = nil
		h.ix.Groups = append([]packBlob(nil), h.ix.Groups...)
		h.ix.Groups[0] = h.add(rawFrame(content), uint64(len(content)))
		js, err := h.ix.marshal()
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, h.bytes(t, rawFrame(js), uint64(len(js))))
	})
}

// FuzzPackPayload: any payload of a kernel, decoded against its group's
// tables and the lists of the kernel before it as its reference.
func FuzzPackPayload(f *testing.F) {
	packs := fuzzPacks(f)
	type part struct {
		fp  *fuzzPack
		ref kernelLists
	}
	var parts []part
	for _, fp := range packs {
		var ref kernelLists
		for i, e := range fp.p.entries {
			if e.Span == nil || e.Group != 0 {
				continue
			}
			f.Add(fp.area[e.Span.At:e.Span.At+e.Span.Len], uint8(len(parts)))
			parts = append(parts, part{fp, ref})
			kp, err := fp.p.payload(i, fp.area)
			if err != nil {
				f.Fatal(err)
			}
			if ref, err = fp.p.lists(fp.tables, fp.area, i, kp, 0); err != nil {
				f.Fatal(err)
			}
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte, which uint8) {
		pt := parts[int(which)%len(parts)]
		kp, err := parsePayload(payload)
		if err != nil {
			return
		}
		const max = 8 << 20
		l, err := pt.fp.tables.decodeLists(kp, pt.ref, max, true)
		if err != nil {
			return
		}
		raw, err := pt.fp.tables.rebuild(kp.header, l, max)
		if err == nil && len(raw) > max {
			t.Fatalf("%d bytes rebuilt, more than %d", len(raw), max)
		}
	})
}

// FuzzDecodeBlob: no frame may decode to other than the size asked for.
func FuzzDecodeBlob(f *testing.F) {
	f.Add(rawFrame([]byte("BTF")), uint32(3))
	f.Add(rleFrame(1<<20, 0, 17), uint32(1<<20))
	f.Add(compressed(f, tinyBTF(3)), uint32(len(tinyBTF(3))))
	f.Fuzz(func(t *testing.T, frame []byte, size uint32) {
		out, err := decodeBlob(frame, uint64(size%(16<<20)))
		if err == nil && uint64(len(out)) != uint64(size%(16<<20)) {
			t.Fatalf("%d bytes for %d", len(out), size)
		}
	})
}
