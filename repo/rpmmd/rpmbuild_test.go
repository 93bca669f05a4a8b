package rpmmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/repo"
	"github.com/btfhub/btfhub/repo/rpmmd/rpmmdtest"
)

// httpGetter is a plain HTTP Getter, as package fetch's is without its
// retries.
type httpGetter struct{ c *http.Client }

func (g httpGetter) Get(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := g.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("GET %s: %s: %w", url, resp.Status, repo.ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("GET %s: more than %d bytes", url, max)
	}
	return data, nil
}

func fileSHA256(t *testing.T, path string) (string, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:]), int64(len(data))
}

// TestRealRepository builds RPMs with rpmbuild and their repository with
// createrepo_c, signs it, serves it over HTTP and discovers it.
func TestRealRepository(t *testing.T) {
	rpmmdtest.RequireTools(t)
	src := t.TempDir()
	vmlinux := filepath.Join(src, "vmlinux")
	mainC := filepath.Join(src, "main.c")
	if err := os.WriteFile(vmlinux, []byte("\x7fELF not really a kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mainC, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		ver, rel = "5.14.0", "70.13.1.el9_0"
		release  = ver + "-" + rel + ".x86_64"
		release2 = ver + "-284.11.1.el9_2.aarch64+64k"
	)
	dir := filepath.Join(t.TempDir(), "repo")
	rpmmdtest.BuildRepo(t, dir, []rpmmdtest.RPM{
		{Name: "kernel-debuginfo", Version: ver, Release: rel, Arch: "x86_64",
			Files: map[string]string{"/usr/lib/debug/lib/modules/" + release + "/vmlinux": vmlinux}},
		{Name: "kernel-debuginfo-common-x86_64", Version: ver, Release: rel, Arch: "x86_64",
			Files: map[string]string{"/usr/src/debug/kernel-" + ver + "-" + rel + "/linux-" + release + "/init/main.c": mainC}},
		{Name: "kernel-64k-debuginfo", Version: ver, Release: "284.11.1.el9_2", Arch: "aarch64", Payload: "w2.xzdio",
			Files: map[string]string{"/usr/lib/debug/lib/modules/" + release2 + "/vmlinux": vmlinux}},
	})
	signer, pub := rpmmdtest.NewSigner(t, "Test Repo")
	rpmmdtest.SignRepo(t, dir, signer)
	keyring, err := repo.ReadKeyring(pub)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	idx, err := Discover(context.Background(), httpGetter{srv.Client()}, &Repo{URL: srv.URL, Keyring: keyring, RequireSignature: true, Distro: "rhel"})
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Packages) != 2 || len(idx.Skipped) != 1 || len(idx.Warnings) != 0 {
		t.Fatalf("index:\n%s", summary(idx))
	}
	if s := idx.Skipped[0]; s.Name != "kernel-debuginfo-common-x86_64-"+ver+"-"+rel+".x86_64" || s.Reason != reasonCommon {
		t.Errorf("skipped %+v", s)
	}
	// createrepo_c lists packages in an order of its own.
	byName := map[string]repo.Package{}
	for _, p := range idx.Packages {
		byName[p.Name] = p
	}
	for i, want := range []struct{ name, arch, karch, version, release string }{
		{"kernel-debuginfo", "x86_64", "x86_64", ver + "-" + rel, release},
		{"kernel-64k-debuginfo", "aarch64", "arm64", ver + "-284.11.1.el9_2", release2},
	} {
		p := byName[want.name]
		file := filepath.Join(dir, fmt.Sprintf("%s-%s.%s.rpm", want.name, want.version, want.arch))
		sum, size := fileSHA256(t, file)
		if p.Name != want.name || p.Arch != want.arch || p.KernelArch != want.karch || p.Version != want.version ||
			p.Release != want.release || p.Distro != "rhel" || p.DistroVersion != "9" ||
			p.URL != srv.URL+"/"+filepath.Base(file) || p.Size != size || p.SHA256 != sum {
			t.Errorf("package %d: %+v\nwant %+v, size %d, sha256 %s", i, p, want, size, sum)
		}
		// The release predicted is the one of the vmlinux path.
		out, err := exec.Command("rpm", "-qpl", file).Output()
		if err != nil {
			t.Fatalf("rpm -qpl %s: %v", file, err)
		}
		if !strings.Contains(string(out), "/lib/modules/"+p.Release+"/vmlinux") {
			t.Errorf("%s holds\n%s\nnot the vmlinux of %s", file, out, p.Release)
		}
	}

	// The same repository with its signature made by another key.
	other, _ := rpmmdtest.NewSigner(t, "Someone Else")
	rpmmdtest.SignRepo(t, dir, other)
	if _, err := Discover(context.Background(), httpGetter{srv.Client()}, &Repo{URL: srv.URL, Keyring: keyring, Distro: "rhel"}); err == nil || !strings.Contains(err.Error(), "not in the keyring") {
		t.Fatalf("signed by another key: err = %v", err)
	}
}
