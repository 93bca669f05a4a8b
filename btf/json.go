package btf

import (
	"io"
	"strconv"
)

// WriteJSON writes the spec's own types as the JSON document of
// `bpftool -j btf dump file FILE` (bpftool 7.1): an object with one member,
// "types", an array holding one object per type with the fields that
// WriteText prints, in the same order, followed by a newline. For a split
// spec only its own types are written, as for WriteText.
//
// The output is streamed, one type at a time, and matches the bytes of
// bpftool's compact output (src/btf.c, dump_btf_type, and json_writer.c)
// except where bpftool's string escaping is wrong: WriteJSON writes a
// backslash in a name as \\ where bpftool writes \n, and control characters
// other than \t \n \r \f \b as \u00XX where bpftool writes them raw,
// which is not valid JSON. Type names never hold such bytes; DECL_TAG and
// TYPE_TAG names might. Other bytes, including quotes and bytes from 0x80
// up, are written as bpftool writes them.
//
// Like bpftool, it writes the value of an unsigned ENUM as the 32-bit
// value sign-extended to 64 bits and printed unsigned, because bpftool
// passes the __s32 val of struct btf_enum to jsonw_uint_field: a value of
// 0xffffffff prints as 18446744073709551615. The text dump prints it as
// 4294967295.
func WriteJSON(w io.Writer, s *Spec) error {
	d := dumpWriter{w: w, buf: make([]byte, 0, dumpBufSize)}
	d.buf = append(d.buf, `{"types":[`...)
	for i := range len(s.offs) - 1 {
		t := Type{spec: s, id: s.firstID + TypeID(i), w: s.words[s.offs[i]:s.offs[i+1]:s.offs[i+1]]}
		if i > 0 {
			d.buf = append(d.buf, ',')
		}
		d.buf = appendTypeJSON(d.buf, t)
		if len(d.buf) >= dumpFlushAt {
			if err := d.flush(); err != nil {
				return err
			}
		}
	}
	d.buf = append(d.buf, "]}\n"...)
	return d.flush()
}

// appendTypeJSON appends one type as bpftool's dump_btf_type writes it in
// JSON mode.
func appendTypeJSON(b []byte, t Type) []byte {
	s, w := t.spec, t.w
	k := t.Kind()
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, uint64(t.id), 10)
	b = append(b, `,"kind":"`...)
	b = append(b, dumpKindName(k)...)
	b = append(b, `","name":`...)
	b = appendJSONString(b, dumpName(s, w[0]))

	kflag := t.KindFlag()
	vlen := int(w[1] & 0xffff)
	switch k {
	case KindInt:
		v := w[3]
		b = appendJSONUint(b, "size", uint64(w[2]))
		b = appendJSONUint(b, "bits_offset", uint64(v>>16&0xff))
		b = appendJSONUint(b, "nr_bits", uint64(v&0xff))
		b = append(b, `,"encoding":"`...)
		b = append(b, IntEncoding(v>>24&0x0f).String()...)
		b = append(b, '"')

	case KindPointer, KindConst, KindVolatile, KindRestrict, KindTypedef, KindTypeTag:
		b = appendJSONUint(b, "type_id", uint64(w[2]))

	case KindArray:
		b = appendJSONUint(b, "type_id", uint64(w[3]))
		b = appendJSONUint(b, "index_type_id", uint64(w[4]))
		b = appendJSONUint(b, "nr_elems", uint64(w[5]))

	case KindStruct, KindUnion:
		b = appendJSONUint(b, "size", uint64(w[2]))
		b = appendJSONUint(b, "vlen", uint64(vlen))
		b = append(b, `,"members":[`...)
		for i := range vlen {
			m := w[3+3*i : 6+3*i]
			off, bits := m[2], uint32(0)
			if kflag {
				off, bits = m[2]&0xffffff, m[2]>>24
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, dumpName(s, m[0]))
			b = appendJSONUint(b, "type_id", uint64(m[1]))
			b = appendJSONUint(b, "bits_offset", uint64(off))
			if bits != 0 {
				b = appendJSONUint(b, "bitfield_size", uint64(bits))
			}
			b = append(b, '}')
		}
		b = append(b, ']')

	case KindEnum, KindEnum64:
		if kflag {
			b = append(b, `,"encoding":"SIGNED"`...)
		} else {
			b = append(b, `,"encoding":"UNSIGNED"`...)
		}
		b = appendJSONUint(b, "size", uint64(w[2]))
		b = appendJSONUint(b, "vlen", uint64(vlen))
		b = append(b, `,"values":[`...)
		for i := range vlen {
			var nameOff uint32
			var val uint64
			if k == KindEnum {
				// struct btf_enum's val is __s32; bpftool widens it
				// to 64 bits with its sign either way.
				nameOff, val = w[3+2*i], uint64(int64(int32(w[4+2*i])))
			} else {
				nameOff, val = w[3+3*i], uint64(w[5+3*i])<<32|uint64(w[4+3*i])
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, dumpName(s, nameOff))
			b = append(b, `,"val":`...)
			if kflag {
				b = strconv.AppendInt(b, int64(val), 10)
			} else {
				b = strconv.AppendUint(b, val, 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')

	case KindFwd:
		if kflag {
			b = append(b, `,"fwd_kind":"union"`...)
		} else {
			b = append(b, `,"fwd_kind":"struct"`...)
		}

	case KindFunc:
		b = appendJSONUint(b, "type_id", uint64(w[2]))
		b = append(b, `,"linkage":"`...)
		b = append(b, Linkage(vlen).String()...)
		b = append(b, '"')

	case KindFuncProto:
		b = appendJSONUint(b, "ret_type_id", uint64(w[2]))
		b = appendJSONUint(b, "vlen", uint64(vlen))
		b = append(b, `,"params":[`...)
		for i := range vlen {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, dumpName(s, w[3+2*i]))
			b = appendJSONUint(b, "type_id", uint64(w[4+2*i]))
			b = append(b, '}')
		}
		b = append(b, ']')

	case KindVar:
		b = appendJSONUint(b, "type_id", uint64(w[2]))
		b = append(b, `,"linkage":"`...)
		b = append(b, Linkage(w[3]).String()...)
		b = append(b, '"')

	case KindDatasec:
		b = appendJSONUint(b, "size", uint64(w[2]))
		b = appendJSONUint(b, "vlen", uint64(vlen))
		b = append(b, `,"vars":[`...)
		for i := range vlen {
			v := w[3+3*i : 6+3*i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type_id":`...)
			b = strconv.AppendUint(b, uint64(v[0]), 10)
			b = appendJSONUint(b, "offset", uint64(v[1]))
			b = appendJSONUint(b, "size", uint64(v[2]))
			b = append(b, '}')
		}
		b = append(b, ']')

	case KindFloat:
		b = appendJSONUint(b, "size", uint64(w[2]))

	case KindDeclTag:
		b = appendJSONUint(b, "type_id", uint64(w[2]))
		b = append(b, `,"component_idx":`...)
		b = strconv.AppendInt(b, int64(int32(w[3])), 10)
	}
	return append(b, '}')
}

// appendJSONUint appends `,"name":v`.
func appendJSONUint(b []byte, name string, v uint64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendUint(b, v, 10)
}

// appendJSONString appends s as a JSON string, escaping as bpftool's
// jsonw_puts does where that is valid JSON (see WriteJSON). Bytes from 0x80
// up are copied as they are, as bpftool does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\f':
			b = append(b, '\\', 'f')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
