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
//
// libbpf recurses; orderType walks with a stack of its own, so that a chain
// of a million types takes no more than a million small frames. Unlike
// libbpf, it also marks arrays, and qualifiers and prototypes reached other
// than through a pointer, as ordered once walked: a second walk would
// return true and queue nothing, as everything below them is ordered then.
// Chains of qualifiers are skipped in one step (skipQuals).
func (d *cDumper) orderType(id TypeID, throughPtr bool) (bool, error) {
	r, push, err := d.orderEnter(id, throughPtr)
	if err != nil || !push {
		return r, err
	}
	stack := append(d.ostack[:0], cOrderFrame{id: id, throughPtr: throughPtr})
	defer func() { d.ostack = stack[:0] }()
	for {
		f := &stack[len(stack)-1]
		if child, tp, ok := d.orderNext(f); ok {
			r, push, err := d.orderEnter(child, tp)
			if err != nil {
				return false, err
			}
			if push {
				stack = append(stack, cOrderFrame{id: child, throughPtr: tp})
			} else {
				d.orderChildDone(f, r)
			}
			continue
		}
		r := d.orderExit(f)
		stack = stack[:len(stack)-1]
		if len(stack) == 0 {
			return r, nil
		}
		d.orderChildDone(&stack[len(stack)-1], r)
	}
}

// cOrderFrame is a type whose children orderType is walking.
type cOrderFrame struct {
	id         TypeID
	throughPtr bool
	next       int  // next child
	strong     bool // the result so far
}

// orderEnter starts the walk of id: it returns the result at once when id
// has no children to walk (push false), or asks for a frame.
func (d *cDumper) orderEnter(id TypeID, throughPtr bool) (result, push bool, err error) {
	st := &d.states[id]
	if st.order == cOrdered {
		return true, false, nil
	}
	t := d.s.typ(id)
	if st.order == cOrdering {
		if t.Kind().IsComposite() && throughPtr && t.NameOff() != 0 {
			return false, false, nil
		}
		return false, false, formatErr(ErrTypeLoop, -1, id, "writing C: %s is part of a cycle that C cannot declare", t.Kind())
	}
	switch t.Kind() {
	case KindInt, KindFloat, KindFunc, KindVar, KindDatasec, KindDeclTag:
		st.order = cOrdered
		return false, false, nil
	case KindPointer, KindArray, KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag, KindFuncProto:
		return false, true, nil
	case KindStruct, KindUnion:
		// A named struct reached through a pointer only needs a forward
		// declaration; an anonymous one is defined where it is used, so
		// its members count as embedded.
		if throughPtr && t.NameOff() != 0 {
			return false, false, nil
		}
		st.order = cOrdering
		return false, true, nil
	case KindEnum, KindEnum64, KindFwd:
		// Named enums, and anonymous ones nothing refers to (top-level
		// constants), are declarations of their own.
		if t.NameOff() != 0 || !st.referenced {
			d.queue = append(d.queue, id)
		}
		st.order = cOrdered
		return true, false, nil
	}
	return false, false, formatErr(ErrUnknownKind, -1, id, "writing C: unexpected kind %s", t.Kind())
}

// orderNext returns the next child of f to walk, and how.
func (d *cDumper) orderNext(f *cOrderFrame) (TypeID, bool, bool) {
	t := d.s.typ(f.id)
	i := f.next
	f.next++
	switch t.Kind() {
	case KindPointer:
		return t.Ref(), true, i == 0
	case KindArray:
		return t.Array().Type, false, i == 0
	case KindTypedef:
		return t.Ref(), f.throughPtr, i == 0
	case KindVolatile, KindConst, KindRestrict, KindTypeTag:
		if i != 0 {
			return 0, false, false
		}
		return d.skipQuals(f.id), f.throughPtr, true
	case KindStruct, KindUnion:
		if i >= t.Vlen() {
			return 0, false, false
		}
		return t.Member(i).Type, false, true
	case KindFuncProto:
		if i == 0 {
			return t.Ref(), f.throughPtr, true
		}
		if i-1 >= t.Vlen() {
			return 0, false, false
		}
		return t.Param(i - 1).Type, f.throughPtr, true
	}
	return 0, false, false
}

// orderChildDone takes in the result of a child of f.
func (d *cDumper) orderChildDone(f *cOrderFrame, r bool) {
	if d.s.typ(f.id).Kind() == KindFuncProto {
		f.strong = f.strong || r
	} else {
		f.strong = r
	}
}

// orderExit ends the walk of f, every child walked, and returns its result.
func (d *cDumper) orderExit(f *cOrderFrame) bool {
	t := d.s.typ(f.id)
	st := &d.states[f.id]
	switch t.Kind() {
	case KindPointer, KindArray:
		st.order = cOrdered
		return f.strong
	case KindStruct, KindUnion:
		if t.NameOff() != 0 {
			d.queue = append(d.queue, f.id)
		}
		st.order = cOrdered
		return true
	case KindTypedef:
		if f.throughPtr && !f.strong {
			return false
		}
		d.queue = append(d.queue, f.id)
		st.order = cOrdered
		return true
	default: // qualifiers, type tags, prototypes
		if !f.throughPtr {
			st.order = cOrdered
		}
		return f.strong
	}
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
