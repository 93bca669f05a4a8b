package btf

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// Decode parses raw BTF, as found in /sys/kernel/btf/vmlinux or in a .BTF
// ELF section, in either byte order.
//
// When base is not nil the data is split BTF: its type ids continue from
// base.NextID() and its string offsets from the end of the base's strings,
// as for kernel modules over vmlinux.
//
// Decode checks the whole input before it returns (see the package
// documentation for what is checked) and copies what it keeps, so data may
// be reused afterwards. It never allocates more than a small multiple of
// len(data).
func Decode(data []byte, base *Spec) (*Spec, error) {
	return decode(data, base, false)
}

func decode(data []byte, base *Spec, owned bool) (*Spec, error) {
	return decodeOpts(data, base, owned, DecodeOptions{})
}

// decodeOpts decodes data with opts. owned says the caller hands data over
// and never uses it again (a file it has just read), so that the spec may
// keep pointing into it instead of copying it.
func decodeOpts(data []byte, base *Spec, owned bool, opts DecodeOptions) (*Spec, error) {
	h, bo, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	typeStart := int(h.HdrLen + h.TypeOff)
	words := hostWords(data[typeStart:typeStart+int(h.TypeLen)], bo, owned)
	strStart := int(h.HdrLen + h.StrOff)
	strs := hostString(data[strStart:strStart+int(h.StrLen)], owned)
	return newSpecOpts(words, strs, base, bo, h.HdrLen, opts)
}

// newSpec indexes and checks a type section. It is shared by Decode and
// Builder, so that a built spec passes exactly the checks a decoded one does.
func newSpec(words []uint32, strs string, base *Spec, bo binary.ByteOrder, hdrLen uint32) (*Spec, error) {
	return newSpecOpts(words, strs, base, bo, hdrLen, DecodeOptions{})
}

// newSpecOpts is newSpec with the checks opts relaxes (see DecodeOptions).
func newSpecOpts(words []uint32, strs string, base *Spec, bo binary.ByteOrder, hdrLen uint32, opts DecodeOptions) (*Spec, error) {
	s := &Spec{base: base, firstID: 1, words: words, strs: strs, order: bo, hdrLen: hdrLen}
	if base != nil {
		s.firstID = base.NextID()
		s.strBase = base.strEnd()
	}
	strOffset := int64(hdrLen) + int64(len(words))*4
	if err := s.checkStrings(strOffset); err != nil {
		return nil, err
	}
	forward, kinds, err := s.index()
	if err != nil {
		return nil, err
	}
	if opts.AllowReferenceLoops {
		return s, nil
	}
	if err := s.checkLoops(forward, kinds); err != nil {
		return nil, err
	}
	return s, nil
}

// byteOffset returns the offset in the encoded data of word w of the type
// section.
func (s *Spec) byteOffset(w uint32) int64 { return int64(s.hdrLen) + 4*int64(w) }

// checkStrings applies libbpf's btf_parse_str_sec rules: a base spec's
// strings start with the empty string, and a non-empty string section ends
// in NUL.
func (s *Spec) checkStrings(off int64) error {
	if len(s.strs) == 0 {
		if s.base == nil {
			return formatErr(ErrBadString, off, 0, "empty string section")
		}
		return nil
	}
	if s.base == nil && s.strs[0] != 0 {
		return formatErr(ErrBadString, off, 0, "string section does not start with the empty string (split BTF needs its base)")
	}
	if s.strs[len(s.strs)-1] != 0 {
		return formatErr(ErrBadString, off+int64(len(s.strs))-1, 0, "string section does not end in NUL")
	}
	if uint64(s.strBase)+uint64(len(s.strs)) > 1<<32-1 {
		return formatErr(ErrBadString, off, 0, "string section too large")
	}
	return nil
}

// index walks the type section twice. The first pass checks that every
// record has a known kind and fits in the section, and records where each
// type starts and its kind. The second checks every string offset and type
// id the records hold, by tracking the largest of each (only when one is
// out of range does checkRefs look for the culprit), and finds where loops
// may start; on a large section it runs on two cores, each over half of
// the types.
//
// It returns the indexes, in increasing order, of the types with an edge to
// a type at or after their own id that is no struct or union, and the kind
// of every type (see checkLoops).
func (s *Spec) index() (forward []uint32, kinds []Kind, err error) {
	words := s.words
	// Records average more than 8 words in pre-deduplication BTF and about
	// 6 in a kernel's: start from the former, grow for the latter.
	offs := make([]uint32, 0, len(words)/8+1)
	kinds = make([]Kind, 0, len(words)/8+1)
	for p := uint32(0); p < uint32(len(words)); {
		id := s.firstID + TypeID(len(offs))
		if uint64(id) >= MaxTypes {
			return nil, nil, formatErr(ErrUnsupported, s.byteOffset(p), id, "more than %d types", MaxTypes)
		}
		left := uint32(len(words)) - p
		if left < 3 {
			return nil, nil, formatErr(ErrTruncated, s.byteOffset(p), id, "truncated type record: %d bytes left, need 12", 4*left)
		}
		info := words[p+1]
		k := Kind(info >> 24 & 0x1f)
		if !k.Valid() {
			return nil, nil, formatErr(ErrUnknownKind, s.byteOffset(p+1), id, "unknown kind %d", uint8(k))
		}
		vlen := info & 0xffff
		need := 3 + k.extraWords(vlen)
		if need > left {
			return nil, nil, formatErr(ErrTruncated, s.byteOffset(p), id, "%s with vlen %d needs %d bytes but only %d are left in the type section", k, vlen, 4*need, 4*left)
		}
		offs = append(offs, p)
		kinds = append(kinds, k)
		p += need
	}
	s.offs = append(offs, uint32(len(words)))

	n := len(kinds)
	var parts [2]refScan
	if len(words) < 1<<20 {
		parts[0] = s.scanRefs(kinds, 0, n)
	} else {
		var wg sync.WaitGroup
		wg.Go(func() { parts[1] = s.scanRefs(kinds, n/2, n) })
		parts[0] = s.scanRefs(kinds, 0, n/2)
		wg.Wait()
	}
	maxName := max(parts[0].maxName, parts[1].maxName)
	maxRef := max(parts[0].maxRef, parts[1].maxRef)
	if maxName >= s.strEnd() || maxRef >= uint32(s.NextID()) {
		return nil, nil, s.checkRefs()
	}
	return append(parts[0].forward, parts[1].forward...), kinds, nil
}

// refScan is what scanRefs finds in a range of types.
type refScan struct {
	maxName, maxRef uint32
	forward         []uint32
}

// scanRefs is index's second pass over the types with indexes lo to hi.
func (s *Spec) scanRefs(kinds []Kind, lo, hi int) refScan {
	var r refScan
	words := s.words
	maxName, maxRef := uint32(0), uint32(0)
	first, next := uint32(s.firstID), uint32(s.firstID)+uint32(len(kinds))
	for i := lo; i < hi; i++ {
		self := first + uint32(i)
		w := words[s.offs[i]:s.offs[i+1]]
		k := kinds[i]
		vlen := int(w[1] & 0xffff)
		maxName = max(maxName, w[0])
		// fwd is the largest type id an edge of checkLoops leads to, and
		// start whether an edge leads up to a type that is no struct or
		// union, from where a loop may start.
		var fwd uint32
		start := false
		switch k {
		case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict,
			KindFunc, KindVar, KindDeclTag, KindTypeTag:
			fwd = w[2]
			start = upEdge(w[2], self, next, first, kinds)
		case KindArray:
			fwd = max(w[3], w[4])
			start = upEdge(w[3], self, next, first, kinds) || upEdge(w[4], self, next, first, kinds)
		case KindFuncProto:
			fwd = w[2]
			start = upEdge(w[2], self, next, first, kinds)
			for j := 3; j < 3+2*vlen; j += 2 {
				maxName = max(maxName, w[j])
				fwd = max(fwd, w[j+1])
				start = start || upEdge(w[j+1], self, next, first, kinds)
			}
		case KindStruct, KindUnion:
			for j := 3; j < 3+3*vlen; j += 3 {
				maxName = max(maxName, w[j])
				maxRef = max(maxRef, w[j+1])
			}
		case KindEnum:
			for j := 3; j < 3+2*vlen; j += 2 {
				maxName = max(maxName, w[j])
			}
		case KindEnum64:
			for j := 3; j < 3+3*vlen; j += 3 {
				maxName = max(maxName, w[j])
			}
		case KindDatasec:
			for j := 3; j < 3+3*vlen; j += 3 {
				fwd = max(fwd, w[j])
				start = start || upEdge(w[j], self, next, first, kinds)
			}
		}
		maxRef = max(maxRef, fwd)
		if start {
			r.forward = append(r.forward, uint32(i))
		}
	}
	r.maxName, r.maxRef = maxName, maxRef
	return r
}

// upEdge reports whether an edge from type self to type to may start a
// loop: it leads to the same or a later type that is not a struct or union
// (or out of range, which index reports afterwards).
func upEdge(to, self, next, first uint32, kinds []Kind) bool {
	return to >= self && (to >= next || !kinds[to-first].IsComposite())
}

// checkRefs finds the first string offset or type id out of range, for
// index to report.
func (s *Spec) checkRefs() error {
	strEnd := s.strEnd()
	next := s.NextID()
	for i := range len(s.offs) - 1 {
		w := s.words[s.offs[i]:s.offs[i+1]]
		k := Kind(w[1] >> 24 & 0x1f)
		if w[0] >= strEnd {
			return s.refErr(i, 0, k)
		}
		// Which words hold type ids and string offsets depends on the kind:
		// first, stride and the two positions within each entry.
		var first, stride, nameAt, refAt int
		switch k {
		case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict,
			KindFunc, KindVar, KindDeclTag, KindTypeTag, KindFuncProto:
			if TypeID(w[2]) >= next {
				return s.refErr(i, 2, k)
			}
			if k != KindFuncProto {
				continue
			}
			first, stride, nameAt, refAt = 3, 2, 0, 1
		case KindArray:
			if TypeID(w[3]) >= next {
				return s.refErr(i, 3, k)
			}
			if TypeID(w[4]) >= next {
				return s.refErr(i, 4, k)
			}
			continue
		case KindStruct, KindUnion:
			first, stride, nameAt, refAt = 3, 3, 0, 1
		case KindEnum:
			first, stride, nameAt, refAt = 3, 2, 0, -1
		case KindEnum64:
			first, stride, nameAt, refAt = 3, 3, 0, -1
		case KindDatasec:
			first, stride, nameAt, refAt = 3, 3, -1, 0
		default:
			continue
		}
		for j := first; j < len(w); j += stride {
			if nameAt >= 0 && w[j+nameAt] >= strEnd {
				return s.refErr(i, j+nameAt, k)
			}
			if refAt >= 0 && TypeID(w[j+refAt]) >= next {
				return s.refErr(i, j+refAt, k)
			}
		}
	}
	return nil
}

// refErr describes a bad string offset or type id at word j of the record
// of the spec's i-th type.
func (s *Spec) refErr(i, j int, k Kind) error {
	p := s.offs[i] + uint32(j)
	id := s.firstID + TypeID(i)
	v := s.words[p]
	var what string
	isName := false
	switch {
	case j == 0:
		what, isName = "name", true
	case j == 2 && k == KindFuncProto:
		what = "return type"
	case j == 2:
		what = "type"
	case k == KindArray && j == 3:
		what = "element type"
	case k == KindArray:
		what = "index type"
	case k == KindFuncProto:
		what, isName = fmt.Sprintf("parameter %d", (j-3)/2), (j-3)%2 == 0
	case k == KindEnum:
		what, isName = fmt.Sprintf("value %d", (j-3)/2), true
	case k == KindEnum64:
		what, isName = fmt.Sprintf("value %d", (j-3)/3), true
	case k == KindDatasec:
		what = fmt.Sprintf("variable %d", (j-3)/3)
	default:
		what, isName = fmt.Sprintf("member %d", (j-3)/3), (j-3)%3 == 0
	}
	if isName {
		if j != 0 {
			what += " name"
		}
		return formatErr(ErrBadString, s.byteOffset(p), id, "%s offset %d out of range (strings end at %d)", what, v, s.strEnd())
	}
	return formatErr(ErrMissingType, s.byteOffset(p), id, "%s refers to type [%d], but the last type is [%d]", what, v, s.NextID()-1)
}
