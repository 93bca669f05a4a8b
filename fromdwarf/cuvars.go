package fromdwarf

// Per-cpu variables: the VAR candidates of a unit and their addresses.

import "github.com/btfhub/btfhub/btf"

// variable records a per-cpu VAR, following
// btf_encoder__encode_cu_variables.
func (c *cuEnc) variable(i int) {
	e := &c.dies[i]
	spec := -1
	if e.is(hasSpecification) {
		spec = c.find(e.specification)
	}
	decl := e.is(hasDeclaration)
	if decl && spec < 0 {
		return
	}
	var addr uint64
	global := false
	if !decl {
		addr, global = c.locationAddr(e.blob)
	}
	if !global && spec < 0 {
		return
	}
	p := &c.syms.percpu
	if addr < p.addr || addr >= p.addr+p.size {
		return
	}
	off := addr - p.addr
	sym, ok := c.syms.percpuAt(off)
	if !ok {
		return
	}
	if addr == 0 && !nameIs(e.name, sym.name) {
		return
	}
	v := i
	if spec >= 0 {
		v = spec
	}
	if !c.dies[v].is(hasType) {
		c.warn(i, "per-cpu variable %q has void type; skipped", sym.name)
		return
	}
	if c.sizeOf(v, 0) == 0 {
		return
	}
	linkage := btf.LinkageStatic
	if c.dies[v].is(hasExternal) {
		linkage = btf.LinkageGlobal
	}
	cv := cuVar{name: c.str([]byte(sym.name)), typ: c.ref(v), linkage: linkage, off: uint32(off), size: sym.size}
	if !c.feat.NoDeclTag && c.annotated {
		cv.tags = c.declTags(i, -1, nil)
	}
	c.out.vars = append(c.out.vars, cv)
}

// locationAddr returns the address of a variable whose location
// expression starts with DW_OP_addr: one with static storage (pahole's
// dwarf__location, VSCOPE_GLOBAL).
// DW_OP_addrx (DWARF 5) and DW_OP_GNU_addr_index take the address from
// .debug_addr.
func (c *cuEnc) locationAddr(v []byte) (uint64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	switch v[0] {
	case 0x03: // DW_OP_addr
		if len(v) < 1+c.addrSize {
			return 0, false
		}
		if c.addrSize == 8 {
			return c.bo.Uint64(v[1:]), true
		}
		return uint64(c.bo.Uint32(v[1:])), true
	case 0xa1, 0xfb: // DW_OP_addrx, DW_OP_GNU_addr_index
		cur := &cursor{b: v, off: 1, bo: c.bo}
		idx := cur.uleb()
		pos := c.addrBase + idx*uint64(c.addrSize)
		if cur.err != nil || idx > uint64(len(c.addr)) || pos < c.addrBase || pos > uint64(len(c.addr)) || uint64(len(c.addr))-pos < uint64(c.addrSize) {
			return 0, false
		}
		ac := &cursor{b: c.addr, off: int(pos), bo: c.bo}
		return ac.uN(c.addrSize), true
	}
	return 0, false
}
