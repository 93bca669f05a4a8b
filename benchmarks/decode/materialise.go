package decode

import (
	"bytes"
	"fmt"

	"github.com/btfhub/btfhub/btf"
	cilium "github.com/cilium/ebpf/btf"
)

// Summary is what a walk over every type of a spec read. The two
// decoders' walks over the same input must give the same Summary, which
// the tests check; it also keeps the compiler from dropping the reads.
type Summary struct {
	// Types counts the types visited, not counting void or DECL_TAGs
	// (cilium/ebpf folds those into the Tags of the types they tag).
	Types int
	// Entries counts struct and union members, enum values, function
	// parameters and datasec variables.
	Entries int
	// NameBytes is the total length of the names of those types and
	// entries (for a TYPE_TAG, its value).
	NameBytes int
	// Sum adds up every size, bit offset, bitfield size, array length,
	// enum value (as its low 32 bits), linkage and datasec offset read.
	Sum uint64
	// Extra adds up what the two decoders represent differently (kinds,
	// INT encodings, flags), so that it is read but not compared.
	Extra uint64
}

// BTFHub decodes data with btf.Decode and reads every type through the
// public API, as a program that needs all of them would: the kind, name,
// size or referenced type (looked up as a btf.Type), and every member,
// enum value, parameter and datasec variable with its name.
func BTFHub(data []byte) (Summary, error) {
	spec, err := btf.Decode(data, nil)
	if err != nil {
		return Summary{}, err
	}
	return WalkBTFHub(spec)
}

// BTFHubReader is BTFHub through btf.LoadSpecFromReader on a bytes.Reader,
// the entry point cilium/ebpf's side uses: it checks for ELF, then reads
// the raw BTF with io.ReadAll before it decodes.
func BTFHubReader(data []byte) (Summary, error) {
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(data), nil)
	if err != nil {
		return Summary{}, err
	}
	return WalkBTFHub(spec)
}

// ReadAndDecode reads the file at path and decodes it with btf.LoadSpec: the
// same work as libbpf's btf__parse_raw, which reads the whole file and
// parses it. It returns the number of types.
func ReadAndDecode(path string) (int, error) {
	spec, err := btf.LoadSpec(path, nil)
	if err != nil {
		return 0, err
	}
	return spec.NumTypes(), nil
}

// WalkBTFHub reads every type of spec and everything it holds.
func WalkBTFHub(spec *btf.Spec) (Summary, error) {
	var s Summary
	// ref looks a referenced type up, as following a cilium/ebpf Type's
	// pointer would, and reads its kind.
	ref := func(id btf.TypeID) error {
		t, err := spec.Type(id)
		if err != nil {
			return err
		}
		s.Extra += uint64(t.Kind())
		return nil
	}
	for t := range spec.Types() {
		k := t.Kind()
		name := t.Name()
		if k == btf.KindDeclTag {
			s.Extra += uint64(t.ComponentIdx())
			if err := ref(t.Ref()); err != nil {
				return s, err
			}
			continue
		}
		s.Types++
		s.NameBytes += len(name)
		s.Sum += uint64(t.Size())
		switch k {
		case btf.KindInt:
			i := t.Int()
			s.Extra += uint64(i.Encoding) + uint64(i.Offset) + uint64(i.Bits)
		case btf.KindArray:
			a := t.Array()
			s.Sum += uint64(a.Nelems)
			if err := ref(a.Type); err != nil {
				return s, err
			}
			if err := ref(a.Index); err != nil {
				return s, err
			}
		case btf.KindStruct, btf.KindUnion:
			for i := range t.Vlen() {
				m := t.Member(i)
				s.Entries++
				s.NameBytes += len(m.Name)
				s.Sum += uint64(m.BitOffset) + uint64(m.BitfieldSize)
				if err := ref(m.Type); err != nil {
					return s, err
				}
			}
		case btf.KindEnum, btf.KindEnum64:
			for i := range t.Vlen() {
				v := t.EnumValue(i)
				s.Entries++
				s.NameBytes += len(v.Name)
				s.Sum += uint64(uint32(v.Value))
			}
			s.Extra += uint64(t.Info() >> 31) // signedness
		case btf.KindFwd:
			s.Extra += uint64(t.Info() >> 31) // struct or union
		case btf.KindFuncProto:
			if err := ref(t.Ref()); err != nil {
				return s, err
			}
			for i := range t.Vlen() {
				p := t.Param(i)
				s.Entries++
				s.NameBytes += len(p.Name)
				if err := ref(p.Type); err != nil {
					return s, err
				}
			}
		case btf.KindFunc, btf.KindVar:
			s.Sum += uint64(t.Linkage())
			if err := ref(t.Ref()); err != nil {
				return s, err
			}
		case btf.KindDatasec:
			for i := range t.Vlen() {
				v := t.VarSecinfo(i)
				s.Entries++
				s.Sum += uint64(v.Offset) + uint64(v.Size)
				if err := ref(v.Type); err != nil {
					return s, err
				}
			}
		default: // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
			if err := ref(t.Ref()); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}

// Cilium loads data with cilium/ebpf's btf.LoadSpecFromReader and iterates
// over Spec.All, which inflates every type into its Go struct, then reads
// the same fields as BTFHub does.
func Cilium(data []byte) (Summary, error) {
	spec, err := cilium.LoadSpecFromReader(bytes.NewReader(data))
	if err != nil {
		return Summary{}, err
	}
	return WalkCilium(spec)
}

// WalkCilium inflates every type of spec and reads what it holds.
func WalkCilium(spec *cilium.Spec) (Summary, error) {
	var s Summary
	for typ, err := range spec.All() {
		if err != nil {
			return s, err
		}
		if _, ok := typ.(*cilium.Void); ok {
			continue // All starts at id 0 in a base spec
		}
		s.Types++
		switch t := typ.(type) {
		case *cilium.Int:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
			s.Extra += uint64(t.Encoding)
		case *cilium.Array:
			s.Sum += uint64(t.Nelems)
		case *cilium.Struct:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
			s.members(t.Members)
		case *cilium.Union:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
			s.members(t.Members)
		case *cilium.Enum:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
			for _, v := range t.Values {
				s.Entries++
				s.NameBytes += len(v.Name)
				s.Sum += uint64(uint32(v.Value))
			}
			if t.Signed {
				s.Extra++
			}
		case *cilium.Fwd:
			s.NameBytes += len(t.Name)
			s.Extra += uint64(t.Kind)
		case *cilium.Typedef:
			s.NameBytes += len(t.Name)
		case *cilium.Func:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Linkage)
		case *cilium.FuncProto:
			for _, p := range t.Params {
				s.Entries++
				s.NameBytes += len(p.Name)
			}
		case *cilium.Var:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Linkage)
		case *cilium.Datasec:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
			for _, v := range t.Vars {
				s.Entries++
				s.Sum += uint64(v.Offset) + uint64(v.Size)
			}
		case *cilium.Float:
			s.NameBytes += len(t.Name)
			s.Sum += uint64(t.Size)
		case *cilium.TypeTag:
			s.NameBytes += len(t.Value)
		case *cilium.Pointer, *cilium.Volatile, *cilium.Const, *cilium.Restrict:
		default:
			return s, fmt.Errorf("cilium/ebpf gave an unexpected %T", typ)
		}
	}
	return s, nil
}

func (s *Summary) members(ms []cilium.Member) {
	for _, m := range ms {
		s.Entries++
		s.NameBytes += len(m.Name)
		s.Sum += uint64(m.Offset) + uint64(m.BitfieldSize)
	}
}
