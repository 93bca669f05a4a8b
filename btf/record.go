package btf

// Records: the raw form of one type, for code that reads or rewrites type
// sections as words (dedup, packs, encoders) and cannot afford a Type per
// record. This file and the decoder are the only places that know the
// layout; other packages use these functions rather than shifting and
// masking info words themselves (libbpf's btf_iter.c and cilium/ebpf's
// traversal.go play the same part).
//
// A record is the words of struct btf_type (name_off, info, then size or
// type) followed by the kind's extra words: one for INT, VAR and DECL_TAG,
// three for ARRAY (type, index_type, nelems), and vlen entries of three
// words (STRUCT and UNION members: name_off, type, offset; DATASEC
// variables: type, offset, size; ENUM64 values: name_off, val_lo32,
// val_hi32) or two (ENUM values: name_off, val; FUNC_PROTO parameters:
// name_off, type).

// Bits of a type's info word (linux/btf.h: BTF_INFO_KIND, BTF_INFO_VLEN,
// BTF_INFO_KFLAG).
const (
	infoVlenMask = 0xffff
	infoKindShft = 24
	infoKindMask = 0x1f
	infoKindFlag = 1 << 31
)

// InfoKind returns the kind an info word holds (bits 24 to 28).
func InfoKind(info uint32) Kind { return Kind(info >> infoKindShft & infoKindMask) }

// InfoVlen returns the vlen an info word holds (bits 0 to 15): the number
// of members, values, parameters or variables, or a FUNC's linkage.
func InfoVlen(info uint32) int { return int(info & infoVlenMask) }

// InfoKindFlag reports whether an info word has the kind flag (bit 31).
func InfoKindFlag(info uint32) bool { return info&infoKindFlag != 0 }

// MakeInfo returns the info word of a type of kind k, with the kind flag
// when kflag is set and vlen (of which the low 16 bits are kept).
func MakeInfo(k Kind, kflag bool, vlen int) uint32 {
	info := uint32(k)<<infoKindShft | uint32(vlen)&infoVlenMask
	if kflag {
		info |= infoKindFlag
	}
	return info
}

// WithVlen returns info with its vlen replaced.
func WithVlen(info uint32, vlen int) uint32 {
	return info&^infoVlenMask | uint32(vlen)&infoVlenMask
}

// WithKindFlag returns info with its kind flag set or cleared.
func WithKindFlag(info uint32, kflag bool) uint32 {
	if kflag {
		return info | infoKindFlag
	}
	return info &^ infoKindFlag
}

// RecordLen returns the number of words of a record whose info word is
// info, and false when the info word holds no valid kind.
func RecordLen(info uint32) (int, bool) {
	k := InfoKind(info)
	if !k.Valid() {
		return 0, false
	}
	return 3 + int(k.extraWords(uint32(InfoVlen(info)))), true
}

// recordLayout says where a record of one kind holds string offsets and
// type ids: the type in word 2 (typeInWord2), the types among the extra
// words (extraTypes, indexes from word 3), and in each entry of
// entryWords words after the extra ones, the name (entryName) and type
// (entryType) at those indexes, -1 for none.
type recordLayout struct {
	typeInWord2          bool
	extra                int
	extraTypes           []int
	entryWords           int
	entryName, entryType int
}

var recordLayouts = [...]recordLayout{
	KindInt:       {extra: 1, entryName: -1, entryType: -1},
	KindPointer:   {typeInWord2: true, entryName: -1, entryType: -1},
	KindArray:     {extra: 3, extraTypes: []int{0, 1}, entryName: -1, entryType: -1},
	KindStruct:    {entryWords: 3, entryName: 0, entryType: 1},
	KindUnion:     {entryWords: 3, entryName: 0, entryType: 1},
	KindEnum:      {entryWords: 2, entryName: 0, entryType: -1},
	KindFwd:       {entryName: -1, entryType: -1},
	KindTypedef:   {typeInWord2: true, entryName: -1, entryType: -1},
	KindVolatile:  {typeInWord2: true, entryName: -1, entryType: -1},
	KindConst:     {typeInWord2: true, entryName: -1, entryType: -1},
	KindRestrict:  {typeInWord2: true, entryName: -1, entryType: -1},
	KindFunc:      {typeInWord2: true, entryName: -1, entryType: -1},
	KindFuncProto: {typeInWord2: true, entryWords: 2, entryName: 0, entryType: 1},
	KindVar:       {typeInWord2: true, extra: 1, entryName: -1, entryType: -1},
	KindDatasec:   {entryWords: 3, entryName: -1, entryType: 0},
	KindFloat:     {entryName: -1, entryType: -1},
	KindDeclTag:   {typeInWord2: true, extra: 1, entryName: -1, entryType: -1},
	KindTypeTag:   {typeInWord2: true, entryName: -1, entryType: -1},
	KindEnum64:    {entryWords: 3, entryName: 0, entryType: -1},
}

// RecordRefs calls visit with the index in rec of every word that holds a
// string offset (isType false) or a type id (isType true), so that a
// caller can read or rewrite them. The order is fixed: the name (index 0),
// then the type in word 2, then the types among the extra words, then
// each entry's name and type. rec must be one whole record (see
// RecordLen); a record of no valid kind visits nothing.
func RecordRefs(rec []uint32, visit func(i int, isType bool)) {
	k := InfoKind(rec[1])
	if !k.Valid() {
		return
	}
	l := &recordLayouts[k]
	visit(0, false)
	if l.typeInWord2 {
		visit(2, true)
	}
	for _, i := range l.extraTypes {
		visit(3+i, true)
	}
	if l.entryWords == 0 {
		return
	}
	for e := 3 + l.extra; e+l.entryWords <= len(rec); e += l.entryWords {
		if l.entryName >= 0 {
			visit(e+l.entryName, false)
		}
		if l.entryType >= 0 {
			visit(e+l.entryType, true)
		}
	}
}

// Word returns the extra word of an INT record that holds i
// (BTF_INT_ENCODING in bits 24 to 27, BTF_INT_OFFSET in bits 16 to 23,
// BTF_INT_BITS in bits 0 to 7); fields too wide for their bits are cut.
func (i Int) Word() uint32 {
	return uint32(i.Encoding&0x0f)<<24 | (i.Offset&0xff)<<16 | i.Bits&0xff
}

// MemberOffsetWord returns the offset word of a member of a struct or
// union whose kind flag is set: the bitfield size in bits 24 to 31 and the
// bit offset in bits 0 to 23 (BTF_MEMBER_BITFIELD_SIZE and
// BTF_MEMBER_BIT_OFFSET). Without the kind flag the word is the bit offset
// alone.
func MemberOffsetWord(bitfieldSize, bitOffset uint32) uint32 {
	return bitfieldSize<<24 | bitOffset&0xffffff
}
