package reposync

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/pkgread"
)

// TestSyncRealDebian serves real Debian kernel debug packages of two
// architectures and two releases (pinned in scripts/debs.manifest) from
// an APT repository signed with a key of the test, syncs it, and checks
// the tree byte for byte against archive add of the same files,
// catalogue included; a second sync downloads no package.
func TestSyncRealDebian(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 800 MB of packages")
	}
	root := testutil.RepoRoot()
	files := []struct {
		glob, suite, version, arch string
	}{
		{"testdata/cache/debs/linux-image-6.1.0-53-cloud-amd64-dbg_*_amd64.deb", "bookworm", "12", "x86_64"},
		{"testdata/cache/repo-debs/linux-image-6.1.0-50-cloud-arm64-dbg_*_arm64.deb", "bookworm", "12", "arm64"},
		{"testdata/cache/repo-debs/linux-image-5.10.0-32-cloud-amd64-dbg_*_amd64.deb", "bullseye", "11", "x86_64"},
	}
	key, err := pkgtest.NewKey("real")
	if err != nil {
		t.Fatal(err)
	}
	suites := []pkgtest.Suite{
		{Name: "bookworm", Origin: "Debian", Version: "12.13", Codename: "bookworm"},
		{Name: "bullseye", Origin: "Debian", Version: "11.11", Codename: "bullseye"},
	}
	want := t.TempDir()
	for i, f := range files {
		m, _ := filepath.Glob(filepath.Join(root, f.glob))
		if len(m) != 1 {
			testutil.Missing(t, "no %s (run scripts/fetch-debs.sh)", f.glob)
		}
		p := pkgtest.DebPackage{Path: m[0]}
		p.Name, p.Version, p.Arch = packageID(t, m[0])
		s := &suites[0]
		if f.suite == "bullseye" {
			s = &suites[1]
		}
		s.Packages = append(s.Packages, p)
		if _, err := archive.Add(want, m, &archive.AddOptions{Distro: "debian", Version: f.version, Arch: f.arch}); err != nil {
			t.Fatalf("archive add %s: %v", files[i].glob, err)
		}
	}
	r, err := pkgtest.APTRepo(suites, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := pkgtest.NewServer(r)
	defer srv.Close()
	fx := &fixture{srv: srv, key: key}
	dir := t.TempDir()
	sum, err := syncTree(t, dir, fx.options(t))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(Added) != 3 {
		t.Fatalf("%d added, want 3: %+v", sum.Count(Added), sum.Results)
	}
	sameTree(t, dir, want)
	before := srv.Hits(".deb")
	if _, err := syncTree(t, dir, fx.options(t)); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(".deb") - before; n != 0 {
		t.Fatalf("a second sync made %d package requests", n)
	}
}

// packageID reads a package file's name, version and arch.
func packageID(t *testing.T, path string) (name, version, arch string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := pkgread.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.Name, p.Version, p.Arch
}
