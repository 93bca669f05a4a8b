package fromdwarf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// This file is a DWARF 2-5 .debug_info reader made for encoding: it decodes
// each DIE's attributes into a fixed struct without allocating, where
// debug/dwarf allocates an Entry and a field slice per DIE. It reads only
// what the encoder needs; other attributes are skipped by form.

var errShort = errors.New("unexpected end of data")

// cursor reads a byte slice; the first error sticks and reads return zero
// after it.
type cursor struct {
	b   []byte
	off int
	bo  binary.ByteOrder
	err error
}

func (c *cursor) fail(err error) {
	if c.err == nil {
		c.err = err
	}
	c.off = len(c.b)
}

func (c *cursor) need(n int) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || n > len(c.b)-c.off {
		c.fail(errShort)
		return false
	}
	return true
}

func (c *cursor) u8() uint8 {
	if !c.need(1) {
		return 0
	}
	v := c.b[c.off]
	c.off++
	return v
}

func (c *cursor) u16() uint16 {
	if !c.need(2) {
		return 0
	}
	v := c.bo.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

func (c *cursor) u24() uint32 {
	if !c.need(3) {
		return 0
	}
	b := c.b[c.off:]
	c.off += 3
	if c.bo == binary.BigEndian {
		return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	}
	return uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0])
}

func (c *cursor) u32() uint32 {
	if !c.need(4) {
		return 0
	}
	v := c.bo.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

func (c *cursor) u64() uint64 {
	if !c.need(8) {
		return 0
	}
	v := c.bo.Uint64(c.b[c.off:])
	c.off += 8
	return v
}

func (c *cursor) uN(n int) uint64 {
	switch n {
	case 1:
		return uint64(c.u8())
	case 2:
		return uint64(c.u16())
	case 4:
		return uint64(c.u32())
	case 8:
		return c.u64()
	}
	c.fail(fmt.Errorf("bad size %d", n))
	return 0
}

func (c *cursor) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if !c.need(1) {
			return 0
		}
		b := c.b[c.off]
		c.off++
		if shift < 64 {
			v |= uint64(b&0x7f) << shift
		}
		if b < 0x80 {
			return v
		}
	}
}

func (c *cursor) sleb() int64 {
	var v int64
	shift := uint(0)
	for {
		if !c.need(1) {
			return 0
		}
		b := c.b[c.off]
		c.off++
		if shift < 64 {
			v |= int64(b&0x7f) << shift
		}
		shift += 7
		if b < 0x80 {
			if shift < 64 && b&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

func (c *cursor) bytes(n uint64) []byte {
	if n > uint64(len(c.b)) || !c.need(int(n)) {
		c.fail(errShort)
		return nil
	}
	v := c.b[c.off : c.off+int(n) : c.off+int(n)]
	c.off += int(n)
	return v
}

// cstr reads a NUL-terminated string.
func (c *cursor) cstr() []byte {
	if c.err != nil {
		return nil
	}
	if n := bytes.IndexByte(c.b[c.off:], 0); n >= 0 {
		v := c.b[c.off : c.off+n : c.off+n]
		c.off += n + 1
		return v
	}
	c.fail(errors.New("unterminated string"))
	return nil
}

// cstr returns the string b holds up to its first NUL byte, or all of b.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i:i]
	}
	return b
}

// nameIs reports whether the string in b, up to its first NUL byte if any,
// is s.
func nameIs(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s && (len(b) == len(s) || b[len(s)] == 0)
}

// isEmpty reports whether the string in b, up to its first NUL byte if any,
// is empty.
func isEmpty(b []byte) bool { return len(b) == 0 || b[0] == 0 }

// cstrAt returns the NUL-terminated string at off of sec.
func cstrAt(sec []byte, off uint64) ([]byte, error) {
	if off >= uint64(len(sec)) {
		return nil, fmt.Errorf("string offset 0x%x out of range (section of %d bytes)", off, len(sec))
	}
	s := sec[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return s[:i:i], nil
	}
	return nil, fmt.Errorf("string at 0x%x is not terminated", off)
}

// DWARF forms (DW_FORM_*).
const (
	formAddr          = 0x01
	formBlock2        = 0x03
	formBlock4        = 0x04
	formData2         = 0x05
	formData4         = 0x06
	formData8         = 0x07
	formString        = 0x08
	formBlock         = 0x09
	formBlock1        = 0x0a
	formData1         = 0x0b
	formFlag          = 0x0c
	formSdata         = 0x0d
	formStrp          = 0x0e
	formUdata         = 0x0f
	formRefAddr       = 0x10
	formRef1          = 0x11
	formRef2          = 0x12
	formRef4          = 0x13
	formRef8          = 0x14
	formRefUdata      = 0x15
	formIndirect      = 0x16
	formSecOffset     = 0x17
	formExprloc       = 0x18
	formFlagPresent   = 0x19
	formStrx          = 0x1a
	formAddrx         = 0x1b
	formRefSup4       = 0x1c
	formStrpSup       = 0x1d
	formData16        = 0x1e
	formLineStrp      = 0x1f
	formRefSig8       = 0x20
	formImplicitConst = 0x21
	formLoclistx      = 0x22
	formRnglistx      = 0x23
	formRefSup8       = 0x24
	formStrx1         = 0x25
	formStrx2         = 0x26
	formStrx3         = 0x27
	formStrx4         = 0x28
	formAddrx1        = 0x29
	formAddrx2        = 0x2a
	formAddrx3        = 0x2b
	formAddrx4        = 0x2c
	formGNUAddrIndex  = 0x1f01
	formGNUStrIndex   = 0x1f02
	formGNURefAlt     = 0x1f20
	formGNUStrpAlt    = 0x1f21
)

// attrSpec is one attribute of an abbreviation.
type attrSpec struct {
	attr     uint32
	form     uint32
	implicit int64
}

// abbrev is one abbreviation of a unit's table.
type abbrev struct {
	tag      uint32
	children bool
	attrs    []attrSpec
	ops      []attrOp // the attributes compiled for a unit (see attrops.go)
}

// abbrevTable maps abbreviation codes to abbreviations. Tables are reused
// from unit to unit (see getAbbrevTable): their abbreviations' attributes
// and ops are slices of one array each.
type abbrevTable struct {
	dense  []abbrev // codes 1..len(dense)
	extra  []abbrev // the others, by sparse
	sparse map[uint64]int32
	attrs  []attrSpec
	ops    []attrOp
	spans  []span // scratch
}

// span is a range of abbrevTable.attrs or abbrevTable.ops.
type span struct{ start, end int32 }

func (t *abbrevTable) get(code uint64) *abbrev {
	if code-1 < uint64(len(t.dense)) {
		return &t.dense[code-1]
	}
	if i, ok := t.sparse[code]; ok {
		return &t.extra[i]
	}
	return nil
}

var abbrevTables = sync.Pool{New: func() any { return new(abbrevTable) }}

// getAbbrevTable returns an empty table, to give back with
// putAbbrevTable once no longer used.
func getAbbrevTable() *abbrevTable {
	t := abbrevTables.Get().(*abbrevTable)
	t.dense, t.extra, t.attrs, t.ops = t.dense[:0], t.extra[:0], t.attrs[:0], t.ops[:0]
	clear(t.sparse)
	return t
}

func putAbbrevTable(t *abbrevTable) { abbrevTables.Put(t) }

// parseAbbrevs reads the abbreviation table at off of .debug_abbrev.
func parseAbbrevs(sec []byte, off uint64, bo binary.ByteOrder) (*abbrevTable, error) {
	t := getAbbrevTable()
	if err := t.parse(sec, off, bo); err != nil {
		putAbbrevTable(t)
		return nil, err
	}
	return t, nil
}

// parse reads the abbreviation table at off of .debug_abbrev into t.
func (t *abbrevTable) parse(sec []byte, off uint64, bo binary.ByteOrder) error {
	if off >= uint64(len(sec)) {
		return fmt.Errorf("abbreviation table offset 0x%x out of range", off)
	}
	c := &cursor{b: sec, off: int(off), bo: bo}
	// The attributes of the abbreviations of dense then extra are
	// attrs[spans[i].start:spans[i].end]; the slices are set at the end,
	// attrs being complete.
	spans := t.spans[:0]
	for {
		code := c.uleb()
		if c.err != nil {
			return fmt.Errorf("abbreviation table at 0x%x: %w", off, c.err)
		}
		if code == 0 {
			break
		}
		a := abbrev{tag: uint32(c.uleb()), children: c.u8() != 0}
		start := int32(len(t.attrs))
		for {
			at, form := c.uleb(), c.uleb()
			if c.err != nil {
				return fmt.Errorf("abbreviation table at 0x%x: %w", off, c.err)
			}
			if at == 0 && form == 0 {
				break
			}
			s := attrSpec{attr: uint32(at), form: uint32(form)}
			if form == formImplicitConst {
				s.implicit = c.sleb()
			}
			t.attrs = append(t.attrs, s)
		}
		if code == uint64(len(t.dense))+1 && len(t.extra) == 0 {
			t.dense = append(t.dense, a)
			spans = append(spans, span{start, int32(len(t.attrs))})
			continue
		}
		if t.sparse == nil {
			t.sparse = map[uint64]int32{}
		}
		t.sparse[code] = int32(len(t.extra))
		t.extra = append(t.extra, a)
		spans = append(spans, span{start, int32(len(t.attrs))})
	}
	for i := range t.dense {
		sp := spans[i]
		t.dense[i].attrs = t.attrs[sp.start:sp.end:sp.end]
	}
	for i := range t.extra {
		sp := spans[len(t.dense)+i]
		t.extra[i].attrs = t.attrs[sp.start:sp.end:sp.end]
	}
	t.spans = spans
	return nil
}
