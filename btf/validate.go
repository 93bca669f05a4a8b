package btf

// Validate applies the per-kind rules of the kernel's BTF checker
// (kernel/bpf/btf.c, the btf_*_check_meta and *_resolve functions) that hold
// for every well-formed BTF, whether it comes from vmlinux, a module or a
// BPF object:
//
//   - names: anonymous where C has no name (PTR, ARRAY, qualifiers,
//     FUNC_PROTO), present where C requires one (TYPEDEF, FUNC, VAR, FWD,
//     DATASEC, tags, enum values), and made of identifier characters;
//   - vlen and kind flag zero where the kind gives them no meaning;
//   - INT: size 1, 2, 4, 8 or 16, at most one encoding, bit offset plus
//     bits within the size;
//   - ENUM and ENUM64 of size 1, 2, 4 or 8; FLOAT of 2, 4, 8, 12 or 16;
//   - STRUCT and UNION members within the type's size, bitfields of at most
//     128 bits that fit their base type, and for non-bitfield members of a
//     kind-flagged type a byte-aligned offset;
//   - FUNC of known linkage pointing to a FUNC_PROTO; FUNC_PROTO parameters
//     that are not void except for a final variadic marker;
//   - VAR of known linkage whose type has a size; DATASEC entries that are
//     VAR or FUNC; DECL_TAG on a struct, union, typedef, VAR or FUNC with a
//     component index that exists.
//
// Rules that only hold after a loader has fixed an object up (such as
// DATASEC sizes, which are 0 in a .bpf.o until libbpf fills them in) are not
// applied. Decode has already checked record layout, string offsets, type
// ids and reference loops. Validate returns the first violation as a
// *FormatError that names the type id and byte offset.
func (s *Spec) Validate() error {
	// Only a spec decoded with DecodeOptions.AllowReferenceLoops has one.
	if err := s.CheckReferenceLoops(); err != nil {
		return err
	}
	v := validator{s: s, ptrSize: s.PointerSize()}
	for t := range s.Types() {
		if err := v.check(t); err != nil {
			return err
		}
	}
	return nil
}

type validator struct {
	s       *Spec
	ptrSize uint32
}

func (v *validator) fail(t Type, word int, format string, args ...any) error {
	i := t.id - v.s.firstID
	return formatErr(ErrInvalid, v.s.byteOffset(v.s.offs[i]+uint32(word)), t.id, format, args...)
}

// identChar reports whether c may appear in a type name. The kernel's
// btf_name_valid_identifier allows letters, digits, '_' and, after the
// first character, '.' (compilers emit names such as "foo.isra.0").
func identChar(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case first:
		return false
	}
	return c >= '0' && c <= '9' || c == '.'
}

func validIdent(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !identChar(name[i], i == 0) {
			return false
		}
	}
	return true
}

// validSectionName allows what the kernel's btf_name_valid_section allows:
// printable characters other than space.
func validSectionName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] > '~' {
			return false
		}
	}
	return true
}

func (v *validator) check(t Type) error {
	k := t.Kind()
	name := t.Name()
	// Names.
	switch k {
	case KindPointer, KindArray, KindVolatile, KindConst, KindRestrict, KindFuncProto:
		if t.NameOff() != 0 {
			return v.fail(t, 0, "%s must be anonymous, has name %q", k, name)
		}
	case KindTypedef, KindFunc, KindVar, KindFwd, KindTypeTag, KindDeclTag:
		if !validIdent(name) && !(k == KindTypeTag || k == KindDeclTag) || name == "" {
			return v.fail(t, 0, "%s has invalid name %q", k, name)
		}
	case KindDatasec:
		if !validSectionName(name) {
			return v.fail(t, 0, "DATASEC has invalid name %q", name)
		}
	case KindStruct, KindUnion, KindEnum, KindEnum64, KindInt, KindFloat:
		if name != "" && !validIdent(name) && k != KindInt && k != KindFloat {
			return v.fail(t, 0, "%s has invalid name %q", k, name)
		}
	}
	// Vlen and kind flag where they have no meaning.
	switch k {
	case KindInt, KindPointer, KindArray, KindTypedef, KindVolatile, KindConst,
		KindRestrict, KindVar, KindFloat, KindDeclTag, KindTypeTag, KindFwd:
		if t.Vlen() != 0 {
			return v.fail(t, 1, "%s has vlen %d, must be 0", k, t.Vlen())
		}
	}
	switch k {
	case KindInt, KindPointer, KindArray, KindTypedef, KindVolatile, KindConst,
		KindRestrict, KindFunc, KindFuncProto, KindVar, KindDatasec, KindFloat:
		if t.KindFlag() {
			return v.fail(t, 1, "%s has the kind flag set", k)
		}
	}
	switch k {
	case KindInt:
		return v.checkInt(t)
	case KindEnum, KindEnum64:
		switch t.Size() {
		case 1, 2, 4, 8:
		default:
			return v.fail(t, 2, "%s has size %d, must be 1, 2, 4 or 8", k, t.Size())
		}
		for i := range t.Vlen() {
			if n := t.EnumValue(i).Name; !validIdent(n) {
				return v.fail(t, 3+i*(2+btoi(k == KindEnum64)), "value %d has invalid name %q", i, n)
			}
		}
	case KindFloat:
		switch t.Size() {
		case 2, 4, 8, 12, 16:
		default:
			return v.fail(t, 2, "FLOAT has size %d, must be 2, 4, 8, 12 or 16", t.Size())
		}
	case KindArray:
		if t.w[2] != 0 {
			return v.fail(t, 2, "ARRAY has size/type word %d, must be 0", t.w[2])
		}
		if a := t.Array(); a.Type == 0 {
			return v.fail(t, 3, "ARRAY of void")
		}
	case KindStruct, KindUnion:
		return v.checkComposite(t)
	case KindFwd:
		if t.w[2] != 0 {
			return v.fail(t, 2, "FWD has size %d, must be 0", t.w[2])
		}
	case KindFunc:
		if l := t.Linkage(); l > LinkageExtern {
			return v.fail(t, 1, "FUNC has unknown linkage %d", l)
		}
		if p := v.s.typ(t.Ref()); p.Kind() != KindFuncProto {
			return v.fail(t, 2, "FUNC refers to [%d] %s, must be a FUNC_PROTO", p.id, p.Kind())
		}
	case KindFuncProto:
		for i := range t.Vlen() {
			p := t.Param(i)
			if p.Type == 0 && (i != t.Vlen()-1 || p.NameOff != 0) {
				return v.fail(t, 4+2*i, "parameter %d is void", i)
			}
			if p.Name != "" && !validIdent(p.Name) {
				return v.fail(t, 3+2*i, "parameter %d has invalid name %q", i, p.Name)
			}
		}
	case KindVar:
		if l := t.Linkage(); l > LinkageExtern {
			return v.fail(t, 3, "VAR has unknown linkage %d", l)
		}
		if _, err := v.s.ResolveSize(t.Ref()); err != nil {
			return v.fail(t, 2, "VAR type [%d] has no size", t.Ref())
		}
	case KindDatasec:
		for i := range t.Vlen() {
			e := v.s.typ(t.VarSecinfo(i).Type)
			if k := e.Kind(); k != KindVar && k != KindFunc {
				return v.fail(t, 3+3*i, "variable %d refers to [%d] %s, must be a VAR or FUNC", i, e.id, k)
			}
		}
	case KindDeclTag:
		target := v.s.typ(t.Ref())
		idx := t.ComponentIdx()
		switch tk := target.Kind(); tk {
		case KindStruct, KindUnion:
			if idx < -1 || idx >= int32(target.Vlen()) {
				return v.fail(t, 3, "component index %d out of range for %s with %d members", idx, tk, target.Vlen())
			}
		case KindFunc:
			proto := v.s.typ(target.Ref())
			if idx < -1 || idx >= int32(proto.Vlen()) {
				return v.fail(t, 3, "component index %d out of range for FUNC with %d parameters", idx, proto.Vlen())
			}
		case KindTypedef, KindVar:
			if idx != -1 {
				return v.fail(t, 3, "component index %d on %s, must be -1", idx, tk)
			}
		default:
			return v.fail(t, 2, "DECL_TAG on [%d] %s", target.id, tk)
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkInt follows btf_int_check_meta.
func (v *validator) checkInt(t Type) error {
	switch t.Size() {
	case 1, 2, 4, 8, 16:
	default:
		return v.fail(t, 2, "INT has size %d, must be 1, 2, 4, 8 or 16", t.Size())
	}
	raw := t.w[3]
	if raw>>28 != 0 {
		return v.fail(t, 3, "INT has reserved bits set in %#08x", raw)
	}
	in := t.Int()
	if in.Bits == 0 || in.Bits > 128 {
		return v.fail(t, 3, "INT has %d bits, must be 1 to 128", in.Bits)
	}
	if in.Offset+in.Bits > 8*t.Size() {
		return v.fail(t, 3, "INT bit offset %d plus %d bits exceeds its size of %d bytes", in.Offset, in.Bits, t.Size())
	}
	switch in.Encoding {
	case 0, IntSigned, IntChar, IntBool:
	default:
		return v.fail(t, 3, "INT has more than one encoding (%#x)", uint8(in.Encoding))
	}
	return nil
}

// checkComposite follows btf_struct_check_meta and btf_struct_resolve.
func (v *validator) checkComposite(t Type) error {
	size := uint64(t.Size())
	for i := range t.Vlen() {
		m := t.Member(i)
		if m.Name != "" && !validIdent(m.Name) {
			return v.fail(t, 3+3*i, "member %d has invalid name %q", i, m.Name)
		}
		if m.Type == 0 {
			return v.fail(t, 4+3*i, "member %d %q is void", i, m.Name)
		}
		if t.Kind() == KindUnion && m.BitOffset != 0 {
			return v.fail(t, 5+3*i, "union member %d %q has bit offset %d, must be 0", i, m.Name, m.BitOffset)
		}
		mt := v.s.SkipQualifiers(m.Type)
		if m.BitfieldSize != 0 {
			if m.BitfieldSize > 128 {
				return v.fail(t, 5+3*i, "member %d %q has a bitfield of %d bits", i, m.Name, m.BitfieldSize)
			}
			if k := mt.Kind(); k != KindInt && k != KindEnum && k != KindEnum64 {
				return v.fail(t, 5+3*i, "member %d %q is a bitfield of %s", i, m.Name, k)
			}
			if uint64(m.BitOffset)+uint64(m.BitfieldSize) > 8*size {
				return v.fail(t, 5+3*i, "member %d %q (bits %d+%d) exceeds the %s's %d bytes", i, m.Name, m.BitOffset, m.BitfieldSize, t.Kind(), size)
			}
			continue
		}
		var msize uint32
		switch mt.Kind() {
		case KindFwd, KindFunc, KindFuncProto:
			return v.fail(t, 4+3*i, "member %d %q has incomplete type [%d] %s", i, m.Name, mt.id, mt.Kind())
		case KindPointer:
			msize = v.ptrSize
		default:
			sz, err := v.s.ResolveSize(m.Type)
			if err != nil {
				return v.fail(t, 4+3*i, "member %d %q: %v", i, m.Name, err)
			}
			msize = sz
		}
		if t.KindFlag() && m.BitOffset%8 != 0 {
			return v.fail(t, 5+3*i, "member %d %q is not a bitfield but has bit offset %d", i, m.Name, m.BitOffset)
		}
		if mt.Kind() == KindInt && !t.KindFlag() {
			// A bitfield without the kind flag: the INT's own bit count is
			// the field's width.
			if in := mt.Int(); in.Bits != 8*mt.Size() {
				if uint64(m.BitOffset)+uint64(in.Bits) > 8*size {
					return v.fail(t, 5+3*i, "member %d %q (bits %d+%d) exceeds the %s's %d bytes", i, m.Name, m.BitOffset, in.Bits, t.Kind(), size)
				}
				continue
			}
		}
		if uint64(m.BitOffset)/8+uint64(msize) > size && !(msize == 0 || i == t.Vlen()-1 && v.flexible(m.Type)) {
			return v.fail(t, 5+3*i, "member %d %q at byte %d with size %d exceeds the %s's %d bytes", i, m.Name, m.BitOffset/8, msize, t.Kind(), size)
		}
	}
	return nil
}

// flexible reports whether id is an array of zero elements, which C allows
// as a last member whatever the struct's size says.
func (v *validator) flexible(id TypeID) bool {
	t := v.s.SkipQualifiers(id)
	return t.Kind() == KindArray && t.Array().Nelems == 0
}
