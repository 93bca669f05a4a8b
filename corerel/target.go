package corerel

import (
	"fmt"
	"sync"

	"github.com/btfhub/btfhub/btf"
)

// Target is the BTF that relocations are resolved against: a kernel's
// vmlinux BTF and, optionally, the split BTF of its modules.
//
// As libbpf does (src/libbpf.c, bpf_core_find_cands), candidates are
// searched in vmlinux first, and in the modules only when vmlinux has none.
// A Target indexes its specs on first use and may be shared by many
// Relocate calls, concurrently.
type Target struct {
	// VMLinux is the kernel's BTF.
	VMLinux *btf.Spec
	// Modules are the kernel modules' BTF, each split over VMLinux.
	Modules []Module

	once  sync.Once
	index []map[string][]btf.TypeID // per spec (vmlinux, then modules): essential name -> ids
}

// Module is the BTF of one kernel module.
type Module struct {
	// Name is the module's name, such as "nf_conntrack".
	Name string
	// Spec is the module's BTF, split over the target's vmlinux BTF.
	Spec *btf.Spec
}

// NewTarget returns a target for a vmlinux spec and optional module specs.
// It checks that every module is split over vmlinux.
func NewTarget(vmlinux *btf.Spec, modules ...Module) (*Target, error) {
	if vmlinux == nil {
		return nil, fmt.Errorf("corerel: no vmlinux BTF")
	}
	for _, m := range modules {
		if m.Spec == nil || m.Spec.Base() != vmlinux {
			return nil, fmt.Errorf("corerel: module %q: BTF is not split over the target's vmlinux BTF", m.Name)
		}
	}
	return &Target{VMLinux: vmlinux, Modules: modules}, nil
}

// specs returns vmlinux, then the modules.
func (t *Target) spec(i int) (*btf.Spec, string) {
	if i == 0 {
		return t.VMLinux, "vmlinux"
	}
	return t.Modules[i-1].Spec, t.Modules[i-1].Name
}

// buildIndex maps, for each spec, the essential name of every named type
// to its ids in id order. Scanning the index gives the candidates libbpf's
// linear scan (bpf_core_add_cands) gives, in the same order.
func (t *Target) buildIndex() {
	n := 1 + len(t.Modules)
	t.index = make([]map[string][]btf.TypeID, n)
	for i := range n {
		s, _ := t.spec(i)
		m := make(map[string][]btf.TypeID)
		for ty := range s.Types() {
			name := ty.Name()
			if name == "" {
				continue
			}
			e := essentialName(name)
			m[e] = append(m[e], ty.ID())
		}
		t.index[i] = m
	}
}

// candidate is a target type whose essential name and kind fit a local
// type.
type candidate struct {
	spec   *btf.Spec
	module string // "vmlinux" or the module's name
	id     btf.TypeID
}

// kindsCompatible reports whether two kinds may be relocated onto each
// other: equal kinds, or ENUM with ENUM64 (libbpf's btf_kind_core_compat).
func kindsCompatible(a, b btf.Kind) bool {
	return a == b || isEnum(a) && isEnum(b)
}

func isEnum(k btf.Kind) bool { return k == btf.KindEnum || k == btf.KindEnum64 }

// candidates returns the target types that a local type may relocate to:
// those with the same essential name and a compatible kind, in vmlinux or,
// when vmlinux has none, in the modules in order.
func (t *Target) candidates(local btf.Type) []candidate {
	t.once.Do(t.buildIndex)
	ess := essentialName(local.Name())
	var cands []candidate
	for i := range t.index {
		if i == 1 && len(cands) > 0 {
			break
		}
		s, name := t.spec(i)
		for _, id := range t.index[i][ess] {
			ty, _ := s.Type(id)
			if kindsCompatible(ty.Kind(), local.Kind()) {
				cands = append(cands, candidate{spec: s, module: name, id: id})
			}
		}
	}
	return cands
}
