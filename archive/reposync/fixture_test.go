package reposync

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/internal/fetch"
	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/apt"
)

// fixture is a signed APT repository of small kernel debug packages,
// served on loopback.
type fixture struct {
	srv   *pkgtest.Server
	key   *pkgtest.Key
	suite []pkgtest.Suite
	dir   string // where the package files are, for archive add
}

// newFixture serves two suites: "bookworm" (Debian 12.5, amd64 and
// arm64, with a meta package and a package without vmlinux) and
// "bullseye" (Debian 11.9, amd64).
func newFixture(t *testing.T) *fixture {
	key, err := pkgtest.NewKey("sync-test")
	if err != nil {
		t.Fatal(err)
	}
	noVmlinux := pkgtest.DebPackage{Name: "linux-image-6.1.0-9-amd64-dbg", Version: "6.1.20-1", Arch: "amd64",
		Data: pkgtest.Deb("linux-image-6.1.0-9-amd64-dbg", "6.1.20-1", "amd64", []pkgtest.File{{Name: "./usr/share/doc/x", Data: []byte("x")}})}
	meta := pkgtest.DebPackage{Name: "linux-image-amd64-dbg", Version: "6.1.187-1", Arch: "amd64",
		Data: pkgtest.Deb("linux-image-amd64-dbg", "6.1.187-1", "amd64", nil)}
	suites := []pkgtest.Suite{
		{Name: "bookworm", Origin: "Debian", Version: "12.5", Codename: "bookworm", Packages: []pkgtest.DebPackage{
			pkgtest.KernelDeb("6.1.0-53-cloud-amd64", "6.1.187-1", "amd64"),
			pkgtest.KernelDeb("6.1.0-54-cloud-amd64", "6.1.190-1", "amd64"),
			pkgtest.KernelDeb("6.1.0-53-cloud-arm64", "6.1.187-1", "arm64"),
			noVmlinux, meta,
		}},
		{Name: "bullseye", Origin: "Debian", Version: "11.9", Codename: "bullseye", Packages: []pkgtest.DebPackage{
			pkgtest.KernelDeb("5.10.0-32-cloud-amd64", "5.10.223-1", "amd64"),
		}},
	}
	files, err := pkgtest.APTRepo(suites, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, s := range suites {
		for _, p := range s.Packages {
			if err := os.WriteFile(filepath.Join(dir, p.Name+"_"+p.Version+"_"+p.Arch+".deb"), p.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	f := &fixture{srv: pkgtest.NewServer(files), key: key, suite: suites, dir: dir}
	t.Cleanup(f.srv.Close)
	return f
}

// options returns sync options for the fixture's repository, with a
// client whose timeouts and backoff suit tests.
func (f *fixture) options(t *testing.T) *Options {
	kr, err := repo.ReadKeyring(f.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	opt := f.clientOptions()
	opt.Repositories = []Repository{APT(&apt.Repo{URL: f.srv.URL, Suites: []string{"bookworm", "bullseye"}, Keyring: kr})}
	return opt
}

// clientOptions returns sync options without repositories, with a client
// whose timeouts and backoff suit tests.
func (f *fixture) clientOptions() *Options {
	return &Options{
		Client: &fetch.Client{Attempts: 3, Backoff: 10 * time.Millisecond, StallTimeout: 500 * time.Millisecond},
		Jobs:   2,
	}
}

// debs returns the fixture's package files whose names contain s.
func (f *fixture) debs(t *testing.T, s string) []string {
	m, _ := filepath.Glob(filepath.Join(f.dir, "*"+s+"*.deb"))
	sort.Strings(m)
	return m
}

// addTree builds, with archive add, the tree that a sync of the
// fixture's kernels should give.
func (f *fixture) addTree(t *testing.T) string {
	dir := t.TempDir()
	for _, g := range []struct{ version, arch, glob string }{
		{"12", "x86_64", "6.1.0-5?-cloud-amd64"}, {"12", "arm64", "cloud-arm64"}, {"11", "x86_64", "5.10.0"},
	} {
		if _, err := archive.Add(dir, f.debs(t, g.glob), &archive.AddOptions{Distro: "debian", Version: g.version, Arch: g.arch, Jobs: 1}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sameTree compares two trees file by file, catalogue included, ignoring
// the lock file.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := treeFiles(t, a), treeFiles(t, b)
	if strings.Join(keys(fa), "\n") != strings.Join(keys(fb), "\n") {
		t.Fatalf("trees differ in files:\n%s\nagainst\n%s", strings.Join(keys(fa), "\n"), strings.Join(keys(fb), "\n"))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs:\n%s\nagainst\n%s", name, clip(data), clip(fb[name]))
		}
	}
}

func clip(b []byte) string {
	if len(b) > 2000 || bytes.IndexByte(b, 0) >= 0 {
		return "(binary)"
	}
	return string(b)
}

func treeFiles(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || fi.Name() == ".btfhub.lock" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// syncTree syncs the fixture into dir.
func syncTree(t *testing.T, dir string, opt *Options) (*Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return Sync(ctx, dir, opt)
}
