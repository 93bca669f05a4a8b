package btf

import "encoding/binary"

// Marshal encodes the Ext as a .BTF.ext section in byte order bo, or in the
// order it was decoded from when bo is nil (little endian for an Ext built
// by hand).
//
// The layout is the one clang and libbpf's linker write (src/linker.c,
// finalize_btf_ext): the header, then func info, line info and CO-RE
// relocations back to back, each kind with no records taking no bytes.
// Record sizes, extra record bytes and extra header bytes are those decoded,
// so that for a section in that layout Marshal(nil) of DecodeExt's result
// gives back the input byte for byte. Input in another layout that libbpf
// also accepts (gaps or trailing bytes between blocks) comes out in this
// one. Sections with no records are left out; an Ext with no records at all
// gives only a header, which libbpf rejects.
func (e *Ext) Marshal(bo binary.ByteOrder) []byte {
	if bo == nil {
		bo = e.order
	}
	if bo == nil {
		bo = binary.LittleEndian
	}
	hdrLen := uint32(extHeaderLen)
	hdr := e.hdr
	if e.hdrLen != 0 {
		hdrLen = e.hdrLen
	}
	if hdrLen < extHeaderLen && len(e.CORERelos) > 0 {
		hdrLen, hdr = extHeaderLen, nil
	}
	known := uint32(extHeaderLen)
	if hdrLen < extHeaderLen {
		known = extHeaderMinLen
	}
	if uint32(len(hdr)) != hdrLen-known {
		hdr = nil
	}

	var recSize [extKinds]uint32
	for k := range extKinds {
		recSize[k] = max(e.recSize[k], extMinRecSize[k])
	}
	lens := [extKinds]uint32{
		extBlockLen(e.FuncInfos, recSize[extKindFunc]),
		extBlockLen(e.LineInfos, recSize[extKindLine]),
		extBlockLen(e.CORERelos, recSize[extKindCORE]),
	}
	total := hdrLen + lens[0] + lens[1] + lens[2]
	buf := make([]byte, total)
	bo.PutUint16(buf, Magic)
	buf[2] = 1 // version
	buf[3] = 0 // flags
	bo.PutUint32(buf[4:], hdrLen)
	var off uint32
	for k := range extKinds {
		at := extHeaderOffsets + 8*k
		if at+8 > int(hdrLen) {
			break
		}
		bo.PutUint32(buf[at:], off)
		bo.PutUint32(buf[at+4:], lens[k])
		off += lens[k]
	}
	copy(buf[known:hdrLen], hdr)

	w := extWriter{buf: buf, bo: bo, p: hdrLen}
	writeExtBlock(&w, e.FuncInfos, recSize[extKindFunc], funcInfoSize, func(b []byte, r FuncInfo) {
		bo.PutUint32(b, r.InsnOff)
		bo.PutUint32(b[4:], uint32(r.TypeID))
	})
	writeExtBlock(&w, e.LineInfos, recSize[extKindLine], lineInfoSize, func(b []byte, r LineInfo) {
		bo.PutUint32(b, r.InsnOff)
		bo.PutUint32(b[4:], r.FileNameOff)
		bo.PutUint32(b[8:], r.LineOff)
		bo.PutUint32(b[12:], r.LineCol)
	})
	if hdrLen >= extHeaderLen {
		writeExtBlock(&w, e.CORERelos, recSize[extKindCORE], coreReloSize, func(b []byte, r CORERelo) {
			bo.PutUint32(b, r.InsnOff)
			bo.PutUint32(b[4:], uint32(r.TypeID))
			bo.PutUint32(b[8:], r.AccessStrOff)
			bo.PutUint32(b[12:], uint32(r.Kind))
		})
	}
	return buf
}

// extBlockLen returns the size of the block of one kind: the record size
// and the sections that have records, or 0 when none has.
func extBlockLen[R any](secs []ExtSection[R], recSize uint32) uint32 {
	n := uint32(0)
	for _, s := range secs {
		if len(s.Records) > 0 {
			n += extSecHeaderLen + uint32(len(s.Records))*recSize
		}
	}
	if n == 0 {
		return 0
	}
	return 4 + n
}

// extWriter appends to a preallocated buffer.
type extWriter struct {
	buf []byte
	bo  binary.ByteOrder
	p   uint32
}

// writeExtBlock writes the block of one kind of record.
func writeExtBlock[R any](w *extWriter, secs []ExtSection[R], recSize, known uint32, put func(b []byte, r R)) {
	if extBlockLen(secs, recSize) == 0 {
		return
	}
	w.bo.PutUint32(w.buf[w.p:], recSize)
	w.p += 4
	extra := recSize - known
	for _, s := range secs {
		if len(s.Records) == 0 {
			continue
		}
		w.bo.PutUint32(w.buf[w.p:], s.NameOff)
		w.bo.PutUint32(w.buf[w.p+4:], uint32(len(s.Records)))
		w.p += extSecHeaderLen
		keep := uint32(len(s.extra)) == uint32(len(s.Records))*extra
		for i, r := range s.Records {
			b := w.buf[w.p : w.p+recSize]
			put(b, r)
			if keep && extra > 0 {
				copy(b[known:], s.extra[uint32(i)*extra:])
			}
			w.p += recSize
		}
	}
}
