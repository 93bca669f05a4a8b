package archive

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// Pack is a pack opened for reading. Reading one kernel reads and
// decompresses its group's blob and, when it has one, its own and those
// of its (at most four) references, never the other kernels' blobs.
//
// Nothing a pack declares is allocated before it is checked against
// the bytes that remain and the format's bounds (docs/archive-formats.md,
// section 3.7): reading one kernel allocates at most about 12 times its
// group blob's size (at most 64 MiB), plus 25 times the raw size of the
// kernel and of each of its references, plus 16 MiB.
type Pack struct {
	r       io.ReaderAt
	size    int64
	entries []packEntry
	groups  []packBlob
	first   []int // the position of each group's first entry
	close   func() error
}

// OpenPackFile opens the pack file at path.
func OpenPackFile(path string) (*Pack, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	p, err := OpenPack(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	p.close = f.Close
	return p, nil
}

// OpenPack reads the header and index of a pack of size bytes in r,
// checking the format version and checksums and every entry. Every
// count, size and offset the index gives is checked against its bound
// (docs/archive-formats.md, section 3) before anything is allocated for
// it.
func OpenPack(r io.ReaderAt, size int64) (*Pack, error) {
	hb := make([]byte, packHeaderSize)
	if _, err := r.ReadAt(hb, 0); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %w", ErrCorrupt, err)
	}
	h, err := parsePackHeader(hb, size)
	if err != nil {
		return nil, err
	}
	zix := make([]byte, h.indexLen)
	if _, err := r.ReadAt(zix, int64(h.indexOff)); err != nil {
		return nil, fmt.Errorf("%w: reading the index at byte %d: %w", ErrCorrupt, h.indexOff, err)
	}
	if xxhash.Sum64(zix) != h.indexSum {
		return nil, fmt.Errorf("%w: index checksum mismatch", ErrCorrupt)
	}
	js, err := decodeBlob(zix, h.indexRawLen)
	if err != nil {
		return nil, fmt.Errorf("index at byte %d: %w", h.indexOff, err)
	}
	ix, err := parseIndex(js)
	if err != nil {
		return nil, err
	}
	checkBlob := func(what string, b packBlob, max uint64) error {
		if b.Offset < packHeaderSize || b.Length > h.indexOff || b.Offset > h.indexOff-b.Length {
			return fmt.Errorf("%w: %s: blob at %d+%d outside the data", ErrCorrupt, what, b.Offset, b.Length)
		}
		if b.Size > max {
			return fmt.Errorf("%s: blob at byte %d of %d bytes, more than %d: %w", what, b.Offset, b.Size, max, ErrTooLarge)
		}
		if b.Length > maxFrame(b.Size) {
			return fmt.Errorf("%w: %s: blob at byte %d: %d bytes compressed to %d", ErrCorrupt, what, b.Offset, b.Size, b.Length)
		}
		return nil
	}
	for i, g := range ix.Groups {
		if err := checkBlob(fmt.Sprintf("group %d", i), g, maxGroup); err != nil {
			return nil, err
		}
	}
	// The kernels of a group are consecutive entries, at most
	// maxGroupKernels of them, and groups come in order.
	first := make([]int, len(ix.Groups))
	last := -1
	for i := range ix.Entries {
		e := &ix.Entries[i]
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("%w: index entry %d: %w", ErrCorrupt, i, err)
		}
		if i > 0 && !ix.Entries[i-1].Key().Less(e.Key()) {
			return nil, fmt.Errorf("%w: index entry %d (%s): not sorted, or a duplicate", ErrCorrupt, i, e.Key())
		}
		if e.RawSize > DefaultMaxBTF {
			return nil, fmt.Errorf("%s: %d bytes: %w", e.Key(), e.RawSize, ErrTooLarge)
		}
		if e.Group < -1 || e.Group >= len(ix.Groups) {
			return nil, fmt.Errorf("%w: %s: no group %d", ErrCorrupt, e.Key(), e.Group)
		}
		if g := e.Group; g >= 0 {
			switch {
			case g == last && i > 0 && ix.Entries[i-1].Group == g:
				if i-first[g] >= maxGroupKernels {
					return nil, fmt.Errorf("%w: %s: group %d has more than %d kernels", ErrCorrupt, e.Key(), g, maxGroupKernels)
				}
			case g > last:
				first[g], last = i, g
			default:
				return nil, fmt.Errorf("%w: %s: group %d after group %d, or apart from its other kernels", ErrCorrupt, e.Key(), g, last)
			}
		}
		switch {
		case e.Blob != nil && e.Span == nil:
			max := uint64(DefaultMaxBTF)
			if e.Group >= 0 {
				// A kernel payload codes each type (12 bytes or more) and
				// each string (a byte or more) in at most 14 bytes.
				max = min(max, 14*uint64(e.RawSize)+64)
			}
			if err := checkBlob(e.Key().String(), *e.Blob, max); err != nil {
				return nil, err
			}
			if e.Group == -1 && e.Blob.Size != uint64(e.RawSize) {
				return nil, fmt.Errorf("%w: %s: blob of %d bytes for %d bytes of BTF", ErrCorrupt, e.Key(), e.Blob.Size, e.RawSize)
			}
		case e.Blob == nil && e.Span != nil && e.Group >= 0:
			if g := ix.Groups[e.Group]; e.Span.Len > g.Size || e.Span.At > g.Size-e.Span.Len {
				return nil, fmt.Errorf("%w: %s: span %d+%d outside its group of %d bytes", ErrCorrupt, e.Key(), e.Span.At, e.Span.Len, g.Size)
			}
		default:
			return nil, fmt.Errorf("%w: %s: an entry needs a blob, or a span of its group", ErrCorrupt, e.Key())
		}
	}
	p := &Pack{r: r, size: size, entries: ix.Entries, groups: ix.Groups, first: first}
	return p, nil
}

// Entries lists the pack's kernels in key order.
func (p *Pack) Entries() ([]index.Entry, error) {
	out := make([]index.Entry, len(p.entries))
	for i := range p.entries {
		out[i] = p.entries[i].Entry
	}
	return out, nil
}

// find returns the position of key k.
func (p *Pack) find(k index.Key) (int, error) {
	for i := range p.entries {
		if p.entries[i].Key() == k {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%w: %s in the pack", ErrNotFound, k)
}

// ReadBTF returns the raw BTF of key k, checking the checksum of every
// blob it reads and of the result.
func (p *Pack) ReadBTF(k index.Key) ([]byte, error) {
	i, err := p.find(k)
	if err != nil {
		return nil, err
	}
	return p.read(i)
}

func (p *Pack) read(i int) ([]byte, error) { return p.readCached(i, nil) }

// groupCache keeps the last group a pass over the entries decoded, or
// the error decoding it gave, so that its other kernels, which follow it,
// do not decode it again.
type groupCache struct {
	group  int
	tables *groupTables
	area   []byte
	err    error
}

// group returns the tables and payload area of group g, for the entry
// named what, from c when it holds them (c may be nil).
func (p *Pack) group(c *groupCache, g int, what string) (*groupTables, []byte, error) {
	if c != nil && c.group == g {
		return c.tables, c.area, c.err
	}
	t, area, err := p.decodeGroup(g, what)
	if c != nil {
		*c = groupCache{group: g, tables: t, area: area, err: err}
	}
	return t, area, err
}

func (p *Pack) decodeGroup(g int, what string) (*groupTables, []byte, error) {
	content, err := p.blob(fmt.Sprintf("%s: group %d", what, g), p.groups[g])
	if err != nil {
		return nil, nil, err
	}
	t, area, err := parseShared(content)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: group %d: %w", what, g, err)
	}
	return t, area, nil
}

// readCached reads entry i, taking its group's tables from c (which may
// be nil).
func (p *Pack) readCached(i int, c *groupCache) ([]byte, error) {
	e := &p.entries[i]
	if e.Group < 0 {
		raw, err := p.blob(e.Key().String(), *e.Blob)
		if err != nil {
			return nil, err
		}
		if err := checkRaw(e.Entry, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
		}
		return raw, nil
	}
	t, area, err := p.group(c, e.Group, e.Key().String())
	if err != nil {
		return nil, err
	}
	kp, err := p.payload(i, area)
	if err != nil {
		return nil, err
	}
	lists, err := p.lists(t, area, i, kp, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Key(), err)
	}
	raw, err := t.rebuild(kp.header, lists, e.RawSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Key(), err)
	}
	if err := checkRaw(e.Entry, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Key(), err)
	}
	return raw, nil
}

// payload returns the parsed payload of entry i, whose group's payload
// area is area: a span of it, or the entry's own blob.
func (p *Pack) payload(i int, area []byte) (kernelPayload, error) {
	e := &p.entries[i]
	var content []byte
	if e.Span != nil {
		if e.Span.Len > uint64(len(area)) || e.Span.At > uint64(len(area))-e.Span.Len {
			return kernelPayload{}, fmt.Errorf("%s: %w: span %d+%d outside the %d bytes of its group's payloads", e.Key(), ErrCorrupt, e.Span.At, e.Span.Len, len(area))
		}
		content = area[e.Span.At : e.Span.At+e.Span.Len]
	} else {
		var err error
		if content, err = p.blob(e.Key().String(), *e.Blob); err != nil {
			return kernelPayload{}, err
		}
	}
	kp, err := parsePayload(content)
	if err != nil {
		return kp, fmt.Errorf("%s: %w", e.Key(), err)
	}
	return kp, nil
}

// lists decodes the id lists of entry i, whose payload is kp, decoding
// its chain of references first; area is the group's payload area.
func (p *Pack) lists(t *groupTables, area []byte, i int, kp kernelPayload, depth int) (kernelLists, error) {
	e := &p.entries[i]
	var ref kernelLists
	if kp.back > 0 {
		if depth >= maxRefDepth {
			return ref, fmt.Errorf("%w: chain of references longer than %d", ErrCorrupt, maxRefDepth)
		}
		// The reference is kp.back kernels earlier in the same group,
		// whose kernels are consecutive entries.
		r := i - kp.back
		if r < p.first[e.Group] {
			return ref, fmt.Errorf("%w: reference %d kernels back, before the group", ErrCorrupt, kp.back)
		}
		rkp, err := p.payload(r, area)
		if err != nil {
			return ref, fmt.Errorf("reference: %w", err)
		}
		if ref, err = p.lists(t, area, r, rkp, depth+1); err != nil {
			return ref, err
		}
	}
	return t.decodeLists(kp, ref, e.RawSize, depth == 0)
}

// blob reads, checks and decompresses one blob, whose bounds OpenPack
// checked.
func (p *Pack) blob(what string, b packBlob) ([]byte, error) {
	z := make([]byte, b.Length)
	if _, err := p.r.ReadAt(z, int64(b.Offset)); err != nil {
		return nil, fmt.Errorf("%s: %w: reading the blob at byte %d: %w", what, ErrCorrupt, b.Offset, err)
	}
	if h := index.Hash(z); h != b.Sum {
		return nil, fmt.Errorf("%s: %w: blob at byte %d: xxh64 %s, the index says %s", what, ErrCorrupt, b.Offset, h, b.Sum)
	}
	out, err := decodeBlob(z, b.Size)
	if err != nil {
		return nil, fmt.Errorf("%s: blob at byte %d: %w", what, b.Offset, err)
	}
	return out, nil
}

// decodeBlob decompresses one zstd frame of exactly size bytes, with a
// window of at most maxWindow. It reads the frame as a stream into a
// buffer that grows with what it yields, never past size, so a frame
// that yields less than it declares costs no more than it yields.
func decodeBlob(blob []byte, size uint64) ([]byte, error) {
	dec, err := zstd.NewReader(bytes.NewReader(blob),
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(maxWindow),
		zstd.WithDecoderMaxWindow(maxWindow))
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
	}
	defer dec.Close()
	out := make([]byte, 0, min(size, 1<<20))
	for uint64(len(out)) < size {
		if len(out) == cap(out) {
			out = slices.Grow(out, int(min(size, 2*uint64(cap(out)))-uint64(len(out))))
		}
		n, err := dec.Read(out[len(out):min(uint64(cap(out)), size)])
		out = out[:len(out)+n]
		if err == io.EOF {
			return nil, fmt.Errorf("%w: %d bytes decompressed, want %d", ErrCorrupt, len(out), size)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: zstd after %d bytes: %w", ErrCorrupt, len(out), err)
		}
	}
	// The frame must end here, its checksum checked.
	var one [1]byte
	if n, err := io.ReadFull(dec, one[:]); n != 0 || err != io.EOF {
		if n != 0 {
			return nil, fmt.Errorf("%w: more than the %d bytes declared", ErrCorrupt, size)
		}
		return nil, fmt.Errorf("%w: zstd after %d bytes: %w", ErrCorrupt, size, err)
	}
	return out, nil
}

// Verify reads every kernel, checking blobs, checksums, sizes and type
// counts, and returns each problem found. It decodes each group once,
// for all its kernels.
func (p *Pack) Verify() ([]Problem, error) {
	var problems []Problem
	c := &groupCache{group: -1}
	for i := range p.entries {
		e := p.entries[i].Entry
		raw, err := p.readCached(i, c)
		if err == nil {
			err = checkEntryBTF(e, raw)
		}
		if err != nil {
			problems = append(problems, Problem{e.Key().Path(), err})
		}
	}
	return problems, nil
}

// Close closes the file that OpenPackFile opened.
func (p *Pack) Close() error {
	if p.close == nil {
		return nil
	}
	return p.close()
}
