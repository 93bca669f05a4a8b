package fromdwarf

// Functions: FUNC_PROTO records of subroutine types and subprograms, and
// the FUNC candidates of a unit.

import "github.com/btfhub/btfhub/btf"

// proto returns the FUNC_PROTO record of a subroutine type or a
// subprogram, and whether every parameter has a name (pahole's
// ftype__has_arg_names). Parameters that have an abstract origin and no
// type of their own take name and type from it (dwarf_loader.c
// ftype__recode_dwarf_types); so does a subprogram's return type.
func (c *cuEnc) proto(i int, subprogram bool) ([]uint32, bool) {
	e := &c.dies[i]
	ret := c.ref(i)
	if subprogram && !e.is(hasType) && e.is(hasAbstractOrigin) {
		if j := c.find(e.abstractOrigin); j >= 0 {
			ret = c.ref(j)
		}
	}
	rec := []uint32{0, 0, ret}
	named := true
	variadic := false
	n := 0
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		p := &c.dies[j]
		switch p.tag {
		case tagFormalParameter:
			name := p.name
			typ := uint32(0)
			if p.is(hasType) {
				typ = c.ref(j)
			} else if p.is(hasAbstractOrigin) {
				if k := c.find(p.abstractOrigin); k >= 0 {
					name = c.dies[k].name
					typ = c.ref(k)
				} else {
					c.warn(j, "abstract origin 0x%x leaves the unit", p.abstractOrigin)
				}
			}
			if isEmpty(name) {
				named = false
			}
			rec = append(rec, c.str(name), typ)
			n++
		case tagUnspecifiedParams:
			variadic = true
		}
	}
	if variadic {
		rec = append(rec, 0, 0)
		n++
	}
	if n > 0xffff {
		// The record must hold as many parameters as its vlen says:
		// merge walks the records by it.
		c.warn(i, "prototype has more parameters than BTF can hold; dropping the rest")
		rec, n = rec[:3+2*0xffff], 0xffff
	}
	rec[1] = btf.MakeInfo(btf.KindFuncProto, false, n)
	return rec, named
}

// function records a FUNC candidate for a subprogram, following
// btf_encoder__encode_cu: not a declaration, every parameter named, and,
// when the ELF file has function symbols, named like one of them.
func (c *cuEnc) function(i int) {
	e := &c.dies[i]
	if e.is(hasDeclaration) {
		return
	}
	name := e.name
	if isEmpty(name) {
		for _, o := range []struct {
			bit uint32
			off uint64
		}{{hasAbstractOrigin, e.abstractOrigin}, {hasSpecification, e.specification}} {
			if e.is(o.bit) {
				if j := c.find(o.off); j >= 0 {
					name = c.dies[j].name
					break
				}
			}
		}
		if isEmpty(name) {
			return
		}
	}
	sym := -1
	if len(c.syms.funcs) > 0 {
		s, ok := c.syms.funcs[string(cstr(name))]
		if !ok {
			return
		}
		sym = s
	} else if !e.is(hasExternal) {
		return
	}
	rec, named := c.proto(i, true)
	if !named {
		return
	}
	f := cuFunc{name: c.str(name), sym: sym, proto: rec}
	if !c.feat.NoDeclTag && c.annotated && e.children {
		f.tags = c.componentTags(i, tagFormalParameter, nil)
	}
	if c.consistent && sym >= 0 {
		f.sig = c.funcSig(i)
	}
	c.out.funcs = append(c.out.funcs, f)
}
