package minimize

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
)

// Sentinel errors, for callers that branch with errors.Is.
var (
	// ErrNoCORE means an object has no .BTF.ext section, where CO-RE
	// relocations live: it was not built for CO-RE (clang -g). An object
	// whose .BTF.ext holds no CO-RE relocation needs nothing, and is
	// not an error.
	ErrNoCORE = errors.New("no CO-RE relocations")
	// ErrMissingType means the target lacks a type that an object reads
	// without checking for it first: a relocation of a type without a
	// flavor suffix, that is not an existence check (field_exists,
	// type_exists, enumval_exists, type_matches), found no type of that
	// name and kind in the target. Such a target is not a kernel the
	// object was written for.
	ErrMissingType = errors.New("target lacks a type the object requires")
)

// Minimizer collects what the relocations of BPF objects need from one
// target kernel's BTF. Add objects with Add, then call Result.
type Minimizer struct {
	target  *corerel.Target
	marks   *marks
	objects int
	unmatch []Unmatched
}

// Unmatched is a relocation that matched no type of the target: the
// program gets a poisoned instruction or a zero, as against the full BTF.
type Unmatched struct {
	Object     string // the name given to Add
	Relocation corerel.Relocation
}

// New returns a minimizer for the target, whose vmlinux BTF is what gets
// minimized. Relocations that match only in the target's modules are an
// error.
func New(target *corerel.Target) *Minimizer {
	return &Minimizer{target: target, marks: newMarks(target.VMLinux)}
}

// Add relocates obj against the target, with corerel, and keeps what its
// relocations matched. name names the object in errors. An object without
// .BTF.ext is an error wrapping ErrNoCORE.
func (m *Minimizer) Add(name string, obj *corerel.Object) error {
	if obj.Ext == nil {
		return fmt.Errorf("minimize: %s: %w: the object has no %s section", name, ErrNoCORE, btf.SectionBTFExt)
	}
	res, err := corerel.Relocate(obj, m.target)
	if err != nil {
		return fmt.Errorf("minimize: %s: %w", name, err)
	}
	return m.AddResult(name, obj, res)
}

// AddResult keeps what the relocations of res, the result of relocating
// obj against the minimizer's target, matched.
func (m *Minimizer) AddResult(name string, obj *corerel.Object, res *corerel.Result) error {
	m.objects++
	for _, rel := range res.Relocations {
		if rel.Kind == btf.CORETypeIDLocal {
			continue
		}
		if len(rel.Matches) == 0 {
			if m.required(obj, rel) {
				return fmt.Errorf("minimize: %s: prog '%s' (sec '%s'): relo #%d: %w: %s of %q (access %s): the target has no type of that name and kind",
					name, rel.Program, rel.Section, rel.Index, ErrMissingType, rel.Kind, rel.LocalType, rel.Access)
			}
			m.unmatch = append(m.unmatch, Unmatched{Object: name, Relocation: rel})
			continue
		}
		for _, mt := range rel.Matches {
			if mt.Spec != m.target.VMLinux {
				return fmt.Errorf("minimize: %s: prog '%s': relo #%d: matched [%d] in module %s; only vmlinux BTF is minimized",
					name, rel.Program, rel.Index, mt.TypeID, mt.Module)
			}
			if err := m.keep(obj, rel, mt); err != nil {
				return fmt.Errorf("minimize: %s: prog '%s' (sec '%s'): relo #%d (%s %q %s): %w",
					name, rel.Program, rel.Section, rel.Index, rel.Kind, rel.LocalType, rel.Access, err)
			}
		}
	}
	return nil
}

// required reports whether a relocation that matched nothing means the
// target lacks what the object needs: the local type has no flavor
// suffix, so it is not one of several alternatives; the relocation reads
// from it rather than asking whether it exists; and the target has no
// type of that name and a compatible kind at all. A type that is there
// but lacks a member is not an error: objects probe members that only
// some kernels have.
func (m *Minimizer) required(obj *corerel.Object, rel corerel.Relocation) bool {
	switch rel.Kind {
	case btf.COREFieldExists, btf.CORETypeExists, btf.COREEnumValueExists, btf.CORETypeMatches:
		return false
	}
	if rel.LocalType == "" || corerel.EssentialName(rel.LocalType) != rel.LocalType {
		return false
	}
	lt, err := obj.BTF.Type(rel.LocalTypeID)
	if err != nil {
		return false
	}
	lk := lt.Kind()
	for _, id := range m.target.VMLinux.TypeIDsByName(rel.LocalType) {
		t, _ := m.target.VMLinux.Type(id)
		if k := t.Kind(); k == lk || isEnum(k) && isEnum(lk) {
			return false
		}
	}
	return true
}

func isEnum(k btf.Kind) bool { return k == btf.KindEnum || k == btf.KindEnum64 }

// keep marks what one match of a relocation needs.
func (m *Minimizer) keep(obj *corerel.Object, rel corerel.Relocation, mt corerel.Match) error {
	switch {
	case rel.Kind.IsField():
		return m.marks.keepPath(mt.TypeID, mt.Path)
	case rel.Kind.IsEnumValue():
		return m.marks.keepType(mt.TypeID, false)
	case rel.Kind == btf.CORETypeMatches:
		if err := m.marks.keepType(mt.TypeID, true); err != nil {
			return err
		}
		var kerr error
		err := corerel.TypeMatchMembers(obj.BTF, rel.LocalTypeID, mt.Spec, mt.TypeID, func(comp btf.TypeID, i int) {
			if kerr == nil {
				kerr = m.marks.keepMember(comp, i, true)
			}
		})
		if err != nil {
			return err
		}
		return kerr
	default:
		return m.marks.keepType(mt.TypeID, true)
	}
}

// Unmatched returns the relocations added so far that matched nothing in
// the target and that the object may do without (see ErrMissingType).
func (m *Minimizer) Unmatched() []Unmatched { return m.unmatch }

// Result is a minimized BTF.
type Result struct {
	// Spec is the minimized BTF: a base spec, little-endian.
	Spec *btf.Spec
	// IDs maps each type id of the target's vmlinux BTF to its id in Spec,
	// 0 for types not kept. A target_type_id relocation's value against
	// the full BTF maps through it to the value against Spec.
	IDs []btf.TypeID
	// Unmatched lists the relocations that matched nothing (see
	// Minimizer.Unmatched).
	Unmatched []Unmatched

	order binary.ByteOrder
}

// Result builds the minimized BTF of what the objects added so far need.
func (m *Minimizer) Result() (*Result, error) {
	if m.objects == 0 {
		return nil, fmt.Errorf("minimize: no object given")
	}
	s, ids, err := m.marks.emit()
	if err != nil {
		return nil, err
	}
	return &Result{Spec: s, IDs: ids, Unmatched: m.unmatch, order: m.target.VMLinux.ByteOrder()}, nil
}

// Minimize returns the BTF of target (a kernel's vmlinux BTF) cut down to
// what the CO-RE relocations of objs need.
func Minimize(target *btf.Spec, objs ...*corerel.Object) (*Result, error) {
	t, err := corerel.NewTarget(target)
	if err != nil {
		return nil, err
	}
	m := New(t)
	for i, o := range objs {
		if err := m.Add(fmt.Sprintf("object #%d", i), o); err != nil {
			return nil, err
		}
	}
	return m.Result()
}

// Marshal returns the minimized BTF as raw BTF, in the byte order of the
// target it was cut from.
func (r *Result) Marshal() []byte { return r.Spec.Marshal(r.order) }
