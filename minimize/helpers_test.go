package minimize_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/minimize"
)

// kernel is one target of the real-data tests.
type kernel struct {
	name string
	path string // raw BTF file, for external tools
	spec *btf.Spec
}

// kernels returns the testdata kernels and the running kernel's BTF.
func kernels(t *testing.T) []kernel {
	t.Helper()
	var ks []kernel
	for _, k := range testutil.Kernels {
		p := testutil.KernelBTFFile(t, k)
		s, err := btf.LoadSpec(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, kernel{k, p, s})
	}
	const sysfs = "/sys/kernel/btf/vmlinux"
	if s, err := btf.LoadSpec(sysfs, nil); err == nil {
		ks = append(ks, kernel{"sysfs", sysfs, s})
	} else {
		t.Logf("no running kernel BTF: %v", err)
	}
	return ks
}

// object is a BPF object of libbpf-tools.
type object struct {
	name string
	path string
	obj  *corerel.Object
}

// libbpfTools opens every CO-RE object embedded in Debian's libbpf-tools.
func libbpfTools(t testing.TB) []object {
	t.Helper()
	var objs []object
	for _, p := range testutil.LibbpfToolsObjectFiles(t) {
		o, err := corerel.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, object{filepath.Base(p), p, o})
	}
	if len(objs) == 0 {
		t.Fatal("no libbpf-tools objects")
	}
	return objs
}

// relocateAll relocates every object against a target.
func relocateAll(t testing.TB, objs []object, target *corerel.Target) []*corerel.Result {
	t.Helper()
	res := make([]*corerel.Result, len(objs))
	for i, o := range objs {
		r, err := corerel.Relocate(o.obj, target)
		if err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		res[i] = r
	}
	return res
}

// minimizeResults minimizes a target for objects already relocated
// against it.
func minimizeResults(t testing.TB, target *corerel.Target, objs []object, res []*corerel.Result) *minimize.Result {
	t.Helper()
	m := minimize.New(target)
	for i, o := range objs {
		if err := m.AddResult(o.name, o.obj, res[i]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := m.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decision is what a relocation decided, with target type ids mapped
// into the minimized BTF.
type decision struct {
	prog     string
	index    int
	insn     int
	kind     btf.COREKind
	poisoned bool
	value    uint64
	memSize  uint32
	matches  string
}

// decisions returns the decisions of a result; ids, when not nil, maps
// target ids (of target_type_id values and matches) into a minimized BTF.
func decisions(res *corerel.Result, ids []btf.TypeID) []decision {
	mapID := func(id btf.TypeID) btf.TypeID {
		if ids == nil {
			return id
		}
		return ids[id]
	}
	var ds []decision
	for _, r := range res.Relocations {
		d := decision{prog: r.Program, index: r.Index, insn: r.Insn, kind: r.Kind, poisoned: r.Poisoned, value: r.Value, memSize: r.MemSize}
		if r.Poisoned {
			d.value = 0
		} else if r.Kind == btf.CORETypeIDTarget {
			d.value = uint64(mapID(btf.TypeID(r.Value)))
		}
		for _, m := range r.Matches {
			// Member indexes change when members are dropped; the type,
			// the depth of the path and the offset it reaches do not.
			d.matches += fmt.Sprintf("[%d %d %d]", mapID(m.TypeID), len(m.Path), m.BitOffset)
		}
		ds = append(ds, d)
	}
	return ds
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
