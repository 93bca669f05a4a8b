package archive

import (
	"bytes"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// PackOptions tune WritePack. The zero value is the default.
type PackOptions struct {
	// Candidates is how many of the preceding kernels are tried as the
	// dictionary of each kernel (default 8).
	Candidates int
	// MaxDepth bounds the chain of dictionaries one kernel's reading
	// decodes (default 3, at most 8).
	MaxDepth int
}

// WritePack writes every kernel of st as a pack (format version
// PackVersion). Each kernel is one zstd frame; when a preceding kernel's
// raw BTF, used as a zstd dictionary, makes the frame smaller, the frame
// is compressed against it, so consecutive kernels cost little more than
// their differences. The output is deterministic: the same kernels give
// the same bytes.
func WritePack(w io.Writer, st Store) error { return WritePackOptions(w, st, PackOptions{}) }

// WritePackOptions is WritePack with options.
func WritePackOptions(w io.Writer, st Store, opt PackOptions) error {
	if opt.Candidates <= 0 {
		opt.Candidates = 8
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 3
	}
	opt.MaxDepth = min(opt.MaxDepth, maxChain-1)
	entries, err := st.Entries()
	if err != nil {
		return err
	}
	pw := &packWriter{w: w, off: packHeaderSize}
	// The header is written last, at the start: buffer nothing but
	// reserve its room.
	var body bytes.Buffer
	pw.w = &body
	type recent struct {
		pos   int
		raw   []byte
		depth int
	}
	var window []recent
	ix := packIndex{Entries: make([]packEntry, 0, len(entries))}
	for i, e := range entries {
		raw, err := st.ReadBTF(e.Key())
		if err != nil {
			return err
		}
		if e.XXH64 == "" {
			// A tree without a catalogue: describe the kernel now.
			if e, err = describe(e, raw); err != nil {
				return err
			}
		}
		// Choose the dictionary with a fast estimate, then compress for
		// size.
		best, bestSize, depth := -1, estimate(raw, nil), 0
		for j := len(window) - 1; j >= 0; j-- {
			c := window[j]
			if c.depth >= opt.MaxDepth {
				continue
			}
			if n := estimate(raw, c.raw); n < bestSize {
				best, bestSize, depth = j, n, c.depth+1
			}
		}
		var dict []byte
		pe := packEntry{Entry: e, Base: -1}
		if best >= 0 {
			dict, pe.Base = window[best].raw, window[best].pos
		}
		blob, err := compressBlob(raw, dict)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Key(), err)
		}
		pe.Offset, pe.Length, pe.Sum = pw.off, uint64(len(blob)), index.Hash(blob)
		if err := pw.write(blob); err != nil {
			return err
		}
		ix.Entries = append(ix.Entries, pe)
		window = append(window, recent{i, raw, depth})
		if len(window) > opt.Candidates {
			window = window[1:]
		}
	}
	js, err := ix.marshal()
	if err != nil {
		return err
	}
	zix, err := compressBlob(js, nil)
	if err != nil {
		return err
	}
	h := packHeader{indexOff: pw.off, indexLen: uint64(len(zix)), indexRawLen: uint64(len(js)), indexSum: xxhash.Sum64(zix)}
	if err := pw.write(zix); err != nil {
		return err
	}
	h.fileSize = pw.off
	if _, err := w.Write(h.marshal()); err != nil {
		return err
	}
	_, err = body.WriteTo(w)
	return err
}

// describe fills an entry's checksum, sizes and type count from its BTF.
func describe(e index.Entry, raw []byte) (index.Entry, error) {
	s, err := btf.Decode(raw, nil)
	if err != nil {
		return e, fmt.Errorf("%s: %w", e.Key(), err)
	}
	e.XXH64, e.RawSize, e.Types = index.Hash(raw), int64(len(raw)), s.NumTypes()
	if e.Encoder == "" {
		e.Encoder = "unknown"
	}
	return e, nil
}

type packWriter struct {
	w   io.Writer
	off uint64
}

func (p *packWriter) write(b []byte) error {
	_, err := p.w.Write(b)
	p.off += uint64(len(b))
	return err
}

// dictID is the zstd dictionary id of every delta frame: the dictionary
// is named by the index, not by the id.
const dictID = 1

// windowFor is the zstd window for data compressed against dict: a power
// of two covering both, so that every match in the dictionary is in reach.
func windowFor(data, dict []byte) int {
	w := zstd.MinWindowSize
	for w < len(data)+len(dict) && w < zstd.MaxWindowSize {
		w <<= 1
	}
	return w
}

// compressBlob compresses data as one zstd frame, against dict when it
// is not nil, at the best compression level.
func compressBlob(data, dict []byte) ([]byte, error) {
	return encode(data, dict, zstd.SpeedBestCompression)
}

// estimate is the size of data compressed quickly against dict, to choose
// dictionaries.
func estimate(data, dict []byte) int {
	b, err := encode(data, dict, zstd.SpeedFastest)
	if err != nil {
		return 1 << 62
	}
	return len(b)
}

func encode(data, dict []byte, level zstd.EncoderLevel) ([]byte, error) {
	opts := []zstd.EOption{
		zstd.WithEncoderLevel(level),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true),
		zstd.WithWindowSize(windowFor(data, dict)),
		zstd.WithZeroFrames(true),
	}
	if dict != nil {
		opts = append(opts, zstd.WithEncoderDictRaw(dictID, dict))
	}
	enc, err := zstd.NewWriter(nil, opts...)
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	return enc.EncodeAll(data, make([]byte, 0, len(data)/4)), nil
}
