package minimize_test

import (
	"bytes"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
)

// compare reports every relocation whose decision against the minimized
// BTF differs from its decision against the full BTF.
func compare(t *testing.T, name string, full, min *corerel.Result, ids []btf.TypeID) int {
	t.Helper()
	want, got := decisions(full, ids), decisions(min, nil)
	if len(want) != len(got) {
		t.Errorf("%s: %d relocations against the full BTF, %d against the minimized one", name, len(want), len(got))
		return 0
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("%s: relocation %d:\nfull      %+v\nminimized %+v", name, i, want[i], got[i])
		}
	}
	return len(want)
}

// TestEquivalence minimizes each kernel's BTF for all libbpf-tools objects
// together, and for each object alone, and checks that relocating every
// object against the minimized BTF decides exactly what relocating it
// against the full BTF decides: same values (target ids mapped), same
// poisoning, same matched types and paths.
func TestEquivalence(t *testing.T) {
	objs := libbpfTools(t)
	for _, k := range kernels(t) {
		t.Run(k.name, func(t *testing.T) {
			target, err := corerel.NewTarget(k.spec)
			if err != nil {
				t.Fatal(err)
			}
			full := relocateAll(t, objs, target)
			check := func(name string, sub []object, subFull []*corerel.Result) (int, *btf.Spec) {
				r := minimizeResults(t, target, sub, subFull)
				// Go through the bytes, as a loader would.
				raw := r.Marshal()
				spec, err := btf.Decode(raw, nil)
				if err != nil {
					t.Fatalf("%s: minimized BTF does not decode: %v", name, err)
				}
				// The kernel refuses BTF without types ("No type found"); a
				// loader's btf_custom_path reads it in user space, where an
				// empty spec is fine.
				if err := spec.Validate(); err != nil && spec.NumTypes() > 0 {
					t.Errorf("%s: minimized BTF is not valid: %v", name, err)
				}
				if again := minimizeResults(t, target, sub, subFull).Marshal(); !bytes.Equal(raw, again) {
					t.Errorf("%s: two runs give different bytes", name)
				}
				mt, err := corerel.NewTarget(spec)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for i, o := range sub {
					res, err := corerel.Relocate(o.obj, mt)
					if err != nil {
						t.Errorf("%s: %s against the minimized BTF: %v", name, o.name, err)
						continue
					}
					n += compare(t, name+"/"+o.name, subFull[i], res, r.IDs)
				}
				return n, spec
			}
			n, spec := check("all", objs, full)
			t.Logf("%s: %d relocations of %d objects agree; minimized BTF: %d types, %d bytes (full: %d types)",
				k.name, n, len(objs), spec.NumTypes(), spec.MarshalSize(), k.spec.NumTypes())
			if n == 0 {
				t.Fatal("no relocation compared")
			}
			for i, o := range objs {
				check(o.name, objs[i:i+1], full[i:i+1])
			}
		})
	}
}
