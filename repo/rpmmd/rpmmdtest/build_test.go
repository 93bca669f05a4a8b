package rpmmdtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildRepo(t *testing.T) {
	src := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(src, []byte("vmlinux"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "repo")
	const path = "/usr/lib/debug/lib/modules/6.5.6-300.fc39.x86_64/vmlinux"
	BuildRepo(t, dir, []RPM{{Name: "kernel-debuginfo", Version: "6.5.6", Release: "300.fc39", Arch: "x86_64",
		Files: map[string]string{path: src}}})
	rpm := filepath.Join(dir, "kernel-debuginfo-6.5.6-300.fc39.x86_64.rpm")
	out, err := exec.Command("rpm", "-qp", "--qf", "%{NAME} %{VERSION}-%{RELEASE} %{ARCH} %{PAYLOADCOMPRESSOR}\n", "-l", rpm).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qpl: %v\n%s", err, out)
	}
	if want := "kernel-debuginfo 6.5.6-300.fc39 x86_64 zstd\n" + path + "\n"; string(out) != want {
		t.Errorf("rpm -qp says\n%s\nwant\n%s", out, want)
	}
	md, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil || !strings.Contains(string(md), "-primary.xml.xz") {
		t.Fatalf("repomd.xml: %v\n%s", err, md)
	}
	signer, pub := NewSigner(t, "Test")
	SignRepo(t, dir, signer)
	if asc, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml.asc")); err != nil || !strings.Contains(string(asc), "BEGIN PGP SIGNATURE") {
		t.Fatalf("repomd.xml.asc: %v", err)
	}
	if !strings.Contains(string(pub), "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("public key %q", pub)
	}
}

func TestCheckRPM(t *testing.T) {
	ok := RPM{Name: "kernel-debuginfo", Version: "1", Release: "1.fc39", Arch: "x86_64", Files: map[string]string{"/a/b": "x"}}
	if err := checkRPM(ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*RPM)
	}{
		{"no name", func(p *RPM) { p.Name = "" }},
		{"dash in version", func(p *RPM) { p.Version = "1-2" }},
		{"macro in release", func(p *RPM) { p.Release = "%{x}" }},
		{"space in arch", func(p *RPM) { p.Arch = "x86 64" }},
		{"no files", func(p *RPM) { p.Files = nil }},
		{"relative path", func(p *RPM) { p.Files = map[string]string{"a/b": "x"} }},
		{"unclean path", func(p *RPM) { p.Files = map[string]string{"/a/../b": "x"} }},
		{"glob in path", func(p *RPM) { p.Files = map[string]string{"/a/*": "x"} }},
		{"space in path", func(p *RPM) { p.Files = map[string]string{"/a b": "x"} }},
		{"root", func(p *RPM) { p.Files = map[string]string{"/": "x"} }},
	} {
		p := ok
		tc.edit(&p)
		if err := checkRPM(p); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
