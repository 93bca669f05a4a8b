package fromdwarf_test

import (
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/fromdwarf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// decision is what a relocation decides, without the target type ids,
// which differ between two encodings of one kernel.
type decision struct {
	program  string
	insn     int
	poisoned bool
	value    uint64
	memSize  uint32
}

func decisions(t *testing.T, obj *corerel.Object, target *corerel.Target) []decision {
	t.Helper()
	res, err := corerel.Relocate(obj, target)
	if err != nil {
		t.Fatal(err)
	}
	var out []decision
	for _, r := range res.Relocations {
		d := decision{r.Program, r.Insn, r.Poisoned, r.Value, r.MemSize}
		if r.Poisoned {
			d.value = 0
		}
		if r.Kind == btf.CORETypeIDTarget {
			// A target type id is an id in the target, which two
			// encodings number differently; that it was found counts.
			d.value = 1
		}
		out = append(out, d)
	}
	return out
}

// TestRelocationsMatchKernelBTF encodes the DWARF of Debian's 6.1 cloud
// vmlinux and relocates every libbpf-tools object against it and against
// the kernel's own .BTF (made by pahole when the kernel was built): every
// relocation must decide the same.
func TestRelocationsMatchKernelBTF(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a whole kernel")
	}
	dir := filepath.Join(testutil.RepoRoot(), "benchmarks", "data")
	vmlinux := filepath.Join(dir, "vmlinux-6.1.0-53-cloud-amd64")
	own, err := btf.LoadSpec(vmlinux, nil)
	if err != nil {
		testutil.Missing(t, "%v: run make bench-data", err)
	}
	ours, _, err := fromdwarf.EncodeFile(vmlinux, &fromdwarf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ownTarget, err := corerel.NewTarget(own)
	if err != nil {
		t.Fatal(err)
	}
	ourTarget, err := corerel.NewTarget(ours)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, path := range testutil.LibbpfToolsObjectFiles(t) {
		obj, err := corerel.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := decisions(t, obj, ownTarget)
		got := decisions(t, obj, ourTarget)
		if len(got) != len(want) {
			t.Fatalf("%s: %d relocations, want %d", filepath.Base(path), len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: relocation %d: %+v with our BTF, %+v with the kernel's", filepath.Base(path), i, got[i], want[i])
			}
		}
		total += len(want)
	}
	if total < 500 {
		t.Errorf("only %d relocations compared", total)
	}
	t.Logf("%d relocations agree", total)
}
