package fromdwarf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/diff"
	"github.com/btfhub/btfhub/internal/testutil"
)

// paholeEncode runs pahole -J --btf_encode_detached on the ELF file at path
// with the given extra flags and returns its BTF, split over base when
// basePath is not empty.
func paholeEncode(tb testing.TB, path, basePath string, base *btf.Spec, flags ...string) *btf.Spec {
	tb.Helper()
	pahole := testutil.RequireTool(tb, "pahole")
	out := filepath.Join(tb.TempDir(), "pahole.btf")
	args := append([]string{"-J", "--btf_encode_detached", out}, flags...)
	if basePath != "" {
		args = append(args, "--btf_base", basePath)
	}
	args = append(args, path)
	cmd := exec.Command(pahole, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("pahole %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	s, err := btf.LoadSpec(out, &btf.LoadOptions{Base: base})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// kindCounts counts a spec's own types per kind.
func kindCounts(s *btf.Spec) map[btf.Kind]int {
	m := map[btf.Kind]int{}
	for t := range s.Types() {
		m[t.Kind()]++
	}
	return m
}

// compareSpecs reports how ours differs from pahole's: per-kind type counts
// beyond tolerance (a fraction, 0 for exact), and every named type that
// diff.Compare finds added, removed or changed.
func compareSpecs(ours, ref *btf.Spec, tolerance float64) []string {
	var problems []string
	a, b := kindCounts(ours), kindCounts(ref)
	for k := btf.KindInt; k <= btf.MaxKind; k++ {
		d := a[k] - b[k]
		if d < 0 {
			d = -d
		}
		if float64(d) > tolerance*float64(b[k]) {
			problems = append(problems, fmt.Sprintf("%s: %d types, pahole %d", k, a[k], b[k]))
		}
	}
	r := diff.Compare(ref, ours)
	for _, t := range r.Added {
		problems = append(problems, fmt.Sprintf("only ours: %s %s", t.Kind, t.Name))
	}
	for _, t := range r.Removed {
		problems = append(problems, fmt.Sprintf("only pahole: %s %s", t.Kind, t.Name))
	}
	for _, c := range r.Changed {
		var buf bytes.Buffer
		diff.WriteText(&buf, &diff.Report{Changed: []diff.TypeChange{c}}, "pahole", "ours")
		problems = append(problems, fmt.Sprintf("changed: %s %s\n%s", c.Kind, c.Name, buf.String()))
	}
	return problems
}

// compile builds src with compiler cc and flags into a temporary object.
func compile(tb testing.TB, cc, src string, flags ...string) string {
	tb.Helper()
	path := testutil.RequireTool(tb, cc)
	out := filepath.Join(tb.TempDir(), strings.TrimSuffix(filepath.Base(src), ".c")+".o")
	args := append(append([]string{"-c", "-o", out}, flags...), src)
	if msg, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, msg)
	}
	return out
}

func TestEquivalentToPahole(t *testing.T) {
	srcs, _ := filepath.Glob("testdata/*.c")
	if len(srcs) == 0 {
		t.Fatal("no testdata/*.c")
	}
	for _, src := range srcs {
		for _, cc := range []string{"gcc", "clang"} {
			for _, dw := range []string{"-gdwarf-4", "-gdwarf-5"} {
				for _, opt := range []string{"-O0", "-O2"} {
					name := fmt.Sprintf("%s/%s%s%s", filepath.Base(src), cc, dw, opt)
					t.Run(name, func(t *testing.T) {
						obj := compile(t, cc, src, "-g", dw, opt)
						ref := paholeEncode(t, obj, "", nil, "--btf_gen_floats")
						ours, _, err := EncodeFile(obj, nil)
						if err != nil {
							t.Fatal(err)
						}
						for _, p := range compareSpecs(ours, ref, 0) {
							t.Error(p)
						}
						// Beyond equivalence: the same types in the same
						// order, the same strings.
						if !bytes.Equal(ours.Marshal(nil), ref.Marshal(nil)) {
							t.Error("not byte-identical to pahole's output")
						}
						if t.Failed() && os.Getenv("FROMDWARF_DUMP") != "" {
							dumpBoth(t, ours, ref)
						}
					})
				}
			}
		}
	}
}

func dumpBoth(t *testing.T, ours, ref *btf.Spec) {
	for _, s := range []*btf.Spec{ours, ref} {
		var buf bytes.Buffer
		btf.WriteText(&buf, s)
		t.Log("\n" + buf.String())
	}
}
