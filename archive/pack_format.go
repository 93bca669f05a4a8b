package archive

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

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
	// maxPackIndex bounds the decompressed index: about a million
	// kernels.
	maxPackIndex = 512 << 20
	// maxGroup bounds the decompressed tables of one group.
	maxGroup = 4 << 30
)

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
		return h, fmt.Errorf("%w: index of %d bytes, more than %d", ErrCorrupt, h.indexRawLen, maxPackIndex)
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
