package btf

// emitType writes the definition of a queued type, preceded by the forward
// declarations it needs, following libbpf's btf_dump_emit_type
// (src/btf_dump.c). cont is the struct or union (or typedef) being defined
// around it, 0 at the top level.
func (d *cDumper) emitType(id, cont TypeID) error {
	st := &d.states[id]
	if st.emit == cEmitted || st.emitAll || st.emitCont == cont+1 {
		return nil
	}
	t := d.s.typ(id)
	topLevel := cont == 0

	if st.emit == cEmitting {
		// Reached again while being defined: a forward declaration
		// breaks the cycle.
		if st.fwdEmitted {
			return nil
		}
		switch t.Kind() {
		case KindStruct, KindUnion:
			if id == cont {
				d.contHits++
				return nil
			}
			if t.NameOff() == 0 {
				return formatErr(ErrTypeLoop, -1, id, "writing C: anonymous %s is part of a cycle", t.Kind())
			}
			d.emitStructFwd(id, t)
			d.str(";\n\n")
			st.fwdEmitted = true
		case KindTypedef:
			// A typedef works as its own forward declaration for
			// uses through pointers.
			if !d.isBuiltin(t) {
				if err := d.emitTypedefDef(id, t, 0); err != nil {
					return err
				}
				d.str(";\n\n")
			}
			st.fwdEmitted = true
		}
		return nil
	}

	switch t.Kind() {
	case KindInt:
		d.emitMissingAlias(id, t)
		st.emit = cEmitted
	case KindEnum, KindEnum64:
		if topLevel {
			d.emitEnumDef(id, t, 0)
			d.str(";\n\n")
		}
		st.emit = cEmitted
	case KindPointer, KindArray, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return d.emitRefChain(id, cont)
	case KindFwd:
		d.emitFwdDef(id, t)
		d.str(";\n\n")
		st.emit = cEmitted
	case KindTypedef:
		st.emit = cEmitting
		if err := d.emitType(t.Ref(), id); err != nil {
			return err
		}
		if !d.states[id].fwdEmitted && !d.isBuiltin(t) {
			if err := d.emitTypedefDef(id, t, 0); err != nil {
				return err
			}
			d.str(";\n\n")
		}
		d.states[id].emit = cEmitted
	case KindStruct, KindUnion:
		st.emit = cEmitting
		// A definition writes every member's type, so those need their
		// own definitions or forward declarations first. An anonymous
		// struct is defined inline, within its container.
		hits := d.contHits
		if topLevel || t.NameOff() == 0 {
			inner := id
			if t.NameOff() == 0 {
				inner = cont
			}
			for i := range t.Vlen() {
				if err := d.emitType(t.Member(i).Type, inner); err != nil {
					return err
				}
			}
		} else if id == cont {
			d.contHits++
		} else if !st.fwdEmitted {
			d.emitStructFwd(id, t)
			d.str(";\n\n")
			st.fwdEmitted = true
		}
		if topLevel {
			if err := d.emitStructDef(id, t, 0); err != nil {
				return err
			}
			d.str(";\n\n")
			d.states[id].emit = cEmitted
		} else {
			d.states[id].emit = cNotEmitted
			if t.NameOff() == 0 {
				d.emitDone(id, cont, hits)
			}
		}
	case KindFuncProto:
		hits := d.contHits
		if err := d.emitType(t.Ref(), cont); err != nil {
			return err
		}
		for i := range t.Vlen() {
			if err := d.emitType(t.Param(i).Type, cont); err != nil {
				return err
			}
		}
		d.emitDone(id, cont, hits)
	}
	return nil
}

// isRefChainKind reports whether emitRefChain walks a type of kind k.
func isRefChainKind(k Kind) bool {
	switch k {
	case KindPointer, KindArray, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return true
	}
	return false
}

// emitRefChain is emitType for a pointer, array, qualifier or type tag,
// which writes nothing itself: it walks the type it refers to (qualifiers
// skipped), and marks itself done (emitDone). A chain of such types can be
// 100,000 long, so it is followed in a loop down to the first type of
// another kind, or to one already done, which is walked (recursively) in
// turn; then every type of the chain is marked done. Nothing between them
// changes d.contHits, so they share the count taken at the top.
func (d *cDumper) emitRefChain(id, cont TypeID) error {
	hits := d.contHits
	start := len(d.chain)
	defer func() { d.chain = d.chain[:start] }()
	for {
		if len(d.chain)-start > len(d.states) {
			return formatErr(ErrTypeLoop, -1, id, "writing C: a chain of pointers, arrays and qualifiers loops")
		}
		d.chain = append(d.chain, id)
		t := d.s.typ(id)
		switch t.Kind() {
		case KindArray:
			id = t.Array().Type
		case KindPointer:
			id = t.Ref()
		default:
			id = d.skipQuals(id)
		}
		st := &d.states[id]
		if st.emit == cEmitted || st.emitAll || st.emitCont == cont+1 {
			break
		}
		if !isRefChainKind(d.s.typ(id).Kind()) || id == 0 {
			if err := d.emitType(id, cont); err != nil {
				return err
			}
			break
		}
	}
	for _, c := range d.chain[start:] {
		d.emitDone(c, cont, hits)
	}
	return nil
}

// emitDone records that the emitType walk of id, a type that libbpf walks
// afresh at every use (a pointer, array, qualifier, prototype or anonymous
// struct), finished within container cont. Walking it again would write
// nothing: every type below is written, forward declared, or is cont
// itself, which only another container would declare. hits is d.contHits
// before the walk: when no type below was skipped for being cont, the walk
// need never be repeated. This keeps a chain shared by many members, or
// anonymous types used twice at each level, from being walked again and
// again (libbpf's btf_dump_emit_type walks them each time).
func (d *cDumper) emitDone(id, cont TypeID, hits int) {
	if d.contHits == hits {
		d.states[id].emitAll = true
	} else {
		d.states[id].emitCont = cont + 1
	}
}

// isBuiltin reports whether t is __builtin_va_list, which compilers define
// themselves and which libbpf therefore never writes
// (btf_dump_is_blacklisted).
func (d *cDumper) isBuiltin(t Type) bool {
	return t.NameOff() != 0 && t.Name() == "__builtin_va_list"
}

// cMissingAliases maps the names of base types that GCC emits for Arm SIMD
// intrinsics, and that clang does not know, to standard C types (libbpf's
// missing_base_types).
var cMissingAliases = map[string]string{
	"__Poly8_t":   "unsigned char",
	"__Poly16_t":  "unsigned short",
	"__Poly64_t":  "unsigned long long",
	"__Poly128_t": "unsigned __int128",
}

func (d *cDumper) emitMissingAlias(id TypeID, t Type) {
	name := d.typeName(id, t)
	if alias, ok := cMissingAliases[name]; ok {
		d.str("typedef " + alias + " " + name + ";\n\n")
	}
}

func (d *cDumper) emitStructFwd(id TypeID, t Type) {
	if t.Kind() == KindStruct {
		d.str("struct")
	} else {
		d.str("union")
	}
	if t.NameOff() != 0 {
		d.str(" ")
	}
	d.str(d.typeName(id, t))
}

func (d *cDumper) emitFwdDef(id TypeID, t Type) {
	if t.KindFlag() {
		d.str("union ")
	} else {
		d.str("struct ")
	}
	d.str(d.typeName(id, t))
}

func (d *cDumper) emitEnumFwd(id TypeID, t Type) {
	d.str("enum ")
	d.str(d.typeName(id, t))
}

func (d *cDumper) emitTypedefDef(id TypeID, t Type, lvl int) error {
	name := d.identName(id, t)
	// Old GCC emits __gnuc_va_list as a typedef of void, which would not
	// compile (libbpf's btf_dump_emit_typedef_def).
	if t.Ref() == 0 && name == "__gnuc_va_list" {
		d.str("typedef __builtin_va_list __gnuc_va_list")
		return nil
	}
	d.str("typedef ")
	return d.emitDecl(t.Ref(), name, lvl)
}
