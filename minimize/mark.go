package minimize

import (
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// Marks of a type: not kept, kept without what its pointers point to,
// kept with it.
const (
	unmarked uint8 = iota
	markShallow
	markDeep
)

// marks records which types and members of a target spec are kept.
type marks struct {
	spec    *btf.Spec
	types   []uint8               // by type id
	members map[btf.TypeID][]bool // composite id -> kept members
	// order lists the kept types in the order they were first kept. The
	// relocations of the same objects reach the same types in the same
	// order on every kernel, so emitting types in this order, rather than
	// in the target's id order (which moves with every build), makes
	// the minimized BTF of many kernels line up and compress against
	// each other.
	order []btf.TypeID
}

func newMarks(spec *btf.Spec) *marks {
	return &marks{spec: spec, types: make([]uint8, spec.NextID()), members: map[btf.TypeID][]bool{}}
}

// keepType keeps type id and what it needs to be a valid type: the target
// of a modifier or typedef, the element and index types of an array, the
// return and parameter types of a prototype, and, when followPtr is set,
// the target of a pointer (bpftool's btfgen_mark_type). Structs and unions
// keep only the members marked with keepMember.
func (m *marks) keepType(id btf.TypeID, followPtr bool) error {
	want := markShallow
	if followPtr {
		want = markDeep
	}
	for id != 0 {
		if int(id) >= len(m.types) {
			return fmt.Errorf("minimize: type [%d] is not in the target (last id %d)", id, len(m.types)-1)
		}
		if m.types[id] >= want {
			return nil
		}
		if m.types[id] == unmarked {
			m.order = append(m.order, id)
		}
		m.types[id] = want
		t, err := m.spec.Type(id)
		if err != nil {
			return err
		}
		switch k := t.Kind(); {
		case k == btf.KindInt, k == btf.KindFloat, k == btf.KindEnum, k == btf.KindEnum64,
			k.IsComposite(), k == btf.KindFwd:
			return nil
		case k == btf.KindPointer:
			if !followPtr {
				return nil
			}
			id = t.Ref()
		case k.IsModifier():
			id = t.Ref()
		case k == btf.KindArray:
			a := t.Array()
			if err := m.keepType(a.Index, followPtr); err != nil {
				return err
			}
			id = a.Type
		case k == btf.KindFuncProto:
			for i := range t.Vlen() {
				if err := m.keepType(t.Param(i).Type, followPtr); err != nil {
					return err
				}
			}
			id = t.Ref()
		default:
			return fmt.Errorf("minimize: type [%d] %s %q: a relocation reaches a %s, which CO-RE never reads", id, k, t.Name(), k)
		}
	}
	return nil
}

// keepMember keeps member i of the composite id, and its type.
func (m *marks) keepMember(id btf.TypeID, i int, followPtr bool) error {
	t, err := m.spec.Type(id)
	if err != nil {
		return err
	}
	if !t.Kind().IsComposite() || i < 0 || i >= t.Vlen() {
		return fmt.Errorf("minimize: type [%d] %s %q has no member %d", id, t.Kind(), t.Name(), i)
	}
	if err := m.keepType(id, false); err != nil {
		return err
	}
	kept := m.members[id]
	if kept == nil {
		kept = make([]bool, t.Vlen())
		m.members[id] = kept
	}
	kept[i] = true
	return m.keepType(t.Member(i).Type, followPtr)
}

// keepPath keeps what a field relocation's low-level access path walks in
// the target: the root, then for each later step the struct or union
// member it selects and that member's type, or the array element type
// (bpftool's btfgen_record_field_relo).
func (m *marks) keepPath(root btf.TypeID, path []int) error {
	if err := m.keepType(root, false); err != nil {
		return err
	}
	id := root
	for _, idx := range path[min(1, len(path)):] {
		t := m.spec.SkipQualifiers(id)
		switch k := t.Kind(); {
		case k.IsComposite():
			if err := m.keepMember(t.ID(), idx, false); err != nil {
				return err
			}
			id = t.Member(idx).Type
		case k == btf.KindArray:
			id = t.Array().Type
		default:
			return fmt.Errorf("minimize: access path %v from [%d] reaches [%d] %s, which has no members or elements", path, root, t.ID(), k)
		}
	}
	return nil
}
