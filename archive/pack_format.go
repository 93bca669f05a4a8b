package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/index"
	"github.com/cespare/xxhash/v2"
)

// The pack format, version 2 (docs/archive-formats.md has the full
// specification). All integers are little-endian.
//
//	offset size
//	0      8    magic "BTFHPACK"
//	8      4    version (2)
//	12     4    flags (0; readers reject others)
//	16     8    index offset
//	24     8    index length (compressed)
//	32     8    index length (decompressed)
//	40     8    xxhash64 of the compressed index
//	48     8    total file size
//	56     8    xxhash64 of bytes 0..55
//	64     ...  blobs: zstd frames of group tables and kernels
//	...         index: a zstd frame of JSON (packIndex)
const (
	packMagic      = "BTFHPACK"
	PackVersion    = 2 // the pack format version this package writes and reads
	packHeaderSize = 64
	// maxPackIndex bounds the decompressed index: its JSON takes about
	// 400 bytes a kernel, so this holds maxPackEntries of them.
	maxPackIndex = 64 << 20
	// maxPackEntries bounds the kernels of a pack, and maxPackGroups its
	// groups.
	maxPackEntries = 1 << 17
	maxPackGroups  = maxPackEntries
	// maxGroup bounds the content of one group's blob: its tables and
	// payload area. The writer starts a new group once the tables pass
	// half of it, and stores whole a kernel of more than a quarter.
	maxGroup = 64 << 20
	// maxWindow bounds the window of a blob's zstd frame (the writer uses
	// at most 8 MiB), and so what the decoder keeps of its history.
	maxWindow = 8 << 20
)

// maxFrame is the longest zstd frame accepted for size bytes of content:
// a frame of raw blocks adds 3 bytes a block and 22 a frame, so a longer
// one is not what a writer makes.
func maxFrame(size uint64) uint64 { return size + size/64 + 1024 }

// packHeader is the fixed header.
type packHeader struct {
	indexOff, indexLen, indexRawLen, indexSum, fileSize uint64
}

func (h packHeader) marshal() []byte {
	b := make([]byte, packHeaderSize)
	copy(b, packMagic)
	binary.LittleEndian.PutUint32(b[8:], PackVersion)
	binary.LittleEndian.PutUint32(b[12:], 0)
	binary.LittleEndian.PutUint64(b[16:], h.indexOff)
	binary.LittleEndian.PutUint64(b[24:], h.indexLen)
	binary.LittleEndian.PutUint64(b[32:], h.indexRawLen)
	binary.LittleEndian.PutUint64(b[40:], h.indexSum)
	binary.LittleEndian.PutUint64(b[48:], h.fileSize)
	binary.LittleEndian.PutUint64(b[56:], xxhash.Sum64(b[:56]))
	return b
}

// parsePackHeader checks the header of a pack of size bytes.
func parsePackHeader(b []byte, size int64) (packHeader, error) {
	var h packHeader
	if len(b) < packHeaderSize || string(b[:8]) != packMagic {
		return h, fmt.Errorf("%w: not a btfhub pack (no %q magic)", ErrCorrupt, packMagic)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != PackVersion {
		return h, fmt.Errorf("%w: unknown pack version %d (this btfhub reads version %d)", ErrCorrupt, v, PackVersion)
	}
	if sum := xxhash.Sum64(b[:56]); sum != binary.LittleEndian.Uint64(b[56:]) {
		return h, fmt.Errorf("%w: header checksum mismatch", ErrCorrupt)
	}
	if f := binary.LittleEndian.Uint32(b[12:]); f != 0 {
		return h, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, f)
	}
	h.indexOff = binary.LittleEndian.Uint64(b[16:])
	h.indexLen = binary.LittleEndian.Uint64(b[24:])
	h.indexRawLen = binary.LittleEndian.Uint64(b[32:])
	h.indexSum = binary.LittleEndian.Uint64(b[40:])
	h.fileSize = binary.LittleEndian.Uint64(b[48:])
	if h.fileSize != uint64(size) {
		return h, fmt.Errorf("%w: the header says %d bytes, the file has %d (truncated?)", ErrCorrupt, h.fileSize, size)
	}
	if h.indexOff < packHeaderSize || h.indexLen > h.fileSize || h.indexOff > h.fileSize-h.indexLen {
		return h, fmt.Errorf("%w: index at %d+%d outside the file of %d bytes", ErrCorrupt, h.indexOff, h.indexLen, h.fileSize)
	}
	if h.indexRawLen > maxPackIndex {
		return h, fmt.Errorf("index of %d bytes, more than %d: %w", h.indexRawLen, maxPackIndex, ErrTooLarge)
	}
	if h.indexLen > maxFrame(h.indexRawLen) {
		return h, fmt.Errorf("%w: index of %d bytes compressed to %d", ErrCorrupt, h.indexRawLen, h.indexLen)
	}
	return h, nil
}

// packIndex is the JSON document of the index.
type packIndex struct {
	// Groups are the shared tables of groups of kernels.
	Groups []packBlob `json:"groups"`
	// Entries are in key order.
	Entries []packEntry `json:"entries"`
}

// packBlob locates one zstd frame in the file.
type packBlob struct {
	// Offset and Length locate the frame.
	Offset uint64 `json:"offset"`
	Length uint64 `json:"length"`
	// Size is the length of the frame's content.
	Size uint64 `json:"size"`
	// Sum is the xxhash64 of the frame, as 16 hex digits.
	Sum string `json:"blob_xxh64"`
}

// packEntry is a catalogue entry with where its content is: its own blob,
// or a span of its group's content.
type packEntry struct {
	index.Entry
	// Blob is the entry's own blob, if it has one.
	Blob *packBlob `json:"blob,omitempty"`
	// Span, when the entry has no blob, locates its payload in the
	// payload area of its group's content.
	Span *packSpan `json:"span,omitempty"`
	// Group is the position of the group whose tables the payload refers
	// to, or -1 when the blob is the raw BTF itself.
	Group int `json:"group"`
}

// packSpan locates a kernel payload stored in its group's blob, after
// the tables.
type packSpan struct {
	At  uint64 `json:"at"`
	Len uint64 `json:"len"`
}

func (ix *packIndex) marshal() ([]byte, error) { return json.Marshal(ix) }

// parseIndex decodes the index's JSON, one group and one entry at a
// time, so that no more than maxPackGroups groups and maxPackEntries
// entries are ever allocated. Unknown and repeated fields are corrupt.
func parseIndex(js []byte) (*packIndex, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: index at byte %d: %s", ErrCorrupt, dec.InputOffset(), fmt.Sprintf(format, args...))
	}
	delim := func(want json.Delim) error {
		t, err := dec.Token()
		if err != nil {
			return bad("%v", err)
		}
		if d, ok := t.(json.Delim); !ok || d != want {
			return bad("%v where %q belongs", t, want)
		}
		return nil
	}
	// array decodes a JSON array of at most max elements, calling add
	// for each.
	array := func(what string, max int, add func() error) error {
		if err := delim('['); err != nil {
			return err
		}
		for n := 0; dec.More(); n++ {
			if n == max {
				return fmt.Errorf("index at byte %d: more than %d %s: %w", dec.InputOffset(), max, what, ErrTooLarge)
			}
			if err := add(); err != nil {
				return err
			}
		}
		return delim(']')
	}
	var ix packIndex
	if err := delim('{'); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, bad("%v", err)
		}
		key, _ := t.(string)
		if seen[key] {
			return nil, bad("field %q twice", key)
		}
		seen[key] = true
		switch key {
		case "groups":
			err = array("groups", maxPackGroups, func() error {
				var b packBlob
				if err := dec.Decode(&b); err != nil {
					return bad("group %d: %v", len(ix.Groups), err)
				}
				ix.Groups = append(ix.Groups, b)
				return nil
			})
		case "entries":
			err = array("entries", maxPackEntries, func() error {
				var e packEntry
				if err := dec.Decode(&e); err != nil {
					return bad("entry %d: %v", len(ix.Entries), err)
				}
				ix.Entries = append(ix.Entries, e)
				return nil
			})
		default:
			err = bad("unknown field %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := delim('}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("data after the index")
	}
	return &ix, nil
}
