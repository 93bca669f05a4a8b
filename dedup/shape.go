package dedup

// Shapes: a necessary condition for the struct pass's equivalence check.
//
// libbpf's struct pass (btf_dedup_struct_types in libbpf's btf.c) compares
// a struct with every canonical struct of its signature, in order, until
// one is equivalent (btf_dedup_is_equiv). The signature covers the
// struct's own record only, so a chain of n anonymous structs, each the
// only member of the one before, gives n structs of one signature: the
// k-th is compared with the k-1 before it, and each comparison walks down
// the chain before it fails. That is cubic work: libbpf 1.1 takes 16 s on
// 2,000 levels, and 20,000 levels do not finish.
//
// A type's shape is a hash of the part of its type graph that the
// equivalence check must find equal, everywhere, for the check to
// succeed. Two structs of different shapes are not equivalent, so the
// struct pass skips the candidate without walking: the decisions, and the
// output, stay libbpf's. Comparing shapes is one lookup each, and each
// type's shape is computed once, so the chain above costs linear time
// plus one comparison of two words per pair of levels.
//
// The shape must agree with every way the check can succeed, and not only
// with the walk proper:
//
//   - The check accepts types that already share a representative. The
//     canonical map only ever joins types found equal (primitive pass) or
//     equivalent (an earlier check), which have equal shapes by the same
//     argument, by induction.
//   - It accepts a FWD for a struct or union of its name and kind. Named
//     structs and unions are therefore cut: their shape, where another
//     type reaches them, is their kind and name only, as a FWD's is. An
//     anonymous FWD would match an anonymous struct, whose shape is deep:
//     BTF with one gets no filter at all.
//   - It accepts an enum forward declaration for any enum of its name:
//     an enum's shape is its name.
//   - When it meets a canonical-side type again with another candidate, it
//     accepts the two candidates if they are identical arrays or structs
//     (btf_dedup_identical_arrays and _structs: equal ids, member by
//     member, which equal shapes follow from). libbpf 1.7's
//     btf_dedup_identical_types calls two arrays of the same length
//     identical whatever their elements, so with Options.Libbpf17 an
//     array's shape leaves out its element and index types.
//   - A cycle of anonymous types (only crafted BTF has one: C cannot name
//     the type it is declaring) makes the check stop where it meets a type
//     again. A type that reaches such a cycle, through anonymous types
//     only, gets the shape of its own record alone and a mark; types
//     equivalent to it reach one too, and get the same.
//
// The check fails with an error, rather than false, when it meets a
// variable, section or declaration tag. Skipping a comparison must not
// hide that error, so BTF in which a struct, union, array, prototype or
// reference type refers to one of those kinds (invalid BTF: the kernel
// refuses it) gets no filter either; the struct pass is then libbpf's,
// error included.

import "math/bits"

const (
	shapeBusy    = 2 // d.shapes: on the walk's stack
	shapeDone    = 1 // bit set in every computed shape
	shapeTainted = 2 // bit set in the shape of a type that reaches a cycle
)

// shapeMix folds v into h. Collisions only weaken the filter, never change
// a decision; the multiply and rotate make them hard to arrange.
func shapeMix(h uint64, v uint32) uint64 {
	h = (h ^ uint64(v)) * 0x9E3779B97F4A7C15
	return bits.RotateLeft64(h, 29)
}

// shapeFrame is a type of the shape walk's stack and the index of the next
// part of its record to visit.
type shapeFrame struct {
	id      uint32
	started bool
	next    int
}

// shapesUsable reports whether shapes may filter the check, scanning the
// types added since the last call (Stream adds types in batches; a batch
// cannot change what the earlier ones' checks reach).
func (d *state) shapesUsable() bool {
	if d.shapesOff {
		return false
	}
	for ; d.shapesScanned < d.next; d.shapesScanned++ {
		id := d.shapesScanned
		if id == 0 {
			continue
		}
		t := d.rec(id)
		k := kindOf(t[1])
		if k == kFwd && d.so(t[0]) == d.so(0) {
			d.shapesOff = true
			return false
		}
		from, to, step := shapeParts(k, len(t), false)
		for j := from; j < to; j += step {
			if r := uint32(d.kinds[t[j]]); r == kVar || r == kDatasec || r == kDeclTag {
				d.shapesOff = true
				return false
			}
		}
	}
	if len(d.shapes) < int(d.next) {
		d.shapes = append(d.shapes, make([]uint64, int(d.next)-len(d.shapes))...)
	}
	return true
}

// shapeParts returns where, in a record of kind k and n words, are the
// type ids a check follows and a shape covers: words from, from+step, …
// up to (not including) to. A prototype's return type is word 2 and its
// parameters' types words 4, 6, …; a struct's member types are words 4,
// 7, …. With later (Options.Libbpf17) an array's are left out.
func shapeParts(k uint32, n int, later bool) (from, to, step int) {
	switch k {
	case kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kTypeTag:
		return 2, 3, 1
	case kArray:
		if later {
			return 0, 0, 1
		}
		return 3, 5, 1
	case kStruct, kUnion:
		return 4, n, 3
	case kFuncProto:
		return 2, n, 2
	}
	return 0, 0, 1
}

// cutShape returns the shape of a type that the walk does not enter, or 0
// for one it does: void, the primitive kinds and named structs and unions
// (see the package's notes above).
func (d *state) cutShape(id uint32) uint64 {
	if id == 0 {
		return shapeMix(0, 0) | shapeDone
	}
	k := uint32(d.kinds[id])
	switch k {
	case kInt, kFloat:
		return shapeMix(shapeMix(0, k), d.so(d.rec(id)[0])) | shapeDone
	case kEnum, kEnum64:
		return shapeMix(shapeMix(0, kEnum), d.so(d.rec(id)[0])) | shapeDone
	case kFwd:
		t := d.rec(id)
		return shapeMix(shapeMix(0, fwdKind(t[1])), d.so(t[0])) | shapeDone
	case kStruct, kUnion:
		if name := d.so(d.rec(id)[0]); name != d.so(0) {
			return shapeMix(shapeMix(0, k), name) | shapeDone
		}
	}
	return 0
}

// ownShape is the part of a type's shape its own record gives.
func (d *state) ownShape(t []uint32) uint64 {
	h := shapeMix(0, t[1])
	switch kindOf(t[1]) {
	case kStruct, kUnion:
		return shapeMix(h, t[2])
	case kArray:
		return shapeMix(h, t[5])
	default:
		return shapeMix(h, d.so(t[0]))
	}
}

// shapeOf returns the shape of a type as the walk meets it.
func (d *state) shapeOf(root uint32) uint64 {
	if s := d.cutShape(root); s != 0 {
		return s
	}
	if s := d.shapes[root]; s&shapeDone != 0 {
		return s
	}
	stack := append(d.shapeStack[:0], shapeFrame{id: root})
	d.shapes[root] = shapeBusy
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		t := d.rec(f.id)
		from, to, step := shapeParts(kindOf(t[1]), len(t), d.later)
		if !f.started {
			f.next, f.started = from, true
		}
		pushed := false
		for ; f.next < to; f.next += step {
			c := t[f.next]
			if d.cutShape(c) == 0 && d.shapes[c] == 0 {
				d.shapes[c] = shapeBusy
				f.next += step
				stack = append(stack, shapeFrame{id: c})
				pushed = true
				break
			}
		}
		if pushed {
			continue
		}
		d.shapes[f.id] = d.combineShape(t, from, to, step)
		stack = stack[:len(stack)-1]
	}
	d.shapeStack = stack
	return d.shapes[root]
}

// combineShape computes the shape of a type whose parts' shapes are all
// known or on the stack (a cycle).
func (d *state) combineShape(t []uint32, from, to, step int) uint64 {
	h := d.ownShape(t)
	own := h
	for j := from; j < to; j += step {
		s := d.cutShape(t[j])
		if s == 0 {
			s = d.shapes[t[j]]
		}
		if s == shapeBusy || s&shapeTainted != 0 {
			return own&^3 | shapeDone | shapeTainted
		}
		h = shapeMix(h, uint32(s))
		h = shapeMix(h, uint32(s>>32))
	}
	return h&^3 | shapeDone
}

// rootShape returns the shape of a struct, union or (with Libbpf17)
// typedef the struct pass deduplicates: that of its record and its parts
// even when it is named, as the check compares two of them by walking,
// never by the FWD rule. A named one's is kept in d.shapes, which the walk
// never uses for it.
func (d *state) rootShape(id uint32) uint64 {
	if d.cutShape(id) == 0 {
		return d.shapeOf(id)
	}
	if s := d.shapes[id]; s&shapeDone != 0 {
		return s
	}
	t := d.rec(id)
	from, to, step := shapeParts(kindOf(t[1]), len(t), d.later)
	for j := from; j < to; j += step {
		d.shapeOf(t[j])
	}
	s := d.combineShape(t, from, to, step)
	d.shapes[id] = s
	return s
}

// keyedHook, when set, is called when the struct pass keys its index by
// shape (for tests).
var keyedHook func()

// shapeKey is the key of the struct pass's index for a type of signature
// hash h and shape s.
func shapeKey(h, s uint64) uint64 {
	return bits.RotateLeft64(h*0x9E3779B97F4A7C15^s, 23)
}

// keyByShape moves the struct pass's candidates (the types of the kinds
// in the set want) in the index to keys that add their shape to their
// signature: a lookup then yields only candidates of the same shape, in
// the order libbpf would try them, and none of the others, which the check
// would find not equivalent.
func (d *state) keyByShape(want uint32) {
	if keyedHook != nil {
		keyedHook()
	}
	d.tab.rekey(func(key uint64, id uint32) (uint64, bool) {
		if want>>d.kinds[id]&1 == 0 {
			return 0, false
		}
		return shapeKey(key, d.rootShape(id)), true
	})
}
