package fromdwarf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// The kernel tests use what scripts/fetch-dbg.sh (make bench-data) puts in
// benchmarks/data/: the DWARF vmlinux and modules of Debian's
// linux-image-6.1.0-53-cloud-amd64-dbg, and the kernel's own BTF.
const kernelRelease = "6.1.0-53-cloud-amd64"

func benchData(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(testutil.RepoRoot(), "benchmarks", "data", name)
	if _, err := os.Stat(p); err != nil {
		testutil.Missing(tb, "%s is missing: run make bench-data", p)
	}
	return p
}

// skipShort skips the tests that encode the whole 6.1 vmlinux (14 million
// DIEs, about 1 GB) under go test -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not encoding the 6.1 vmlinux")
	}
}

// vmlinuxBase returns the kernel's own BTF (.BTF of the same vmlinux, made
// by pahole at build time), the base the modules' BTF is split over.
func vmlinuxBase(tb testing.TB) (string, *btf.Spec) {
	p := benchData(tb, kernelRelease+".btf")
	s, err := btf.LoadSpec(p, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return p, s
}

// TestModuleEquivalentToPahole encodes kernel modules as split BTF over the
// vmlinux BTF and compares with pahole 1.24 on the same module and base.
func TestModuleEquivalentToPahole(t *testing.T) {
	dir := benchData(t, "modules-"+kernelRelease)
	basePath, base := vmlinuxBase(t)
	mods, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
	if len(mods) == 0 {
		testutil.Missing(t, "no modules in %s", dir)
	}
	for _, mod := range mods {
		t.Run(filepath.Base(mod), func(t *testing.T) {
			ref := paholeEncode(t, mod, basePath, base, "--btf_gen_floats")
			var warns []error
			ours, _, err := EncodeFile(mod, &Options{Base: base, Warn: func(e error) { warns = append(warns, e) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warns {
				t.Log("warning:", w)
			}
			if ours.FirstID() != base.NextID() {
				t.Errorf("first id %d, want %d", ours.FirstID(), base.NextID())
			}
			for _, p := range compareSpecs(ours, ref, 0.005) {
				t.Error(p)
			}
			if !bytes.Equal(ours.Marshal(nil), ref.Marshal(nil)) {
				t.Error("not byte-identical to pahole's output")
			}

			// Many CUs encoded at once give the same bytes as one at a time.
			one, _, err := EncodeFile(mod, &Options{Base: base, Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(one.Marshal(nil), ours.Marshal(nil)) {
				t.Error("output with 1 job differs from the output with every CPU")
			}
		})
	}
}

// BenchmarkEncodeVmlinux encodes the DWARF vmlinux (about 14 million DIEs)
// and deduplicates it.
func BenchmarkEncodeVmlinux(b *testing.B) {
	p := benchData(b, "vmlinux-"+kernelRelease)
	for b.Loop() {
		if _, _, err := EncodeFile(p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVmlinuxEquivalentToPahole encodes the DWARF vmlinux and compares the
// result with pahole 1.24 on the same file: type counts per kind within
// 0.5%, every named type identical, and in fact the same bytes. It takes
// about 1 GB; go test -short skips it.
func TestVmlinuxEquivalentToPahole(t *testing.T) {
	skipShort(t)
	p := benchData(t, "vmlinux-"+kernelRelease)
	// pahole runs single-threaded: with -j it encodes a static function
	// once per thread rather than once (see the package doc).
	ref := paholeEncode(t, p, "", nil, "--btf_gen_floats")
	ours, st, err := EncodeFile(p, &Options{Warn: func(e error) { t.Log("warning:", e) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ours: %d types before dedup, %d after; pahole: %d", st.TypesBefore, st.TypesAfter, ref.NumTypes())
	a, b := kindCounts(ours), kindCounts(ref)
	for k := btf.KindInt; k <= btf.MaxKind; k++ {
		if a[k] != 0 || b[k] != 0 {
			t.Logf("%-10s ours %6d pahole %6d", k, a[k], b[k])
		}
	}
	for _, p := range compareSpecs(ours, ref, 0.005) {
		t.Error(p)
	}
	if !bytes.Equal(ours.Marshal(nil), ref.Marshal(nil)) {
		t.Error("not byte-identical to pahole's output")
	}

	// The kernel's own BTF, made by pahole at build time, is a second
	// reference; its FUNC set differs (see the package doc), so only the
	// differences of other kinds fail the test.
	own, err := btf.LoadSpec(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	funcs := 0
	for _, p := range compareSpecs(ours, own, 0.005) {
		if strings.HasPrefix(p, "only pahole: func ") || strings.HasPrefix(p, "only ours: func ") ||
			strings.HasPrefix(p, "FUNC: ") || strings.HasPrefix(p, "FUNC_PROTO: ") {
			funcs++
			continue
		}
		t.Errorf(".BTF: %s", p)
	}
	t.Logf("FUNC differences with the kernel's own .BTF: %d", funcs)
}

// TestVmlinuxPrededupMatchesPahole compares the types as encoded, before
// dedup, with what pahole 1.24 handed to libbpf's btf__dedup for the same
// vmlinux (benchmarks/data/*.prededup.btf, captured without
// --btf_gen_floats): the encoder alone, without dedup hiding differences.
// go test -short skips it.
func TestVmlinuxPrededupMatchesPahole(t *testing.T) {
	skipShort(t)
	p := benchData(t, "vmlinux-"+kernelRelease)
	want, err := os.ReadFile(benchData(t, kernelRelease+".prededup.btf"))
	if err != nil {
		t.Fatal(err)
	}
	ours, _, err := EncodeFile(p, &Options{NoDedup: true, Features: Features{NoFloat: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := ours.Marshal(nil)
	if !bytes.Equal(got, want) {
		ref, err := btf.Decode(want, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("not byte-identical to pahole's input to dedup: %d types and %d bytes, pahole %d and %d", ours.NumTypes(), len(got), ref.NumTypes(), len(want))
		a, b := kindCounts(ours), kindCounts(ref)
		for k := btf.KindInt; k <= btf.MaxKind; k++ {
			if a[k] != b[k] {
				t.Logf("%s: ours %d, pahole %d", k, a[k], b[k])
			}
		}
	}
}
