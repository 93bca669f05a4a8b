package fromdwarf

// The encoding of one compilation unit: its state (cuEnc) and output
// (cuOut), the type ids of its DIEs, and its strings. The records of each
// family of DWARF tags are in cutypes.go, cumembers.go, cufuncs.go,
// cuvars.go and cutags.go; the entry point, encodeUnit, in units.go.

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/btfhub/btfhub/btf"
)

// cuOut is the BTF of one compilation unit, with CU-local references:
// name words hold offsets into .debug_str or indexes into strs (see
// cuEnc.str), and type references hold local ids (1 for the CU's first
// type, 0 for void). merge rewrites both.
type cuOut struct {
	name   string
	words  []uint32 // type records in local id order
	nTypes int
	strs   [][]byte // local strings; strs[0] is "". They may alias the input.
	funcs  []cuFunc // FUNC candidates, in DIE order
	vars   []cuVar  // per-cpu variables
	warns  []error
	dies   int

	intID     uint32 // local id of the unit's own "int", or 0
	hasArrays bool
	addedInt  int // word offset of the "int" added as array index type, or -1
}

// cuFunc is a function that may become a FUNC, if no earlier CU gave one
// for the same symbol.
type cuFunc struct {
	name  uint32   // local string
	sym   int      // index into symbols.funcs, or -1 when not filtered by symbols
	proto []uint32 // FUNC_PROTO record
	tags  []declTag
	sig   string // prototype signature (funcSig), under Options.ConsistentFuncs
}

// cuVar is a per-cpu variable.
type cuVar struct {
	name    uint32 // local string: the ELF symbol's name
	typ     uint32 // local type id
	linkage btf.Linkage
	off     uint32 // offset in .data..percpu
	size    uint32 // the symbol's size
	tags    []declTag
}

// declTag is a btf_decl_tag annotation of a type, FUNC or VAR.
type declTag struct {
	value uint32 // local string
	comp  int32
}

// cuEnc encodes one CU.
type cuEnc struct {
	feat     Features
	syms     *symbols
	addrSize int
	bo       binary.ByteOrder

	dies  []die
	index []int32 // index[off-base]: the DIE at offset off (see find)
	base  uint64
	// imported maps the offsets of the DIEs of imported partial units
	// (dwz), appended to dies after the unit's own, to their index.
	imported map[uint64]int32
	// roots holds the index of the unit's DIE and of each imported
	// partial unit's DIE.
	roots []int32
	ids   []uint32 // local type id of dies[i], or 0
	order []int32  // the type DIEs in id order
	stack []int32
	// tagIDs[i] is the first of the type tag ids of pointer dies[i]
	tagIDs map[int]uint32

	addr     []byte // .debug_addr
	strSec   []byte // .debug_str
	addrBase uint64 // the unit's DW_AT_addr_base

	strIdx map[uintptr]uint32 // by address of the string's first byte
	// annotated is set when the unit has btf_decl_tag or btf_type_tag
	// annotations (DW_TAG_LLVM_annotation, from clang) at all.
	annotated bool
	out       *cuOut
	intID     uint32 // local id of the base type "int", the array index type
	needIndex bool
	// consistent computes the signatures of Options.ConsistentFuncs.
	consistent bool
}

// isTypeTag reports whether DIEs of tag t are BTF types. Type DIEs can be
// anywhere in the unit (inside functions and lexical blocks too): pahole's
// types table holds them all (dwarves.h: tag__is_tag_type).
func isTypeTag(t uint32) bool {
	switch t {
	case tagBaseType, tagPointerType, tagReferenceType, tagRvalueRefType,
		tagConstType, tagVolatileType, tagRestrictType, tagTypedef,
		tagStructType, tagUnionType, tagClassType, tagEnumerationType,
		tagArrayType, tagSubroutineType:
		return true
	}
	return false
}

// isVoidTag reports whether references to a DIE of tag t mean void: the
// unspecified type (assembler CUs), and types BTF cannot express.
func isVoidTag(t uint32) bool {
	switch t {
	case tagUnspecifiedType, tagPtrToMemberType, tagStringType:
		return true
	}
	return false
}

// find returns the index of the DIE at off in this unit, or -1.
func (c *cuEnc) find(off uint64) int {
	k := off - c.base
	if k >= uint64(len(c.index)) {
		if i, ok := c.imported[off]; ok {
			return int(i)
		}
		return -1
	}
	i := c.index[k]
	if i < 0 || int(i) >= len(c.dies) || c.dies[i].off != off {
		return -1 // stale: an entry left from an earlier unit
	}
	return int(i)
}

// indexDIEs fills index, which maps offsets within the unit to DIEs. It is
// reused from unit to unit without clearing: find checks each hit.
func (c *cuEnc) indexDIEs(u *unitHeader) {
	c.base = u.off
	n := int(u.end - u.off)
	if cap(c.index) < n {
		c.index = make([]int32, n)
	}
	c.index = c.index[:n]
	clear(c.imported)
	for i := range c.dies {
		if k := c.dies[i].off - c.base; k < uint64(n) && i < int(c.dies[0].end) {
			c.index[k] = int32(i)
			continue
		}
		if c.imported == nil {
			c.imported = map[uint64]int32{}
		}
		c.imported[c.dies[i].off] = int32(i)
	}
}

func (c *cuEnc) warn(i int, format string, args ...any) {
	c.out.warns = append(c.out.warns, &DIEError{CU: c.out.name, CUOffset: c.dies[0].off, Offset: c.dies[i].off, Msg: fmt.Sprintf(format, args...)})
}

// strSecBit marks the string words of a unit's records that hold an offset
// in .debug_str (below strSecBit) rather than an index into cuOut.strs.
const strSecBit = 1 << 31

// str returns the string word for string s (see die.name): strSecBit and
// its offset for a string of .debug_str, which the merge looks up in a
// table indexed by that offset, otherwise a local index. Local strings are
// told apart by address, which makes interning an integer lookup; equal
// strings at other addresses get their own index, and the merge unifies
// them.
func (c *cuEnc) str(s []byte) uint32 {
	if len(s) == 0 {
		return 0
	}
	key := uintptr(unsafePointer(s))
	if k := key - uintptr(unsafePointer(c.strSec)); k < uintptr(len(c.strSec)) && k < strSecBit {
		return strSecBit | uint32(k)
	}
	if isEmpty(s) {
		return 0
	}
	if i, ok := c.strIdx[key]; ok {
		return i
	}
	i := uint32(len(c.out.strs))
	c.out.strs = append(c.out.strs, cstr(s))
	c.strIdx[key] = i
	return i
}

// encode turns the unit's DIEs into BTF.
func (c *cuEnc) encode() {
	if c.out.words == nil {
		// About 2.4 words per DIE in the Linux kernel.
		c.out.words = getWords(5*len(c.dies)/2 + 64)
	}
	c.ids = slices.Grow(c.ids[:0], len(c.dies))[:len(c.dies)]
	clear(c.ids)
	// Ids go to type DIEs in post-order: a type nested in another (clang
	// puts anonymous structs inside their parent) comes before it, and a
	// pointer's type tags before the pointer, as pahole adds a DIE to its
	// types table only once its children are processed (dwarf_loader.c
	// die__create_new_class, die__create_new_pointer_tag).
	var next uint32 = 1
	c.order = c.order[:0]
	assign := func(i int) {
		e := &c.dies[i]
		if !isTypeTag(e.tag) {
			return
		}
		if e.tag == tagPointerType && e.children {
			if n := len(c.typeTags(i)); n > 0 {
				if c.tagIDs == nil {
					c.tagIDs = map[int]uint32{}
				}
				c.tagIDs[i] = next
				next += uint32(n)
			}
		}
		c.ids[i] = next
		next++
		c.order = append(c.order, int32(i))
		if c.intID == 0 && e.tag == tagBaseType && nameIs(e.name, "int") {
			c.intID = c.ids[i]
		}
	}
	stack := c.stack[:0]
	c.annotated = false
	for i := 1; i < len(c.dies); i++ {
		for len(stack) > 0 && int(c.dies[stack[len(stack)-1]].end) <= i {
			assign(int(stack[len(stack)-1]))
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, int32(i))
		if c.dies[i].tag == tagLLVMAnnotation {
			c.annotated = true
		}
	}
	for len(stack) > 0 {
		assign(int(stack[len(stack)-1]))
		stack = stack[:len(stack)-1]
	}
	c.stack = stack
	c.out.nTypes = int(next - 1)
	indexID := c.intID
	if indexID == 0 {
		indexID = next // an "int" added after the unit's types
	}
	for _, i := range c.order {
		c.encodeType(int(i), indexID)
	}
	c.out.intID = c.intID
	c.out.hasArrays = c.needIndex
	if c.needIndex && c.intID == 0 {
		// pahole btf_encoder__encode_cu: a unit with arrays but no "int"
		// gets one. merge drops it when an earlier unit gave the index
		// type.
		c.out.addedInt = len(c.out.words)
		c.out.words = append(c.out.words, c.str([]byte("int")), btf.MakeInfo(btf.KindInt, false, 0), 4, btf.Int{Encoding: btf.IntSigned, Bits: 32}.Word())
		c.out.nTypes++
	}
	if !c.feat.NoDeclTag && c.annotated {
		c.typeDeclTags()
	}
	for _, r := range c.roots {
		// The direct children of the unit and of the partial units it
		// imports.
		for i := int(r) + 1; i < int(c.dies[r].end); i = int(c.dies[i].end) {
			switch c.dies[i].tag {
			case tagSubprogram:
				c.function(i)
			case tagVariable:
				if !c.feat.NoVars && c.syms.percpu.present {
					c.variable(i)
				}
			}
		}
	}
}

// wordBufs recycles the record buffers of units (cuOut.words) once merged.
var wordBufs sync.Pool

// getWords returns an empty buffer of capacity at least n.
func getWords(n int) []uint32 {
	if p, ok := wordBufs.Get().(*[]uint32); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]uint32, 0, n)
}

// putWords gives back a buffer of getWords that is no longer used.
func putWords(w []uint32) {
	if cap(w) > 0 {
		wordBufs.Put(&w)
	}
}
