package btf

import "encoding/binary"

// RawTypes returns the spec's own type section as host-order words, and the
// word offset of each of its types: type FirstID()+i occupies
// words[offs[i]:offs[i+1]], and offs has NumTypes()+1 entries. Both slices
// alias the spec's storage and must not be modified. They are for code, such
// as dedup, that walks millions of records and cannot afford a call per
// record.
func (s *Spec) RawTypes() (words, offs []uint32) { return s.words, s.offs }

// HeaderLen returns the length of the header Marshal writes: that of the
// input for a decoded spec (extra header bytes are written as zeros), 24 for
// a built one.
func (s *Spec) HeaderLen() int { return int(s.hdrLen) }

// NewSpecFromRaw makes a spec from a type section given as host-order
// words and a string section, over base (nil for a base spec), after the
// checks Decode makes. Marshal writes it in byte order bo (little-endian
// when nil) with a header of hdrLen bytes (at least 24). The spec takes
// ownership of words.
//
// It is the raw counterpart of Builder, for code that produces whole
// sections at once, such as dedup.
func NewSpecFromRaw(words []uint32, strs string, base *Spec, bo binary.ByteOrder, hdrLen int) (*Spec, error) {
	if bo == nil {
		bo = binary.LittleEndian
	}
	if hdrLen < headerLen {
		hdrLen = headerLen
	}
	return newSpec(words, strs, base, bo, uint32(hdrLen))
}
