package btf

import "errors"

// This file holds the second pass of Validate: the resolution of every
// reference, as btf_check_all_types, btf_resolve and the kinds' resolve
// functions of kernel/bpf/btf.c do it.

// Outcomes of a push on the resolution stack (env_stack_push).
var (
	errResolveDepth = errors.New("resolve depth")    // -E2BIG
	errResolveLoop  = errors.New("resolve loop")     // -EEXIST
	errPushed       = errors.New("pushed, continue") // not an error: resolve the new top
)

func isModifier(k Kind) bool { return k.IsModifier() }

// needsResolve is btf_type_needs_resolve.
func needsResolve(k Kind) bool {
	switch k {
	case KindPointer, KindStruct, KindUnion, KindArray, KindVar, KindFunc, KindDeclTag, KindDatasec:
		return true
	}
	return isModifier(k)
}

// sourceOnly is btf_type_is_resolve_source_only.
func sourceOnly(k Kind) bool { return k == KindVar || k == KindDeclTag || k == KindDatasec }

// noSize is btf_type_nosize: void, FWD, FUNC and FUNC_PROTO.
func noSize(k Kind) bool {
	return k == KindUnknown || k == KindFwd || k == KindFunc || k == KindFuncProto
}

// isSink is env_type_is_resolve_sink: whether a walk in the current mode
// stops at kind k.
func (c *checker) isSink(k Kind) bool {
	switch c.mode {
	case resolvePtr:
		return !isModifier(k) && k != KindPointer
	case resolveStructOrArray:
		return !isModifier(k) && k != KindArray && !k.IsComposite()
	}
	return !needsResolve(k)
}

// owner returns the checker of the spec that holds id.
func (c *checker) owner(id TypeID) *checker {
	for id < c.s.firstID && c.base != nil {
		c = c.base
	}
	return c
}

// index returns the position of own type id in the state slices, or -1 for
// void and the base's types.
func (c *checker) index(id TypeID) int {
	if id < c.s.firstID {
		return -1
	}
	return int(id - c.s.firstID)
}

// isResolved is env_type_is_resolved: the base's types are.
func (c *checker) isResolved(id TypeID) bool {
	if c.base != nil && id < c.s.firstID {
		return true
	}
	i := c.index(id)
	return i >= 0 && c.state[i] == resolved
}

func (c *checker) resID(id TypeID) TypeID {
	o := c.owner(id)
	if i := o.index(id); i >= 0 {
		return TypeID(o.resolvedID[i])
	}
	return 0
}

func (c *checker) resSize(id TypeID) uint32 {
	o := c.owner(id)
	if i := o.index(id); i >= 0 {
		return o.resolvedSize[i]
	}
	return 0
}

// idSize is btf_type_id_size: the type that gives id its size, and the
// size, or false when it has none.
func (c *checker) idSize(id TypeID) (TypeID, uint32, bool) {
	k := c.kindOf(id)
	switch {
	case noSize(k) || k == KindDeclTag:
		return 0, 0, false
	case k.hasSize() && k != KindFwd:
		return id, c.rec(id)[2], true
	case k == KindArray:
		return id, c.resSize(id), true
	case k == KindPointer:
		return id, kernelPtrSize, true
	case !isModifier(k) && k != KindVar:
		return 0, 0, false
	}
	id = c.resID(id)
	switch k = c.kindOf(id); {
	case noSize(k):
		return 0, 0, false
	case k.hasSize() && k != KindFwd:
		return id, c.rec(id)[2], true
	case k == KindArray:
		return id, c.resSize(id), true
	case k == KindPointer:
		return id, kernelPtrSize, true
	}
	return 0, 0, false
}

// push is env_stack_push.
func (c *checker) push(id TypeID) error {
	if len(c.stack) == kernelResolveDepth {
		return errResolveDepth
	}
	i := c.index(id)
	if i < 0 || c.state[i] != notVisited {
		return errResolveLoop
	}
	c.state[i] = visited
	c.stack = append(c.stack, vertex{id: id})
	if c.mode == resolveTBD {
		switch k := c.kindOf(id); {
		case k == KindPointer:
			c.mode = resolvePtr
		case k.IsComposite() || k == KindArray:
			c.mode = resolveStructOrArray
		}
	}
	return errPushed
}

// pop is env_stack_pop_resolved.
func (c *checker) pop(resID TypeID, size uint32) {
	v := c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-1]
	i := c.index(v.id)
	c.state[i] = resolved
	c.resolvedID[i] = uint32(resID)
	c.resolvedSize[i] = size
}

// pending reports whether a walk must resolve next before going on.
func (c *checker) pending(next TypeID) bool {
	return !c.isSink(c.kindOf(next)) && !c.isResolved(next)
}

// checkAllTypes is btf_check_all_types.
func (c *checker) checkAllTypes() error {
	for i := range c.s.NumTypes() {
		id := c.s.firstID + TypeID(i)
		k := c.kindOf(id)
		if needsResolve(k) && !c.isResolved(id) {
			if err := c.resolve(id); err != nil {
				return err
			}
		}
		if k == KindFuncProto {
			if err := c.funcProtoCheck(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolve is btf_resolve: a depth-first walk from id.
func (c *checker) resolve(id TypeID) error {
	c.mode = resolveTBD
	c.stack = c.stack[:0]
	err := c.push(id)
	for err == errPushed && len(c.stack) > 0 {
		err = c.resolveTop()
		if err == nil {
			err = errPushed
		}
	}
	switch err {
	case errResolveDepth:
		return c.fail(id, 0, "Exceeded max resolving depth:%d", kernelResolveDepth)
	case errResolveLoop:
		e := c.fail(id, 0, "Loop detected").(*FormatError)
		e.Err = ErrTypeLoop
		return e
	case errPushed:
	default:
		return err
	}
	if !c.resolveValid(id) {
		return c.fail(id, 0, "Invalid resolve state")
	}
	return nil
}

// resolveTop runs the resolve function of the kind on top of the stack. It
// returns nil after popping it, errPushed after pushing another type, or
// the violation.
func (c *checker) resolveTop() error {
	v := &c.stack[len(c.stack)-1]
	w := c.rec(v.id)
	switch k := Kind(w[1] >> 24 & 0x1f); k {
	case KindStruct, KindUnion:
		return c.structResolve(v, w)
	case KindArray:
		return c.arrayResolve(v.id, w)
	case KindDatasec:
		return c.datasecResolve(v, w)
	case KindFunc:
		if err := c.funcCheck(v.id, w); err != nil {
			return err
		}
		c.pop(TypeID(w[2]), 0)
		return nil
	case KindDeclTag:
		return c.declTagResolve(v.id, w)
	default: // PTR, VAR and the modifiers
		return c.refResolve(v.id, w, k)
	}
}

// refResolve is btf_modifier_resolve, btf_ptr_resolve and btf_var_resolve.
func (c *checker) refResolve(id TypeID, w []uint32, k Kind) error {
	next := TypeID(w[2])
	nk := c.kindOf(next)
	if sourceOnly(nk) {
		return c.fail(id, 2, "Invalid type_id")
	}
	if c.pending(next) {
		return c.push(next)
	}
	if k != KindTypedef && k != KindVolatile && k != KindConst && k != KindRestrict && k != KindTypeTag && isModifier(nk) {
		// A modifier resolved while resolving a struct may have stopped
		// at a pointer: go on from there, so that it cannot lead back.
		r := c.resID(next)
		if c.kindOf(r) == KindPointer && c.pending(r) {
			return c.push(r)
		}
	}
	sized, _, ok := c.idSize(next)
	if ok {
		next = sized
	} else {
		if k == KindVar {
			return c.fail(id, 2, "Invalid type_id")
		}
		if c.isResolved(next) {
			next = c.resID(next)
			nk = c.kindOf(next)
		}
		if nk != KindUnknown && nk != KindFwd && nk != KindFuncProto {
			return c.fail(id, 2, "Invalid type_id")
		}
	}
	c.pop(next, 0)
	return nil
}

// arrayResolve is btf_array_resolve.
func (c *checker) arrayResolve(id TypeID, w []uint32) error {
	index := TypeID(w[4])
	if k := c.kindOf(index); noSize(k) || sourceOnly(k) {
		return c.fail(id, 4, "Invalid index")
	}
	if c.pending(index) {
		return c.push(index)
	}
	if sized, _, ok := c.idSize(index); !ok || c.kindOf(sized) != KindInt || !c.intRegular(sized) {
		return c.fail(id, 4, "Invalid index")
	}
	elem := TypeID(w[3])
	if k := c.kindOf(elem); noSize(k) || sourceOnly(k) {
		return c.fail(id, 3, "Invalid elem")
	}
	if c.pending(elem) {
		return c.push(elem)
	}
	sized, size, ok := c.idSize(elem)
	switch {
	case !ok:
		return c.fail(id, 3, "Invalid elem")
	case c.kindOf(sized) == KindInt && !c.intRegular(sized):
		return c.fail(id, 3, "Invalid array of int")
	case w[5] != 0 && size > 0xffffffff/w[5]:
		return c.fail(id, 5, "Array size overflows U32_MAX")
	}
	c.pop(sized, size*w[5])
	return nil
}

// intRegular is btf_type_int_is_regular: a whole number of bytes (1, 2, 4,
// 8 or 16) at bit offset 0.
func (c *checker) intRegular(id TypeID) bool {
	data := c.rec(id)[3]
	bits, n := data&0xff, bytesUp(data&0xff)
	return bits&7 == 0 && data>>16&0xff == 0 && n != 0 && n <= 16 && n&(n-1) == 0
}

// structResolve is btf_struct_resolve.
func (c *checker) structResolve(v *vertex, w []uint32) error {
	id := v.id
	if v.next > 0 {
		if err := c.checkMember(id, w, v.next-1, TypeID(w[3+3*(v.next-1)+1])); err != nil {
			return err
		}
	}
	for i := v.next; i < vlen(w); i++ {
		mt := TypeID(w[3+3*i+1])
		if k := c.kindOf(mt); noSize(k) || sourceOnly(k) {
			return c.failMember(id, i, "Invalid member")
		}
		if c.pending(mt) {
			v.next = i + 1
			return c.push(mt)
		}
		if err := c.checkMember(id, w, i, mt); err != nil {
			return err
		}
	}
	c.pop(0, 0)
	return nil
}

// datasecResolve is btf_datasec_resolve.
func (c *checker) datasecResolve(v *vertex, w []uint32) error {
	id := v.id
	c.mode = resolveTBD
	for i := v.next; i < vlen(w); i++ {
		e := w[3+3*i : 6+3*i]
		vid := TypeID(e[0])
		if c.object && c.kindOf(vid) == KindFunc {
			continue // an extern function in .ksyms
		}
		if c.kindOf(vid) != KindVar {
			return c.fail(id, 3+3*i, "variable %d: Not a VAR kind member", i)
		}
		if c.pending(vid) {
			v.next = i + 1
			return c.push(vid)
		}
		_, size, ok := c.idSize(TypeID(c.rec(vid)[2]))
		if !ok {
			return c.fail(id, 3+3*i, "variable %d: Invalid type", i)
		}
		if e[2] < size {
			return c.fail(id, 3+3*i, "variable %d (size=%d, its type %d bytes): Invalid size", i, e[2], size)
		}
	}
	c.pop(0, 0)
	return nil
}

// funcCheck is btf_func_check.
func (c *checker) funcCheck(id TypeID, w []uint32) error {
	proto := c.rec(TypeID(w[2]))
	if c.kindOf(TypeID(w[2])) != KindFuncProto {
		return c.fail(id, 2, "Invalid type_id")
	}
	for i := range vlen(proto) {
		if proto[3+2*i] == 0 && proto[4+2*i] != 0 {
			return c.fail(id, 2, "Invalid arg#%d", i+1)
		}
	}
	return nil
}

// declTagResolve is btf_decl_tag_resolve.
func (c *checker) declTagResolve(id TypeID, w []uint32) error {
	next := TypeID(w[2])
	nk := c.kindOf(next)
	if nk != KindFunc && !nk.IsComposite() && nk != KindVar && nk != KindTypedef {
		return c.fail(id, 2, "Invalid type_id")
	}
	if c.pending(next) {
		return c.push(next)
	}
	if idx := int32(w[3]); idx != -1 {
		if nk == KindVar || nk == KindTypedef {
			return c.fail(id, 3, "Invalid component_idx")
		}
		n := vlen(c.rec(next))
		if nk == KindFunc {
			n = c.s.typ(TypeID(c.rec(next)[2])).Vlen()
		}
		if uint32(idx) >= uint32(n) {
			return c.fail(id, 3, "Invalid component_idx")
		}
	}
	c.pop(next, 0)
	return nil
}

// resolveValid is btf_resolve_valid, the final check of a resolution.
func (c *checker) resolveValid(id TypeID) bool {
	if !c.isResolved(id) {
		return false
	}
	switch k := c.kindOf(id); {
	case k.IsComposite() || k == KindDatasec:
		return c.resID(id) == 0 && c.resSize(id) == 0
	case k == KindDeclTag || k == KindFunc:
		return c.resID(id) != 0 && c.resSize(id) == 0
	case isModifier(k) || k == KindPointer || k == KindVar:
		rk := c.kindOf(c.resID(id))
		return !isModifier(rk) && rk != KindVar && rk != KindDatasec
	case k == KindArray:
		w := c.rec(id)
		sized, size, ok := c.idSize(TypeID(w[3]))
		return ok && !isModifier(c.kindOf(sized)) && w[5]*size == c.resSize(id)
	}
	return false
}
