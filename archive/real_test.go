package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestRealDebianArchive builds an archive of Debian 12's 6.1 kernels
// (amd64, cloud and rt) straight from their linux-image-*-dbg packages,
// fetched by scripts/fetch-debs.sh, and checks every kernel read back from
// the tree and from a pack of it against the .BTF section of the
// package's vmlinux, extracted independently by dpkg-deb and objcopy.
func TestRealDebianArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("reads gigabytes of packages")
	}
	// Debian 12's 6.1 builds in their amd64, cloud and rt flavours, as
	// pinned in scripts/debs.manifest (21 packages, 6.1.0-47 to -57).
	debs, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "cache", "debs", "linux-image-*-dbg_*.deb"))
	if len(debs) < 6 {
		testutil.Missing(t, "%d kernel debug packages in testdata/cache/debs, want the 6.1 series (run make testdata)", len(debs))
	}
	testutil.RequireTool(t, "dpkg-deb")
	testutil.RequireTool(t, "objcopy")
	dir := filepath.Join(t.TempDir(), "archive")
	res, err := Add(dir, debs, &AddOptions{Distro: "debian", Version: "12", Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := OpenTree(dir)
	if problems, err := tr.Verify(); err != nil || len(problems) != 0 {
		t.Fatal(problems, err)
	}
	pack := filepath.Join(t.TempDir(), "debian.pack")
	f, _ := os.Create(pack)
	if err := WritePack(f, tr); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := OpenPackFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	var treeSize int64
	for _, r := range res {
		treeSize += r.Entry.CompressedSize
	}
	fi, _ := os.Stat(pack)
	t.Logf("%d kernels: tree %d bytes, pack %d bytes (1/%.1f)", len(res), treeSize, fi.Size(), float64(treeSize)/float64(fi.Size()))
	if fi.Size()*5 > treeSize {
		t.Errorf("pack of %d bytes is more than 1/5 of the tree's %d", fi.Size(), treeSize)
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, r := range res {
		wg.Add(1)
		go func(r InputResult) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			want, err := testutil.DebBTF(t, r.Input, r.Entry.Release)
			if err != nil {
				t.Error(err)
				return
			}
			k := r.Entry.Key()
			fromTree, err := tr.ReadBTF(k)
			if err != nil || !bytes.Equal(fromTree, want) {
				t.Errorf("%s: tree: %v, identical %v", k, err, bytes.Equal(fromTree, want))
			}
			fromPack, err := p.ReadBTF(k)
			if err != nil || !bytes.Equal(fromPack, want) {
				t.Errorf("%s: pack: %v, identical %v", k, err, bytes.Equal(fromPack, want))
			}
		}(r)
	}
	wg.Wait()
}
