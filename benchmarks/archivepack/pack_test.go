// Package archivepack measures btfhub's pack against the btfhub-archive
// tree of the same kernels: size, and the cost of reading one kernel.
//
// The tree is built by
//
//	scripts/fetch-debs.sh
//	btfhub archive add testdata/cache/archive-real --distro debian --version 12 --arch amd64 testdata/cache/debs/*.deb
//
// (or any tree named by BTFHUB_BENCH_ARCHIVE).
package archivepack

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/testutil"
)

var (
	once     sync.Once
	tree     *archive.Tree
	entries  []index.Entry
	packPath string
	setupErr error
)

// setup opens the tree and packs it into a temporary file, once.
func setup(tb testing.TB) {
	tb.Helper()
	dir := os.Getenv("BTFHUB_BENCH_ARCHIVE")
	if dir == "" {
		dir = filepath.Join(testutil.RepoRoot(), "testdata", "cache", "archive-real")
	}
	if _, err := os.Stat(filepath.Join(dir, index.FileName)); err != nil {
		testutil.Missing(tb, "no archive at %s (see the package doc)", dir)
	}
	once.Do(func() {
		tree, setupErr = archive.OpenTree(dir)
		if setupErr != nil {
			return
		}
		if entries, setupErr = tree.Entries(); setupErr != nil {
			return
		}
		tmp, err := os.MkdirTemp("", "archivepack")
		if err != nil {
			setupErr = err
			return
		}
		packPath = filepath.Join(tmp, "archive.pack")
		f, err := os.Create(packPath)
		if err != nil {
			setupErr = err
			return
		}
		defer f.Close()
		setupErr = archive.WritePack(f, tree)
	})
	if setupErr != nil {
		tb.Fatal(setupErr)
	}
}

// middle is the kernel the read benchmarks read.
func middle() *index.Entry { return &entries[len(entries)/2] }

// TestSizes reports the tree's and the pack's sizes and checks the pack
// is at most 1/5 of the tree, with every kernel byte-identical.
func TestSizes(t *testing.T) {
	setup(t)
	var treeSize int64
	for _, e := range entries {
		treeSize += e.CompressedSize
	}
	fi, err := os.Stat(packPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kernels: tree %d bytes, pack %d bytes, ratio 1/%.2f", len(entries), treeSize, fi.Size(), float64(treeSize)/float64(fi.Size()))
	if fi.Size()*5 > treeSize {
		t.Errorf("pack is more than 1/5 of the tree")
	}
	p, err := archive.OpenPackFile(packPath)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, e := range entries {
		a, err := tree.ReadBTF(e.Key())
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.ReadBTF(e.Key())
		if err != nil || string(a) != string(b) {
			t.Fatalf("%s: %v", e.Key(), err)
		}
	}
}

// BenchmarkTreeExtract reads one kernel from the tree: its .tar.xz
// through the xz tool, with the checks btfhub makes.
func BenchmarkTreeExtract(b *testing.B) {
	setup(b)
	k := middle().Key()
	for b.Loop() {
		if _, err := tree.ReadBTF(k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTreeExtractGoXZ is BenchmarkTreeExtract with the pure-Go xz
// decoder (BTFHUB_XZ=go).
func BenchmarkTreeExtractGoXZ(b *testing.B) {
	setup(b)
	b.Setenv("BTFHUB_XZ", "go")
	k := middle().Key()
	for b.Loop() {
		if _, err := tree.ReadBTF(k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTarXJ is the reference: GNU tar extracting the .tar.xz to
// standard output, as btfhub-archive's users do.
func BenchmarkTarXJ(b *testing.B) {
	setup(b)
	tarPath := testutil.RequireTool(b, "tar")
	file := filepath.Join(tree.Dir, filepath.FromSlash(middle().Key().Path()))
	for b.Loop() {
		if err := exec.Command(tarPath, "-xJOf", file).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPackRead opens the pack and reads one kernel, as a loader
// would.
func BenchmarkPackRead(b *testing.B) {
	setup(b)
	k := middle().Key()
	for b.Loop() {
		p, err := archive.OpenPackFile(packPath)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.ReadBTF(k); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}
