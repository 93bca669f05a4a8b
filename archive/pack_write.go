package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"
)

// PackOptions tune WritePack. The zero value is the default.
type PackOptions struct {
	// GroupSize is the most kernels that share one group's tables
	// (default 64, at most 256). Reading a kernel decompresses its group's
	// tables, so larger groups pack smaller and read slower.
	GroupSize int
	// InlinePayloads is the most bytes of kernel payloads a group stores
	// in its own blob, after its tables, instead of one blob per kernel
	// (default 1 MiB; negative: none). Reading any kernel of the group
	// decompresses them all, so this suits small payloads, such as those
	// of minimized BTF; a full kernel's payload is 100-200 KB.
	InlinePayloads int
}

// defaultInlinePayloads is PackOptions.InlinePayloads's default.
const defaultInlinePayloads = 1 << 20

// maxGroupKernels bounds PackOptions.GroupSize; readers rely on it to
// bound what they allocate.
const maxGroupKernels = 256

// WritePack writes every kernel of st as a pack (format version
// PackVersion). Consecutive kernels of one distro version and arch form
// a group: their distinct strings and type records are stored once, in
// the group's tables, and each kernel as the list of what it uses. The
// output is deterministic: the same kernels give the same bytes.
func WritePack(w io.Writer, st Store) error { return WritePackOptions(w, st, &PackOptions{}) }

// WritePackOptions is WritePack with options.
func WritePackOptions(w io.Writer, st Store, opts *PackOptions) error {
	var opt PackOptions
	if opts != nil {
		opt = *opts
	}
	if opt.GroupSize <= 0 {
		opt.GroupSize = 64
	}
	opt.GroupSize = min(opt.GroupSize, maxGroupKernels)
	if opt.InlinePayloads == 0 {
		opt.InlinePayloads = defaultInlinePayloads
	}
	entries, err := st.Entries()
	if err != nil {
		return err
	}
	if len(entries) > maxPackEntries {
		return fmt.Errorf("%d kernels, more than a pack's %d: %w", len(entries), maxPackEntries, ErrTooLarge)
	}
	var body bytes.Buffer
	off := uint64(packHeaderSize)
	put := func(content []byte) (packBlob, error) {
		z, err := compressBlob(content)
		if err != nil {
			return packBlob{}, err
		}
		b := packBlob{Offset: off, Length: uint64(len(z)), Size: uint64(len(content)), Sum: index.Hash(z)}
		body.Write(z)
		off += uint64(len(z))
		return b, nil
	}
	ix := packIndex{Groups: []packBlob{}, Entries: make([]packEntry, 0, len(entries))}
	// The kernels of a group are written after its tables, which are only
	// complete once the group is: hold their payloads until then.
	var g *groupWriter
	var pending []packEntry
	var payloads [][]byte
	flush := func() error {
		if g == nil {
			return nil
		}
		if len(pending) > 0 {
			content := g.shared()
			total := 0
			for _, pl := range payloads {
				total += len(pl)
			}
			if total <= opt.InlinePayloads && len(content)+total <= maxGroup {
				// Small payloads go after the tables, in the group's
				// blob, where they compress together; identical ones are
				// stored once.
				at := map[string]packSpan{}
				area := len(content)
				for i, pl := range payloads {
					sp, ok := at[string(pl)]
					if !ok {
						sp = packSpan{At: uint64(len(content) - area), Len: uint64(len(pl))}
						at[string(pl)] = sp
						content = append(content, pl...)
					}
					pending[i].Span = &sp
				}
			}
			if len(content) > maxGroup {
				return fmt.Errorf("%s: group of %d bytes: %w", pending[0].Key(), len(content), ErrTooLarge)
			}
			gb, err := put(content)
			if err != nil {
				return err
			}
			for i := range pending {
				if pending[i].Span == nil {
					b, err := put(payloads[i])
					if err != nil {
						return err
					}
					pending[i].Blob = &b
				}
				pending[i].Group = len(ix.Groups)
			}
			ix.Groups = append(ix.Groups, gb)
		}
		ix.Entries = append(ix.Entries, pending...)
		g, pending, payloads = nil, nil, nil
		return nil
	}
	var last index.Entry
	for i, e := range entries {
		raw, err := st.ReadBTF(e.Key())
		if err != nil {
			return err
		}
		if len(raw) > DefaultMaxBTF {
			return fmt.Errorf("%s: %d bytes: %w", e.Key(), len(raw), ErrTooLarge)
		}
		if e.XXH64 == "" {
			// A tree without a catalogue: describe the kernel now.
			if e, err = describe(e, raw); err != nil {
				return err
			}
		}
		if g != nil && (g.kernels >= opt.GroupSize || g.tableBound() > maxGroup/2 || e.Distro != last.Distro || e.Version != last.Version || e.Arch != last.Arch) {
			if err := flush(); err != nil {
				return err
			}
		}
		last = e
		// The package checksum is the tree's bookkeeping for sync; packs
		// keep the fields of catalogue version 1 (docs/archive-formats.md).
		e.SourceSHA256 = ""
		if g == nil {
			g = newGroupWriter()
		}
		var payload []byte
		err = errNotStructural
		if len(raw) <= maxGroup/4 {
			// Its tables fit in a group with those before.
			payload, err = g.add(raw)
		}
		switch {
		case err == nil:
			pending = append(pending, packEntry{Entry: e})
			payloads = append(payloads, payload)
		case errors.Is(err, errNotStructural):
			// Stored whole; it keeps its place in key order, after the
			// group's kernels so far.
			if err := flush(); err != nil {
				return err
			}
			b, err := put(raw)
			if err != nil {
				return err
			}
			pe := packEntry{Entry: e, Group: -1, Blob: &b}
			ix.Entries = append(ix.Entries, pe)
		default:
			return fmt.Errorf("%s: %w", entries[i].Key(), err)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	js, err := ix.marshal()
	if err != nil {
		return err
	}
	if len(js) > maxPackIndex {
		return fmt.Errorf("index of %d bytes, more than a pack's %d: %w", len(js), maxPackIndex, ErrTooLarge)
	}
	zix, err := compressBlob(js)
	if err != nil {
		return err
	}
	h := packHeader{indexOff: off, indexLen: uint64(len(zix)), indexRawLen: uint64(len(js)), indexSum: xxhash.Sum64(zix)}
	body.Write(zix)
	h.fileSize = off + uint64(len(zix))
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

// compressBlob compresses data as one zstd frame at the best level, with
// a content checksum.
func compressBlob(data []byte) ([]byte, error) {
	window := zstd.MinWindowSize
	for window < len(data) && window < 8<<20 {
		window <<= 1
	}
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true),
		zstd.WithWindowSize(window),
		zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	return enc.EncodeAll(data, make([]byte, 0, len(data)/4)), nil
}
