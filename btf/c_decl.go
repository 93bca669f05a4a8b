package btf

// emitDecl writes a C declaration of name with type id: a member, a
// parameter or the body of a typedef. It follows libbpf's
// btf_dump_emit_type_decl: the chain of pointers, qualifiers, arrays and
// prototypes from id to a named (or anonymous, defined inline) type is
// pushed on a stack, then written from the innermost type out, which is
// how C's declarator syntax nests.
func (d *cDumper) emitDecl(id TypeID, name string, lvl int) error {
	start := len(d.decls)
	for {
		if d.expanded++; d.expanded > d.maxExp {
			d.decls = d.decls[:start]
			return d.expansionErr()
		}
		d.decls = append(d.decls, id)
		if id == 0 {
			break
		}
		t := d.s.typ(id)
		switch t.Kind() {
		case KindPointer, KindVolatile, KindConst, KindRestrict, KindFuncProto, KindTypeTag:
			id = t.Ref()
			continue
		case KindArray:
			id = t.Array().Type
			continue
		case KindInt, KindEnum, KindEnum64, KindFwd, KindStruct, KindUnion, KindTypedef, KindFloat:
		default:
			d.decls = d.decls[:start]
			return formatErr(ErrInvalid, -1, id, "writing C: %s cannot be part of a declaration", t.Kind())
		}
		break
	}
	v := cDeclView{start: start, n: len(d.decls) - start}
	err := d.emitChain(&v, name, lvl)
	d.decls = d.decls[:start]
	return err
}

// cDeclView is one declaration's frame of the shared stack d.decls.
type cDeclView struct {
	start, n int
}

func (d *cDumper) top(v *cDeclView) TypeID { return d.decls[v.start+v.n-1] }

// emitMods pops and writes the qualifiers on top of the stack, which C
// writes before the type they qualify.
func (d *cDumper) emitMods(v *cDeclView) {
	for v.n > 0 {
		switch d.s.typ(d.top(v)).Kind() {
		case KindVolatile:
			d.str("volatile ")
		case KindConst:
			d.str("const ")
		case KindRestrict:
			d.str("restrict ")
		default:
			return
		}
		v.n--
	}
}

// dropMods pops the qualifiers and type tags on top of the stack unwritten:
// GCC qualifies arrays and noreturn function pointers in ways C has no
// syntax for (libbpf's btf_dump_drop_mods).
func (d *cDumper) dropMods(v *cDeclView) {
	for v.n > 0 {
		k := d.s.typ(d.top(v)).Kind()
		if k != KindVolatile && k != KindConst && k != KindRestrict && k != KindTypeTag {
			return
		}
		v.n--
	}
}

func (d *cDumper) emitName(name string, lastWasPtr bool) {
	if name != "" && !lastWasPtr {
		d.str(" ")
	}
	d.str(name)
}

// emitChain writes the declaration held by v, popping it entirely (libbpf's
// btf_dump_emit_type_chain).
func (d *cDumper) emitChain(v *cDeclView, name string, lvl int) error {
	// lastWasPtr avoids a space between stars ("int ***"); it starts true
	// so that a pointer alone in a prototype's frame writes "(*name)".
	lastWasPtr := true
	for v.n > 0 {
		id := d.top(v)
		v.n--
		if id == 0 {
			d.emitMods(v)
			d.str("void")
			lastWasPtr = false
			continue
		}
		t := d.s.typ(id)
		k := t.Kind()
		switch k {
		case KindInt, KindFloat:
			d.emitMods(v)
			d.str(t.Name())
		case KindStruct, KindUnion:
			d.emitMods(v)
			if t.NameOff() == 0 {
				if err := d.emitStructDef(id, t, lvl); err != nil {
					return err
				}
			} else {
				d.emitStructFwd(id, t)
			}
		case KindEnum, KindEnum64:
			d.emitMods(v)
			if t.NameOff() == 0 {
				d.emitEnumDef(id, t, lvl)
			} else {
				d.emitEnumFwd(id, t)
			}
		case KindFwd:
			d.emitMods(v)
			d.emitFwdDef(id, t)
		case KindTypedef:
			d.emitMods(v)
			d.str(d.identName(id, t))
		case KindPointer:
			if lastWasPtr {
				d.str("*")
			} else {
				d.str(" *")
			}
		case KindVolatile:
			d.str(" volatile")
		case KindConst:
			d.str(" const")
		case KindRestrict:
			d.str(" restrict")
		case KindTypeTag:
			d.emitMods(v)
			d.str(" __attribute__((btf_type_tag(\"")
			d.str(t.Name())
			d.str("\")))")
		case KindArray:
			return d.emitArray(v, t, name, lastWasPtr, lvl)
		case KindFuncProto:
			return d.emitProto(v, t, name, lastWasPtr, lvl)
		default:
			return formatErr(ErrInvalid, -1, id, "writing C: %s cannot be part of a declaration", k)
		}
		lastWasPtr = k == KindPointer
	}
	d.emitName(name, lastWasPtr)
	return nil
}

// emitArray writes an array declarator: name[n] directly, or (inner)[n]
// around the pointers and prototypes that come between the array and the
// name, with no parentheses between the dimensions of a multi-dimensional
// array.
func (d *cDumper) emitArray(v *cDeclView, t Type, name string, lastWasPtr bool, lvl int) error {
	n := t.Array().Nelems
	d.dropMods(v)
	if v.n == 0 {
		d.emitName(name, lastWasPtr)
		d.str("[")
		d.uint(uint64(n))
		d.str("]")
		return nil
	}
	multidim := d.s.typ(d.top(v)).Kind() == KindArray
	if name != "" && !lastWasPtr {
		d.str(" ")
	}
	if !multidim {
		d.str("(")
	}
	if err := d.emitChain(v, name, lvl); err != nil {
		return err
	}
	if !multidim {
		d.str(")")
	}
	d.str("[")
	d.uint(uint64(n))
	d.str("]")
	return nil
}

// emitProto writes a function declarator: the pointers to it around the
// name, in parentheses, then the parameters. No parameters, or a single void
// one as clang writes for f(void), come out as (void), as in the libbpf of
// bpftool 7.1 (Linux 6.1's tools/lib/bpf; libbpf 1.1.2 wrote ()); a last
// parameter of type void is the ellipsis of a variadic function.
func (d *cDumper) emitProto(v *cDeclView, t Type, name string, lastWasPtr bool, lvl int) error {
	d.dropMods(v)
	if v.n > 0 {
		d.str(" (")
		if err := d.emitChain(v, name, lvl); err != nil {
			return err
		}
		d.str(")")
	} else {
		d.emitName(name, lastWasPtr)
	}
	d.str("(")
	vlen := t.Vlen()
	if vlen == 0 || (vlen == 1 && t.Param(0).Type == 0) {
		d.str("void)")
		return nil
	}
	for i := range vlen {
		if i > 0 {
			d.str(", ")
		}
		p := t.Param(i)
		if i == vlen-1 && p.Type == 0 {
			d.str("...")
			break
		}
		if err := d.emitDecl(p.Type, p.Name, lvl); err != nil {
			return err
		}
	}
	d.str(")")
	return nil
}

// expansionErr reports a top-level definition that passed CMaxExpansion.
func (d *cDumper) expansionErr() error {
	t := d.s.typ(d.topID)
	return formatErr(ErrOutputLimit, -1, d.topID, "writing C: %s %q would write more than %d types inline (anonymous types are written out at every use)",
		t.Kind(), t.Name(), d.maxExp)
}
