package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/testutil"
)

// TestForHostSysfs: on these machines the kernel has its own BTF, and
// ForHost takes it. Without /sys/kernel/btf/vmlinux the test is skipped,
// or fails in CI.
func TestForHostSysfs(t *testing.T) {
	if _, err := os.Stat(DefaultSysfsBTF); err != nil {
		testutil.Missing(t, "no %s here: %v", DefaultSysfsBTF, err)
	}
	h, err := ForHost(&HostOptions{Archive: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(DefaultSysfsBTF)
	if h.From != DefaultSysfsBTF || h.Entry != nil || !bytes.Equal(h.Raw, want) || !strings.Contains(h.Reason, "exists") {
		t.Fatalf("chose %s: %s", h.From, h.Reason)
	}
}

// TestForHostArchive simulates hosts without sysfs BTF, against a tree and
// a pack named as btfhub-archive names things.
func TestForHostArchive(t *testing.T) {
	in, dir := t.TempDir(), t.TempDir()
	k1, k2, k3 := variant(t, kernel61, 0), variant(t, kernel61, 2), variant(t, kernel61, 4)
	add := func(distro, version, arch, rel string, raw []byte) {
		t.Helper()
		p := writeFile(t, in, rel+".btf", raw)
		if _, err := Add(dir, []string{p}, &AddOptions{Distro: distro, Version: version, Arch: arch}); err != nil {
			t.Fatal(err)
		}
	}
	add("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", k1)
	add("debian", "bullseye", "arm64", "5.10.0-20-arm64", k2)
	add("ubuntu", "20.04", "x86_64", "5.4.0-100-generic", k3)
	pack := filepath.Join(t.TempDir(), "a.pack")
	tr, _ := OpenTree(dir)
	f, _ := os.Create(pack)
	if err := WritePack(f, tr); err != nil {
		t.Fatal(err)
	}
	f.Close()

	osRelease := func(id, version string) string {
		return writeFile(t, t.TempDir(), "os-release", []byte("NAME=x\nID="+id+"\nVERSION_ID=\""+version+"\"\n"))
	}
	tests := []struct {
		name, id, version, release, machine string
		want                                []byte
		why                                 string
	}{
		{"7.9 is 7", "centos", "7.9", "3.10.0-1160.el7.x86_64", "x86_64", k1, `major version "7"`},
		{"11 is bullseye, aarch64 is arm64", "debian", "11", "5.10.0-20-arm64", "aarch64", k2, "machine aarch64 is arch arm64"},
		{"exact", "ubuntu", "20.04", "5.4.0-100-generic", "x86_64", k3, `VERSION_ID "20.04"`},
		{"by release", "pop", "20.04", "5.4.0-100-generic", "x86_64", k3, "found by release"},
		{"none", "ubuntu", "20.04", "5.4.0-101-generic", "x86_64", nil, "no BTF for this host"},
	}
	for _, archive := range []string{dir, pack} {
		for _, tt := range tests {
			t.Run(filepath.Base(archive)+"/"+tt.name, func(t *testing.T) {
				h, err := ForHost(&HostOptions{
					SysfsBTF: filepath.Join(t.TempDir(), "no-vmlinux"),
					Archive:  archive,
					Host:     index.HostSources{OSRelease: osRelease(tt.id, tt.version), Release: tt.release, Machine: tt.machine},
				})
				if tt.want == nil {
					if err == nil || !strings.Contains(err.Error(), tt.why) {
						t.Fatalf("err = %v, want %q", err, tt.why)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(h.Raw, tt.want) || !strings.Contains(h.Reason, tt.why) || !strings.Contains(h.Reason, "does not exist") {
					t.Fatalf("chose %s: %s", h.From, h.Reason)
				}
			})
		}
	}
}
