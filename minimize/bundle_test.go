package minimize_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/minimize"
)

// realArchive returns the archive tree of real Debian kernels that
// package archive's tests build in testdata/cache, or skips.
func realArchive(t *testing.T) archive.Store {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(), "testdata", "cache", "archive-real")
	if _, err := os.Stat(filepath.Join(dir, "debian")); err != nil {
		testutil.Missing(t, "no archive of real kernels in %s (package archive's tests build it): %v", dir, err)
	}
	st, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestBundle minimizes every kernel of an archive of real kernels for all
// libbpf-tools objects, writes the bundle as a pack, and checks that each
// kernel reads back byte-identical to minimizing it alone, and that the
// pack costs at most a tenth of the kernels' minimized BTF stored one by
// one as btfhub-archive stores files (.btf.tar.xz), as the issue asks.
func TestBundle(t *testing.T) {
	st := realArchive(t)
	objs := libbpfTools(t)
	mobjs := make([]minimize.Object, len(objs))
	for i, o := range objs {
		mobjs[i] = minimize.Object{Name: o.name, Object: o.obj}
	}
	b, err := minimize.MinimizeArchive(st, mobjs, &minimize.ArchiveOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	var pack bytes.Buffer
	if err := b.WritePack(&pack); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := b.WritePack(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pack.Bytes(), again.Bytes()) {
		t.Error("two packs of the same bundle differ")
	}
	p, err := archive.OpenPack(bytes.NewReader(pack.Bytes()), int64(pack.Len()))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 2 {
		t.Fatalf("%d kernels in the archive", len(entries))
	}
	separate, raw := 0, 0
	for _, e := range entries {
		full, err := st.ReadBTF(e.Key())
		if err != nil {
			t.Fatal(err)
		}
		s, err := btf.Decode(full, nil)
		if err != nil {
			t.Fatal(err)
		}
		target, err := corerel.NewTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		alone, err := minimize.MinimizeObjects(target, mobjs)
		if err != nil {
			t.Fatal(err)
		}
		want := alone.Marshal()
		got, err := p.ReadBTF(e.Key())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the bundle's BTF (%d bytes) differs from minimizing the kernel alone (%d bytes)", e.Key(), len(got), len(want))
		}
		tb, err := archive.TarballBytes(e.Release, want)
		if err != nil {
			t.Fatal(err)
		}
		separate += len(tb)
		raw += len(want)
	}
	ratio := float64(pack.Len()) / float64(separate)
	t.Logf("%d kernels: minimized BTF %d bytes raw; %d bytes as separate .btf.tar.xz files; bundle %d bytes (%.1f%%)",
		len(entries), raw, separate, pack.Len(), 100*ratio)
	if ratio > 0.10 {
		t.Errorf("bundle is %.1f%% of the separate files, want at most 10%%", 100*ratio)
	}
}
