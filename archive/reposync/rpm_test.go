package reposync

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/archive"
	"github.com/btfhub/btfhub/internal/pkgtest"
	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/rpmmd"
	"github.com/btfhub/btfhub/repo/rpmmd/rpmmdtest"
)

// TestSyncRPM syncs an RPM-MD repository that rpmbuild and createrepo_c
// build, signed, holding a Fedora kernel-debuginfo and the
// kernel-debuginfo-common package that has no vmlinux: the tree is the
// one archive add makes of the kernel-debuginfo file, and the repository
// gives the key (fedora/39 from the fc39 dist tag).
func TestSyncRPM(t *testing.T) {
	rpmmdtest.RequireTools(t)
	const rel = "6.5.6-300.fc39.x86_64"
	src := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(src, pkgtest.Vmlinux(), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rpmmdtest.BuildRepo(t, dir, []rpmmdtest.RPM{
		{Name: "kernel-debuginfo", Version: "6.5.6", Release: "300.fc39", Arch: "x86_64", Files: map[string]string{"/usr/lib/debug/lib/modules/" + rel + "/vmlinux": src}},
		{Name: "kernel-debuginfo-common-x86_64", Version: "6.5.6", Release: "300.fc39", Arch: "x86_64", Files: map[string]string{"/usr/src/debug/kernel-6.5.6/README": src}},
	})
	signer, pub := rpmmdtest.NewSigner(t, "fedora-test")
	rpmmdtest.SignRepo(t, dir, signer)
	kr, err := repo.ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pkgtest.DirRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := pkgtest.NewServer(r)
	defer srv.Close()
	opt := (&fixture{srv: srv}).clientOptions()
	opt.Repositories = []Repository{RPM(&rpmmd.Repo{URL: srv.URL, Keyring: kr})}
	tree := t.TempDir()
	sum, err := syncTree(t, tree, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(Added) != 1 || len(sum.Results) != 1 {
		t.Fatalf("results %+v", sum.Results)
	}
	rpms, _ := filepath.Glob(filepath.Join(dir, "kernel-debuginfo-6.5.6*.rpm"))
	want := t.TempDir()
	if _, err := archive.Add(want, rpms, &archive.AddOptions{Distro: "fedora", Version: "39", Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, tree, want)
	before := srv.Hits(".rpm")
	if _, err := syncTree(t, tree, opt); err != nil || srv.Hits(".rpm") != before {
		t.Fatalf("second sync: %d package requests, %v", srv.Hits(".rpm")-before, err)
	}
}
