package btf

import (
	"encoding/binary"
	"fmt"
)

// ExtError describes a malformed .BTF.ext section. It names the byte offset
// of the fault from the start of the section.
type ExtError struct {
	// Offset is the byte offset of the fault from the start of .BTF.ext.
	Offset int64
	// Msg describes the fault.
	Msg string
	// Err is one of the sentinel errors of this package.
	Err error
}

func (e *ExtError) Error() string {
	return fmt.Sprintf("btf: .BTF.ext offset %#x: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *ExtError) Unwrap() error { return e.Err }

func extErr(sentinel error, off uint64, format string, args ...any) error {
	return &ExtError{Offset: int64(off), Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// DecodeExt parses a .BTF.ext section in either byte order.
//
// It accepts what libbpf's btf_ext__new accepts (src/btf.c,
// btf_ext_parse_hdr and btf_ext_setup_info): a version 1 header with no
// flags of at least 24 bytes, followed by data; for each of func info, line
// info and, when the header is at least 32 bytes long, CO-RE relocations,
// either nothing (length 0) or a 4-byte aligned block holding a record size
// (at least the size of the known struct, a multiple of 4) and then one or
// more sections, each with at least one record, that fill the block
// exactly. Records larger than the known struct keep their extra bytes, so
// that Marshal gives back the input.
//
// When spec is not nil, DecodeExt resolves section names through its
// strings and checks every string offset and type id against it, wrapping
// ErrBadString or ErrMissingType. With a nil spec, names are left empty and
// nothing is checked against BTF.
//
// DecodeExt copies what it keeps and allocates no more than a small
// multiple of len(data).
func DecodeExt(data []byte, spec *Spec) (*Ext, error) {
	size := uint64(len(data))
	if size < 8 {
		return nil, extErr(ErrTruncated, 0, "truncated header: %d bytes, need at least 8", size)
	}
	bo := byteOrderOf(data)
	if bo == nil {
		return nil, extErr(ErrNotBTF, 0, "bad magic %#02x%02x", data[0], data[1])
	}
	if data[2] != 1 {
		return nil, extErr(ErrUnsupported, 2, "unsupported version %d", data[2])
	}
	if data[3] != 0 {
		return nil, extErr(ErrUnsupported, 3, "unsupported flags %#x", data[3])
	}
	hdrLen := uint64(bo.Uint32(data[4:]))
	switch {
	case hdrLen > size:
		return nil, extErr(ErrTruncated, 4, "header length %d but only %d bytes", hdrLen, size)
	case hdrLen < extHeaderMinLen:
		return nil, extErr(ErrUnsupported, 4, "header length %d shorter than %d", hdrLen, extHeaderMinLen)
	case hdrLen == size:
		return nil, extErr(ErrTruncated, 4, "no data after the %d-byte header", hdrLen)
	}
	e := &Ext{order: bo, hdrLen: uint32(hdrLen)}
	// Header bytes past the fields read here are kept for Marshal.
	known, kinds := uint64(extHeaderMinLen), 2
	if hdrLen >= extHeaderLen {
		known, kinds = extHeaderLen, 3
	}
	if hdrLen > known {
		e.hdr = append([]byte(nil), data[known:hdrLen]...)
	}
	d := extDecoder{data: data, bo: bo, spec: spec, hdrLen: hdrLen}
	for k := range kinds {
		at := uint64(extHeaderOffsets + 8*k)
		off := uint64(bo.Uint32(data[at:]))
		n := uint64(bo.Uint32(data[at+4:]))
		var err error
		switch k {
		case extKindFunc:
			e.FuncInfos, e.recSize[k], err = decodeExtKind(&d, k, at, off, n, d.funcInfo)
		case extKindLine:
			e.LineInfos, e.recSize[k], err = decodeExtKind(&d, k, at, off, n, d.lineInfo)
		case extKindCORE:
			e.CORERelos, e.recSize[k], err = decodeExtKind(&d, k, at, off, n, d.coreRelo)
		}
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

// extDecoder holds what decoding records needs.
type extDecoder struct {
	data   []byte
	bo     binary.ByteOrder
	spec   *Spec
	hdrLen uint64
}

// decodeExtKind decodes the block of one kind of record: the header field
// at hdrAt says it lies at off, n bytes long, after the header.
func decodeExtKind[R any](d *extDecoder, kind int, hdrAt, off, n uint64, rec func(b []byte, at uint64) (R, error)) ([]ExtSection[R], uint32, error) {
	name := extKindNames[kind]
	if n == 0 {
		return nil, 0, nil
	}
	if off%4 != 0 {
		return nil, 0, extErr(ErrUnsupported, hdrAt, "%s at %d is not 4-byte aligned", name, off)
	}
	start := d.hdrLen + off
	end := start + n
	if end > uint64(len(d.data)) {
		return nil, 0, extErr(ErrTruncated, hdrAt, "%s at %d+%d runs past the end of the section (%d bytes)", name, start, n, len(d.data))
	}
	if n < 4 {
		return nil, 0, extErr(ErrTruncated, start, "%s has no record size", name)
	}
	recSize := d.bo.Uint32(d.data[start:])
	if recSize < extMinRecSize[kind] || recSize%4 != 0 {
		return nil, 0, extErr(ErrUnsupported, start, "%s record size %d: need a multiple of 4, at least %d", name, recSize, extMinRecSize[kind])
	}
	if n == 4 {
		return nil, 0, extErr(ErrTruncated, start, "%s has no records", name)
	}
	known := uint64(extMinRecSize[kind])
	var secs []ExtSection[R]
	for p := start + 4; p < end; {
		if end-p < extSecHeaderLen {
			return nil, 0, extErr(ErrTruncated, p, "truncated %s section header: %d bytes left", name, end-p)
		}
		nameOff := d.bo.Uint32(d.data[p:])
		num := uint64(d.bo.Uint32(d.data[p+4:]))
		if num == 0 {
			return nil, 0, extErr(ErrUnsupported, p+4, "%s section with no records", name)
		}
		if num*uint64(recSize) > end-p-extSecHeaderLen {
			return nil, 0, extErr(ErrTruncated, p+4, "%s section of %d records of %d bytes runs past the end of the block (%d bytes left)", name, num, recSize, end-p-extSecHeaderLen)
		}
		sec := ExtSection[R]{NameOff: nameOff, Records: make([]R, num)}
		if d.spec != nil {
			s, err := d.spec.StringAt(nameOff)
			if err != nil {
				return nil, 0, extErr(ErrBadString, p, "%s section name offset %d out of range (strings end at %d)", name, nameOff, d.spec.strEnd())
			}
			sec.Name = s
		}
		if extra := uint64(recSize) - known; extra > 0 {
			sec.extra = make([]byte, 0, num*extra)
		}
		p += extSecHeaderLen
		for i := range num {
			b := d.data[p : p+uint64(recSize)]
			r, err := rec(b, p)
			if err != nil {
				return nil, 0, err
			}
			sec.Records[i] = r
			if sec.extra != nil {
				sec.extra = append(sec.extra, b[known:]...)
			}
			p += uint64(recSize)
		}
		secs = append(secs, sec)
	}
	return secs, recSize, nil
}

func (d *extDecoder) funcInfo(b []byte, at uint64) (FuncInfo, error) {
	r := FuncInfo{InsnOff: d.bo.Uint32(b), TypeID: TypeID(d.bo.Uint32(b[4:]))}
	return r, d.checkType(r.TypeID, at+4, "func_info")
}

func (d *extDecoder) lineInfo(b []byte, at uint64) (LineInfo, error) {
	r := LineInfo{
		InsnOff:     d.bo.Uint32(b),
		FileNameOff: d.bo.Uint32(b[4:]),
		LineOff:     d.bo.Uint32(b[8:]),
		LineCol:     d.bo.Uint32(b[12:]),
	}
	if err := d.checkString(r.FileNameOff, at+4, "line_info file name"); err != nil {
		return r, err
	}
	return r, d.checkString(r.LineOff, at+8, "line_info line")
}

func (d *extDecoder) coreRelo(b []byte, at uint64) (CORERelo, error) {
	r := CORERelo{
		InsnOff:      d.bo.Uint32(b),
		TypeID:       TypeID(d.bo.Uint32(b[4:])),
		AccessStrOff: d.bo.Uint32(b[8:]),
		Kind:         COREKind(d.bo.Uint32(b[12:])),
	}
	if err := d.checkType(r.TypeID, at+4, "core_relo"); err != nil {
		return r, err
	}
	return r, d.checkString(r.AccessStrOff, at+8, "core_relo access string")
}

func (d *extDecoder) checkType(id TypeID, at uint64, what string) error {
	if d.spec == nil || id < d.spec.NextID() {
		return nil
	}
	return extErr(ErrMissingType, at, "%s refers to type [%d], but the last type is [%d]", what, id, d.spec.NextID()-1)
}

func (d *extDecoder) checkString(off uint32, at uint64, what string) error {
	if d.spec == nil || off < d.spec.strEnd() {
		return nil
	}
	return extErr(ErrBadString, at, "%s offset %d out of range (strings end at %d)", what, off, d.spec.strEnd())
}
