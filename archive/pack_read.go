package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// Pack is a pack opened for reading. Reading one kernel reads and
// decompresses its own blob and those of its dictionary chain (at most a
// few), never the others.
type Pack struct {
	r       io.ReaderAt
	size    int64
	entries []packEntry
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
// checking the format version and checksums and every entry.
func OpenPack(r io.ReaderAt, size int64) (*Pack, error) {
	hb := make([]byte, packHeaderSize)
	if _, err := r.ReadAt(hb, 0); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %v", ErrCorrupt, err)
	}
	h, err := parsePackHeader(hb, size)
	if err != nil {
		return nil, err
	}
	zix := make([]byte, h.indexLen)
	if _, err := r.ReadAt(zix, int64(h.indexOff)); err != nil {
		return nil, fmt.Errorf("%w: reading the index: %v", ErrCorrupt, err)
	}
	if xxhash.Sum64(zix) != h.indexSum {
		return nil, fmt.Errorf("%w: index checksum mismatch", ErrCorrupt)
	}
	js, err := decodeBlob(zix, nil, int64(h.indexRawLen))
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	var ix packIndex
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ix); err != nil {
		return nil, fmt.Errorf("%w: index: %v", ErrCorrupt, err)
	}
	for i := range ix.Entries {
		e := &ix.Entries[i]
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("%w: index entry %d: %w", ErrCorrupt, i, err)
		}
		if i > 0 && !ix.Entries[i-1].Key().Less(e.Key()) {
			return nil, fmt.Errorf("%w: index entry %d (%s): not sorted, or a duplicate", ErrCorrupt, i, e.Key())
		}
		if e.Offset < packHeaderSize || e.Length > h.indexOff || e.Offset > h.indexOff-e.Length {
			return nil, fmt.Errorf("%w: %s: blob at %d+%d outside the data", ErrCorrupt, e.Key(), e.Offset, e.Length)
		}
		if e.Base < -1 || e.Base >= i {
			return nil, fmt.Errorf("%w: %s: base %d does not precede it", ErrCorrupt, e.Key(), e.Base)
		}
		if e.RawSize > DefaultMaxBTF {
			return nil, fmt.Errorf("%s: %d bytes: %w", e.Key(), e.RawSize, ErrTooLarge)
		}
		depth := 0
		for b := e.Base; b >= 0; b = ix.Entries[b].Base {
			if depth++; depth >= maxChain {
				return nil, fmt.Errorf("%w: %s: dictionary chain longer than %d", ErrCorrupt, e.Key(), maxChain)
			}
		}
	}
	return &Pack{r: r, size: size, entries: ix.Entries}, nil
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

func (p *Pack) read(i int) ([]byte, error) {
	var chain []int
	for b := i; b >= 0; b = p.entries[b].Base {
		chain = append(chain, b)
	}
	var dict []byte
	for j := len(chain) - 1; j >= 0; j-- {
		e := &p.entries[chain[j]]
		blob := make([]byte, e.Length)
		if _, err := p.r.ReadAt(blob, int64(e.Offset)); err != nil {
			return nil, fmt.Errorf("%s: %w: reading the blob: %v", e.Key(), ErrCorrupt, err)
		}
		if h := index.Hash(blob); h != e.Sum {
			return nil, fmt.Errorf("%s: %w: blob xxh64 %s, the index says %s", e.Key(), ErrCorrupt, h, e.Sum)
		}
		raw, err := decodeBlob(blob, dict, e.RawSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
		}
		if err := checkRaw(e.Entry, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
		}
		dict = raw
	}
	return dict, nil
}

// decodeBlob decompresses one zstd frame of exactly size bytes, against
// dict when it is not nil.
func decodeBlob(blob, dict []byte, size int64) ([]byte, error) {
	opts := []zstd.DOption{
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(uint64(size) + 1),
		zstd.WithDecoderMaxWindow(zstd.MaxWindowSize),
	}
	if dict != nil {
		opts = append(opts, zstd.WithDecoderDictRaw(dictID, dict))
	}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	out, err := dec.DecodeAll(blob, make([]byte, 0, size))
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
	}
	if int64(len(out)) != size {
		return nil, fmt.Errorf("%w: %d bytes decompressed, want %d", ErrCorrupt, len(out), size)
	}
	return out, nil
}

// Verify reads every kernel, checking blobs, checksums, sizes and type
// counts, and returns each problem found.
func (p *Pack) Verify() ([]Problem, error) {
	var problems []Problem
	for i := range p.entries {
		e := p.entries[i].Entry
		raw, err := p.read(i)
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
