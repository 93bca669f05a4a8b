package btf

// orderType appends to d.queue, in an order C can compile, the named
// definitions that type id needs, and id itself when it is one. It reports
// whether the link that led to id is strong (the definition must come
// first) rather than weak (a forward declaration will do).
//
// The rules are those of libbpf's btf_dump_order_type (src/btf_dump.c): a
// chain from X to Y is weak if it passes through a pointer and through a
// named type after X; otherwise Y is embedded in X and must be defined
// first. Structs, unions, enums, forward declarations and typedefs are
// queued once; a struct or union that is reached again while its members
// are being ordered is a cycle, allowed only through a pointer to a named
// type.
func (d *cDumper) orderType(id TypeID, throughPtr bool) (bool, error) {
	st := &d.states[id]
	if st.order == cOrdered {
		return true, nil
	}
	t := d.s.typ(id)
	if st.order == cOrdering {
		if t.Kind().IsComposite() && throughPtr && t.NameOff() != 0 {
			return false, nil
		}
		return false, formatErr(ErrTypeLoop, -1, id, "writing C: %s is part of a cycle that C cannot declare", t.Kind())
	}

	switch t.Kind() {
	case KindInt, KindFloat:
		st.order = cOrdered
		return false, nil

	case KindPointer:
		strong, err := d.orderType(t.Ref(), true)
		d.states[id].order = cOrdered
		return strong, err

	case KindArray:
		// The element is ordered with throughPtr false, after which
		// everything below is ordered: a second walk would return true
		// and queue nothing, so the array is marked ordered (libbpf walks
		// it again, which is quadratic on a chain of arrays).
		strong, err := d.orderType(t.Array().Type, false)
		if err == nil {
			d.states[id].order = cOrdered
		}
		return strong, err

	case KindStruct, KindUnion:
		// A named struct reached through a pointer only needs a forward
		// declaration; an anonymous one is defined where it is used, so
		// its members count as embedded.
		if throughPtr && t.NameOff() != 0 {
			return false, nil
		}
		st.order = cOrdering
		for i := range t.Vlen() {
			if _, err := d.orderType(t.Member(i).Type, false); err != nil {
				return false, err
			}
		}
		if t.NameOff() != 0 {
			d.queue = append(d.queue, id)
		}
		d.states[id].order = cOrdered
		return true, nil

	case KindEnum, KindEnum64, KindFwd:
		// Named enums, and anonymous ones nothing refers to (top-level
		// constants), are declarations of their own.
		if t.NameOff() != 0 || !st.referenced {
			d.queue = append(d.queue, id)
		}
		st.order = cOrdered
		return true, nil

	case KindTypedef:
		strong, err := d.orderType(t.Ref(), throughPtr)
		if err != nil {
			return false, err
		}
		if throughPtr && !strong {
			return false, nil
		}
		d.queue = append(d.queue, id)
		d.states[id].order = cOrdered
		return true, nil

	case KindVolatile, KindConst, KindRestrict, KindTypeTag:
		// A qualifier passes the walk through unchanged, so a chain of
		// them is skipped in one step; once walked with throughPtr false
		// it is marked ordered, as an array is.
		strong, err := d.orderType(d.skipQuals(id), throughPtr)
		if err == nil && !throughPtr {
			d.states[id].order = cOrdered
		}
		return strong, err

	case KindFuncProto:
		strong, err := d.orderType(t.Ref(), throughPtr)
		if err != nil {
			return false, err
		}
		for i := range t.Vlen() {
			s, err := d.orderType(t.Param(i).Type, throughPtr)
			if err != nil {
				return false, err
			}
			strong = strong || s
		}
		if !throughPtr {
			d.states[id].order = cOrdered
		}
		return strong, nil

	case KindFunc, KindVar, KindDatasec, KindDeclTag:
		st.order = cOrdered
		return false, nil
	}
	return false, formatErr(ErrUnknownKind, -1, id, "writing C: unexpected kind %s", t.Kind())
}

// skipQuals returns the first type below id, a qualifier or type tag, that
// is neither. Every qualifier on the way remembers the answer, so that
// chains shared by many pointers are followed once.
func (d *cDumper) skipQuals(id TypeID) TypeID {
	cur := id
	for {
		if s := d.states[cur].skip; s != 0 {
			cur = s - 1
			break
		}
		if cur == 0 || !isQualOrTag(d.s.typ(cur).Kind()) {
			break
		}
		cur = d.s.typ(cur).Ref()
	}
	end := cur
	for cur = id; cur != end && d.states[cur].skip == 0; cur = d.s.typ(cur).Ref() {
		d.states[cur].skip = end + 1
	}
	return end
}

func isQualOrTag(k Kind) bool {
	return k == KindVolatile || k == KindConst || k == KindRestrict || k == KindTypeTag
}
