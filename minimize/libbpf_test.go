package minimize_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/libbpflog"
)

// TestLibbpfEquivalence minimizes each kernel for all libbpf-tools objects
// and has libbpf 1.1 relocate every object twice, with the full BTF and
// with the minimized BTF as its btf_custom_path: every decision in its log
// must be the same (target_type_id values mapped into the minimized ids).
func TestLibbpfEquivalence(t *testing.T) {
	tool := libbpflog.Tool(t)
	objs := libbpfTools(t)
	for _, k := range kernels(t) {
		t.Run(k.name, func(t *testing.T) {
			target, err := corerel.NewTarget(k.spec)
			if err != nil {
				t.Fatal(err)
			}
			full := relocateAll(t, objs, target)
			res := minimizeResults(t, target, objs, full)
			minPath := filepath.Join(t.TempDir(), "min.btf")
			if err := os.WriteFile(minPath, res.Marshal(), 0o644); err != nil {
				t.Fatal(err)
			}
			n := 0
			for i, o := range objs {
				kinds := map[libbpflog.Key]btf.COREKind{}
				for _, r := range full[i].Relocations {
					kinds[libbpflog.Key{Prog: r.Program, Relo: r.Index}] = r.Kind
				}
				want := libbpflog.Run(t, tool, o.path, k.path)
				got := libbpflog.Run(t, tool, o.path, minPath)
				if (want.Failed == nil) != (got.Failed == nil) || want.Failed != nil && *want.Failed != *got.Failed {
					t.Errorf("%s: libbpf failed on %v with the full BTF, on %v with the minimized one", o.name, want.Failed, got.Failed)
				}
				for key, w := range want.Relos {
					if kinds[key] == btf.CORETypeIDTarget && !w.Poisoned {
						w.Value = uint64(res.IDs[w.Value])
					}
					g, ok := got.Relos[key]
					switch {
					case !ok:
						t.Errorf("%s: prog '%s' relo #%d: libbpf decided %+v with the full BTF, nothing with the minimized one", o.name, key.Prog, key.Relo, w)
					case g != w:
						t.Errorf("%s: prog '%s' relo #%d: libbpf decided %+v with the full BTF, %+v with the minimized one", o.name, key.Prog, key.Relo, w, g)
					}
					n++
				}
				for key, g := range got.Relos {
					if _, ok := want.Relos[key]; !ok {
						t.Errorf("%s: prog '%s' relo #%d: libbpf decided %+v with the minimized BTF only", o.name, key.Prog, key.Relo, g)
					}
				}
			}
			t.Logf("%s: libbpf decides %d relocations of %d objects alike with the full and the minimized BTF (%d bytes)", k.name, n, len(objs), len(res.Marshal()))
			if n == 0 {
				t.Fatal("no relocation compared")
			}
		})
	}
}
