package btf

import (
	"io"
	"strconv"
)

// WriteText writes the spec's own types in the raw text format of
// `bpftool btf dump file FILE` (bpftool 7.1, format raw): one line per type,
// "[id] KIND 'name'" and the kind's fields, then one tab-indented line per
// member, enum value, parameter or DATASEC variable. Anonymous names print
// as '(anon)'.
//
// For a split spec only its own types are written, with their split ids, as
// `bpftool btf dump file MODULE -B VMLINUX` does; names and the kinds of
// DATASEC variables are still looked up in the base.
//
// The output follows bpftool's src/btf.c (dump_btf_type and dump_btf_raw)
// byte for byte.
func WriteText(w io.Writer, s *Spec) error {
	d := dumpWriter{w: w, buf: make([]byte, 0, dumpBufSize)}
	for i := range len(s.offs) - 1 {
		t := Type{spec: s, id: s.firstID + TypeID(i), w: s.words[s.offs[i]:s.offs[i+1]:s.offs[i+1]]}
		d.buf = appendTypeText(d.buf, t)
		if len(d.buf) >= dumpFlushAt {
			if err := d.flush(); err != nil {
				return err
			}
		}
	}
	return d.flush()
}

// dumpBufSize is the capacity of a dumpWriter's buffer; it flushes once
// dumpFlushAt bytes are pending, leaving room for a typical type so that
// the buffer rarely grows.
const (
	dumpBufSize = 64 << 10
	dumpFlushAt = dumpBufSize - 4<<10
)

// dumpWriter batches output in one reused buffer, which is cheaper than
// formatting into a bufio.Writer piece by piece.
type dumpWriter struct {
	w   io.Writer
	buf []byte
}

func (d *dumpWriter) flush() error {
	if len(d.buf) == 0 {
		return nil
	}
	_, err := d.w.Write(d.buf)
	d.buf = d.buf[:0]
	return err
}

// dumpKindName returns the kind as bpftool prints it, "UNKNOWN" for kinds
// it does not know (bpftool's btf_kind_safe).
func dumpKindName(k Kind) string {
	if k > MaxKind {
		k = KindUnknown
	}
	return kindNames[k]
}

// dumpName returns the string at off as bpftool's btf_str prints it:
// "(anon)" for offset 0, even in split BTF, and the string otherwise.
func dumpName(s *Spec, off uint32) string {
	if off == 0 {
		return "(anon)"
	}
	if off >= s.strEnd() {
		return "(invalid)"
	}
	return s.str(off)
}

// appendTypeText appends one type as bpftool's dump_btf_type prints it in
// plain text mode.
func appendTypeText(b []byte, t Type) []byte {
	s, w := t.spec, t.w
	k := t.Kind()
	b = append(b, '[')
	b = strconv.AppendUint(b, uint64(t.id), 10)
	b = append(b, "] "...)
	b = append(b, dumpKindName(k)...)
	b = append(b, " '"...)
	b = append(b, dumpName(s, w[0])...)
	b = append(b, '\'')

	kflag := t.KindFlag()
	vlen := int(w[1] & 0xffff)
	switch k {
	case KindInt:
		v := w[3]
		b = append(b, " size="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)
		b = append(b, " bits_offset="...)
		b = strconv.AppendUint(b, uint64(v>>16&0xff), 10)
		b = append(b, " nr_bits="...)
		b = strconv.AppendUint(b, uint64(v&0xff), 10)
		b = append(b, " encoding="...)
		b = append(b, IntEncoding(v>>24&0x0f).String()...)

	case KindPointer, KindConst, KindVolatile, KindRestrict, KindTypedef, KindTypeTag:
		b = append(b, " type_id="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)

	case KindArray:
		b = append(b, " type_id="...)
		b = strconv.AppendUint(b, uint64(w[3]), 10)
		b = append(b, " index_type_id="...)
		b = strconv.AppendUint(b, uint64(w[4]), 10)
		b = append(b, " nr_elems="...)
		b = strconv.AppendUint(b, uint64(w[5]), 10)

	case KindStruct, KindUnion:
		b = appendSizeVlen(b, w[2], vlen)
		for i := range vlen {
			m := w[3+3*i : 6+3*i]
			off, bits := m[2], uint32(0)
			if kflag {
				off, bits = m[2]&0xffffff, m[2]>>24
			}
			b = append(b, "\n\t'"...)
			b = append(b, dumpName(s, m[0])...)
			b = append(b, "' type_id="...)
			b = strconv.AppendUint(b, uint64(m[1]), 10)
			b = append(b, " bits_offset="...)
			b = strconv.AppendUint(b, uint64(off), 10)
			if bits != 0 {
				b = append(b, " bitfield_size="...)
				b = strconv.AppendUint(b, uint64(bits), 10)
			}
		}

	case KindEnum, KindEnum64:
		b = append(b, " encoding="...)
		if kflag {
			b = append(b, "SIGNED"...)
		} else {
			b = append(b, "UNSIGNED"...)
		}
		b = appendSizeVlen(b, w[2], vlen)
		for i := range vlen {
			var nameOff uint32
			var val uint64
			if k == KindEnum {
				nameOff, val = w[3+2*i], uint64(w[4+2*i])
			} else {
				nameOff, val = w[3+3*i], uint64(w[5+3*i])<<32|uint64(w[4+3*i])
			}
			b = append(b, "\n\t'"...)
			b = append(b, dumpName(s, nameOff)...)
			b = append(b, "' val="...)
			switch {
			case k == KindEnum && kflag:
				b = strconv.AppendInt(b, int64(int32(val)), 10)
			case k == KindEnum:
				b = strconv.AppendUint(b, val, 10)
			case kflag:
				b = strconv.AppendInt(b, int64(val), 10)
				b = append(b, "LL"...)
			default:
				b = strconv.AppendUint(b, val, 10)
				b = append(b, "ULL"...)
			}
		}

	case KindFwd:
		if kflag {
			b = append(b, " fwd_kind=union"...)
		} else {
			b = append(b, " fwd_kind=struct"...)
		}

	case KindFunc:
		b = append(b, " type_id="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)
		b = append(b, " linkage="...)
		b = append(b, Linkage(vlen).String()...)

	case KindFuncProto:
		b = append(b, " ret_type_id="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)
		b = append(b, " vlen="...)
		b = strconv.AppendUint(b, uint64(vlen), 10)
		for i := range vlen {
			b = append(b, "\n\t'"...)
			b = append(b, dumpName(s, w[3+2*i])...)
			b = append(b, "' type_id="...)
			b = strconv.AppendUint(b, uint64(w[4+2*i]), 10)
		}

	case KindVar:
		// bpftool prints a comma here, and only here.
		b = append(b, " type_id="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)
		b = append(b, ", linkage="...)
		b = append(b, Linkage(w[3]).String()...)

	case KindDatasec:
		b = appendSizeVlen(b, w[2], vlen)
		for i := range vlen {
			v := w[3+3*i : 6+3*i]
			b = append(b, "\n\ttype_id="...)
			b = strconv.AppendUint(b, uint64(v[0]), 10)
			b = append(b, " offset="...)
			b = strconv.AppendUint(b, uint64(v[1]), 10)
			b = append(b, " size="...)
			b = strconv.AppendUint(b, uint64(v[2]), 10)
			// bpftool names the variable's kind and name when the id
			// exists, which a decoded spec guarantees.
			if TypeID(v[0]) < s.NextID() {
				vt := s.typ(TypeID(v[0]))
				b = append(b, " ("...)
				b = append(b, dumpKindName(vt.Kind())...)
				b = append(b, " '"...)
				b = append(b, dumpName(s, vt.NameOff())...)
				b = append(b, "')"...)
			}
		}

	case KindFloat:
		b = append(b, " size="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)

	case KindDeclTag:
		b = append(b, " type_id="...)
		b = strconv.AppendUint(b, uint64(w[2]), 10)
		b = append(b, " component_idx="...)
		b = strconv.AppendInt(b, int64(int32(w[3])), 10)
	}
	return append(b, '\n')
}

func appendSizeVlen(b []byte, size uint32, vlen int) []byte {
	b = append(b, " size="...)
	b = strconv.AppendUint(b, uint64(size), 10)
	b = append(b, " vlen="...)
	return strconv.AppendUint(b, uint64(vlen), 10)
}
