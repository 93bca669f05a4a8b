package minimize_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/minimize"
)

// bpftoolMinCoreBTF runs `bpftool gen min_core_btf` and returns its output.
func bpftoolMinCoreBTF(t testing.TB, bpftool, input, output string, objs []object) {
	t.Helper()
	args := []string{"gen", "min_core_btf", input, output}
	for _, o := range objs {
		args = append(args, o.path)
	}
	if out, err := exec.Command(bpftool, args...).CombinedOutput(); err != nil {
		t.Fatalf("bpftool gen min_core_btf: %v\n%s", err, out)
	}
}

// TestAgainstBpftool minimizes every kernel for all libbpf-tools objects
// with bpftool gen min_core_btf and with this package, on the same inputs,
// and checks that this package keeps no more types and writes no more
// bytes, and that relocating against bpftool's output and ours decides
// the same for every relocation bpftool's output gives a match.
func TestAgainstBpftool(t *testing.T) {
	bpftool := testutil.RequireTool(t, "bpftool")
	objs := libbpfTools(t)
	for _, k := range kernels(t) {
		t.Run(k.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bpftool.btf")
			bpftoolMinCoreBTF(t, bpftool, k.path, out, objs)
			theirs, err := btf.LoadSpec(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			target, err := corerel.NewTarget(k.spec)
			if err != nil {
				t.Fatal(err)
			}
			full := relocateAll(t, objs, target)
			ours := minimizeResults(t, target, objs, full)
			t.Logf("%s: bpftool %d types, %d bytes; btfhub %d types, %d bytes",
				k.name, theirs.NumTypes(), theirs.MarshalSize(), ours.Spec.NumTypes(), ours.Spec.MarshalSize())
			if ours.Spec.NumTypes() > theirs.NumTypes() {
				t.Errorf("%d types, bpftool keeps %d", ours.Spec.NumTypes(), theirs.NumTypes())
			}
			if ours.Spec.MarshalSize() > theirs.MarshalSize() {
				t.Errorf("%d bytes, bpftool writes %d", ours.Spec.MarshalSize(), theirs.MarshalSize())
			}
			// Both outputs must serve the objects alike.
			tt, err := corerel.NewTarget(theirs)
			if err != nil {
				t.Fatal(err)
			}
			mt, err := corerel.NewTarget(ours.Spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				a, errA := corerel.Relocate(o.obj, tt)
				b, errB := corerel.Relocate(o.obj, mt)
				if errA != nil || errB != nil {
					t.Errorf("%s: against bpftool's BTF: %v; against ours: %v", o.name, errA, errB)
					continue
				}
				for i := range a.Relocations {
					ra, rb := a.Relocations[i], b.Relocations[i]
					if ra.Kind == btf.CORETypeIDTarget {
						continue // ids differ between the two outputs
					}
					if ra.Poisoned != rb.Poisoned || !ra.Poisoned && ra.Value != rb.Value {
						t.Errorf("%s: prog '%s' relo #%d (%s %s %s): bpftool's BTF gives %v/%d, ours %v/%d",
							o.name, ra.Program, ra.Index, ra.Kind, ra.LocalType, ra.Access, ra.Poisoned, ra.Value, rb.Poisoned, rb.Value)
					}
				}
			}
		})
	}
}

// BenchmarkMinimize times minimizing one kernel for all libbpf-tools
// objects, from files to a file, in btfhub and in bpftool gen
// min_core_btf (a process per run, as a build script runs it).
func BenchmarkMinimize(b *testing.B) {
	objs := libbpfTools(b)
	var paths []string
	for _, o := range objs {
		paths = append(paths, o.path)
	}
	for _, name := range testutil.Kernels {
		input := testutil.KernelBTFFile(b, name)
		output := filepath.Join(b.TempDir(), "out.btf")
		b.Run(name+"/btfhub", func(b *testing.B) {
			for b.Loop() {
				s, err := btf.LoadSpec(input, nil)
				if err != nil {
					b.Fatal(err)
				}
				target, err := corerel.NewTarget(s)
				if err != nil {
					b.Fatal(err)
				}
				os, err := minimize.OpenObjects(paths...)
				if err != nil {
					b.Fatal(err)
				}
				res, err := minimize.MinimizeObjects(target, os)
				if err != nil {
					b.Fatal(err)
				}
				if err := writeFile(output, res.Marshal()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/bpftool", func(b *testing.B) {
			bpftool := testutil.RequireTool(b, "bpftool")
			for b.Loop() {
				bpftoolMinCoreBTF(b, bpftool, input, output, objs)
			}
		})
	}
}
