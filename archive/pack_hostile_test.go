package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
)

// rleFrame is a zstd frame of size bytes c made of RLE blocks, with a
// window of 1<<windowLog bytes: the cheapest way to declare much.
func rleFrame(size uint64, c byte, windowLog int) []byte {
	f := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xc0, byte((windowLog - 10) << 3)}
	f = binary.LittleEndian.AppendUint64(f, size)
	const block = 128 << 10
	for left := size; left > 0; {
		n := min(left, block)
		left -= n
		h := uint32(n)<<3 | 1<<1
		if left == 0 {
			h |= 1
		}
		f = append(f, byte(h), byte(h>>8), byte(h>>16), c)
	}
	return f
}

// hostilePack is a pack of two tiny kernels in one group whose index and
// blobs a case rewrites; every checksum is made to match.
type hostilePack struct {
	good  []byte
	ix    packIndex
	frame []byte // a frame to append to the data
}

func newHostilePack(t testing.TB) *hostilePack {
	var buf bytes.Buffer
	if err := WritePack(&buf, newMemStore(t, map[string][]byte{"a": tinyBTF(1), "b": tinyBTF(2)})); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPack(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return &hostilePack{good: buf.Bytes(), ix: packIndex{Groups: p.groups, Entries: p.entries}}
}

// add appends frame to the data, declaring size bytes, and returns its
// blob.
func (h *hostilePack) add(frame []byte, size uint64) packBlob {
	hd, _ := parsePackHeader(h.good, int64(len(h.good)))
	b := packBlob{Offset: hd.indexOff + uint64(len(h.frame)), Length: uint64(len(frame)), Size: size, Sum: index.Hash(frame)}
	h.frame = append(h.frame, frame...)
	return b
}

// bytes assembles the pack with index JSON js (nil: h.ix) and, when
// rawLen is not 0, a header declaring an index of rawLen bytes.
func (h *hostilePack) bytes(t testing.TB, zix []byte, rawLen uint64) []byte {
	hd, _ := parsePackHeader(h.good, int64(len(h.good)))
	if zix == nil {
		js, err := h.ix.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if zix, err = compressBlob(js); err != nil {
			t.Fatal(err)
		}
		rawLen = uint64(len(js))
	}
	hd.indexOff += uint64(len(h.frame))
	hd.indexLen, hd.indexRawLen, hd.indexSum = uint64(len(zix)), rawLen, xxhash.Sum64(zix)
	hd.fileSize = hd.indexOff + hd.indexLen
	out := append(hd.marshal(), h.good[packHeaderSize:hd.indexOff-uint64(len(h.frame))]...)
	return append(append(out, h.frame...), zix...)
}

// jsonIndex is the pack of h with an index of n copies of elem in the
// array field.
func (h *hostilePack) jsonIndex(t testing.TB, field, elem string, n int) []byte {
	js := `{"` + field + `":[` + strings.Repeat(elem+",", n-1) + elem + `]}`
	return h.bytes(t, compressed(t, []byte(js)), uint64(len(js)))
}

func compressed(t testing.TB, b []byte) []byte {
	z, err := compressBlob(b)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestPackHostile opens and reads crafted packs whose checksums all
// match, under a memory limit of 256 MiB: each must end in its error,
// wrapping ErrCorrupt or ErrTooLarge, having allocated less than its
// bound in all (runtime.MemStats.TotalAlloc, which bounds the peak). On
// the reader before these bounds, the first, third, fourth and eighth
// died of "runtime: out of memory" at several GB.
func TestPackHostile(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	tests := []struct {
		name  string
		make  func(t testing.TB) []byte
		err   string
		is    error
		bound uint64 // bytes allocated while opening and reading
	}{
		{"group claiming 256M strings, as many bytes", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Groups[0] = h.add(rleFrame(1<<28+4, 0, 17), 1<<28+4)
			return h.bytes(t, nil, 0)
		}, "group 0: blob at byte 147 of 268435460 bytes, more than 67108864: larger than the limit", ErrTooLarge, 1 << 20},
		{"group claiming 256M strings", func(t testing.TB) []byte {
			h := newHostilePack(t)
			c := append(binary.AppendUvarint(nil, 1<<28), make([]byte, 1<<16)...)
			h.ix.Groups[0] = h.add(compressed(t, c), uint64(len(c)))
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: group 0: corrupt archive file: group tables: string count 268435456 at byte 0, more than the 65536 bytes that follow", ErrCorrupt, 1 << 20},
		{"group declaring 4 GiB of zeros", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Groups[0] = h.add(rleFrame(4<<30, 0, 17), 4<<30)
			return h.bytes(t, nil, 0)
		}, "group 0: blob at byte 147 of 4294967296 bytes, more than 67108864: larger than the limit", ErrTooLarge, 1 << 20},
		{"group of 64 MiB of zeros", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Groups[0] = h.add(rleFrame(maxGroup, 0, 17), maxGroup)
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: corrupt archive file: kernel payload: header", ErrCorrupt, 2*maxGroup + 8<<20},
		{"kernel declaring 4 GiB of zeros", func(t testing.TB) []byte {
			h := newHostilePack(t)
			b := h.add(rleFrame(4<<30, 0, 17), 4<<30)
			h.ix.Entries[0].Blob, h.ix.Entries[0].Span, h.ix.Entries[0].Group, h.ix.Entries[0].RawSize = &b, nil, -1, 4<<30
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: 4294967296 bytes: larger than the limit", ErrTooLarge, 1 << 20},
		{"payload declaring 1 GiB of zeros", func(t testing.TB) []byte {
			h := newHostilePack(t)
			b := h.add(rleFrame(1<<30, 0, 17), 1<<30)
			h.ix.Entries[0].Blob, h.ix.Entries[0].Span = &b, nil
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: blob at byte 147 of 1073741824 bytes, more than 708: larger than the limit", ErrTooLarge, 1 << 20},
		{"frame longer than declared", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Groups[0] = h.add(rleFrame(64<<20, 0, 17), 4096)
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: group 0: blob at byte 147: corrupt archive file: more than the 4096 bytes declared", ErrCorrupt, 1 << 20},
		{"window of 1 GiB", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Groups[0] = h.add(rleFrame(4096, 0, 30), 4096)
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: group 0: blob at byte 147: corrupt archive file: zstd after 0 bytes: window size exceeded", ErrCorrupt, 1 << 20},
		{"index of a million entries", func(t testing.TB) []byte {
			return newHostilePack(t).jsonIndex(t, "entries", "{}", 1<<20)
		}, "index at byte 393227: more than 131072 entries: larger than the limit", ErrTooLarge, 192 << 20},
		{"index of a million groups", func(t testing.TB) []byte {
			return newHostilePack(t).jsonIndex(t, "groups", "{}", 1<<20)
		}, "index at byte 393226: more than 131072 groups: larger than the limit", ErrTooLarge, 64 << 20},
		{"index declaring 512 MiB", func(t testing.TB) []byte {
			return newHostilePack(t).bytes(t, rleFrame(512<<20, ' ', 17), 512<<20)
		}, "index of 536870912 bytes, more than 67108864: larger than the limit", ErrTooLarge, 1 << 20},
		{"kernel claiming 1 GiB over a small payload", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Entries[0].RawSize = 1 << 30
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: 1073741824 bytes: larger than the limit", ErrTooLarge, 1 << 20},
		{"kernel claiming 32 MiB over a small payload", func(t testing.TB) []byte {
			h := newHostilePack(t)
			h.ix.Entries[0].RawSize = 32 << 20
			return h.bytes(t, nil, 0)
		}, "debian/12/x86_64/a: corrupt archive file: 46 bytes of BTF, the catalogue says 33554432", ErrCorrupt, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.make(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := openAndRead(in)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes allocated; %v", alloc, err)
			if err == nil || err.Error() != tt.err {
				t.Errorf("err = %v, want %s", err, tt.err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want one wrapping %v", err, tt.is)
			}
			if alloc > tt.bound {
				t.Errorf("%d bytes allocated, more than %d", alloc, tt.bound)
			}
		})
	}
}

// openAndRead opens the pack in b and reads every kernel, returning the
// first error.
func openAndRead(b []byte) error {
	p, err := OpenPack(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	for _, e := range p.entries {
		if _, err := p.ReadBTF(e.Key()); err != nil {
			return err
		}
	}
	return fmt.Errorf("no error")
}

// TestPackSparseGids reads kernels whose type identities are far apart
// (up to 2^32-2), which cost a table of 16 GiB when indexed by gid: they
// read back with what their number costs.
func TestPackSparseGids(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	h := newHostilePack(t)
	p, err := OpenPack(bytes.NewReader(h.good), int64(len(h.good)))
	if err != nil {
		t.Fatal(err)
	}
	content, err := p.blob("group", p.groups[0])
	if err != nil {
		t.Fatal(err)
	}
	tab, area, err := parseShared(content)
	if err != nil {
		t.Fatal(err)
	}
	// Recode both kernels' lists with gids near 2^32, the second against
	// the first.
	var ref kernelLists
	out := bytes.Clone(content[:len(content)-len(area)])
	for i, gid := range []uint32{math.MaxUint32 - 2, math.MaxUint32 - 1} {
		kp, err := p.payload(i, area)
		if err != nil {
			t.Fatal(err)
		}
		l, err := p.lists(tab, area, i, kp, 0)
		if err != nil {
			t.Fatal(err)
		}
		l.gids = []uint32{gid}
		pl := binary.AppendUvarint(nil, uint64(len(kp.header)))
		pl = append(pl, kp.header...)
		pl = binary.AppendUvarint(pl, uint64(i))
		pl = appendCoded(pl, l.gids, ref.gids, 1)
		pl = appendPredicted(pl, l.rids, predictRecords(l.gids, ref), 0)
		pl = appendCoded(pl, l.sids, predictStrings(l.rids, tab.record, tab.numStrings()), 0)
		h.ix.Entries[i].Span = &packSpan{At: uint64(len(out) - (len(content) - len(area))), Len: uint64(len(pl))}
		out = append(out, pl...)
		ref = l
	}
	h.ix.Groups[0] = h.add(compressed(t, out), uint64(len(out)))
	in := h.bytes(t, nil, 0)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err = openAndRead(in)
	runtime.ReadMemStats(&after)
	if err == nil || err.Error() != "no error" {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("%d bytes allocated", alloc)
	}
}
