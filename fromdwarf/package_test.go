package fromdwarf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/pkgread"
)

// TestEncodePackage reads a vmlinux out of a .deb built by dpkg-deb with
// the shared package reader, and encodes it: the BTF must be the same as
// that of the file itself.
func TestEncodePackage(t *testing.T) {
	dpkg := testutil.RequireTool(t, "dpkg-deb")
	dir := t.TempDir()
	root := filepath.Join(dir, "pkg")
	elf := readTestdata(t, "kinds-gcc-dwarf4.o")
	for path, data := range map[string][]byte{
		"DEBIAN/control":                        []byte("Package: linux-image-1.0.0-test-dbg\nVersion: 1.0\nArchitecture: amd64\nMaintainer: btfhub <btfhub@example.org>\nDescription: test\n"),
		"usr/lib/debug/boot/vmlinux-1.0.0-test": elf,
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(dir, "test.deb")
	if out, err := exec.Command(dpkg, "-Zxz", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, out)
	}
	f, err := os.Open(deb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := pkgread.ReadVmlinux(f, deb, pkgread.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Release != "1.0.0-test" {
		t.Errorf("release %q", k.Release)
	}
	fromPkg, _, err := EncodeBytes(k.ELF, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, _, err := EncodeBytes(elf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromPkg.Marshal(nil), fromFile.Marshal(nil)) {
		t.Error("BTF from the package differs from the BTF of the file")
	}
	if fromFile.NumTypes() < 50 {
		t.Errorf("only %d types", fromFile.NumTypes())
	}
}

// TestDeterministic encodes with 1 and 4 jobs: the bytes must be equal.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		in := readTestdata(t, name)
		var prev []byte
		for _, jobs := range []int{1, 4} {
			for _, noDedup := range []bool{false, true} {
				s, _, err := EncodeBytes(in, &Options{Jobs: jobs, NoDedup: noDedup})
				if err != nil {
					t.Fatal(err)
				}
				b := s.Marshal(nil)
				if noDedup {
					continue
				}
				if prev != nil && !bytes.Equal(prev, b) {
					t.Errorf("%s: output with %d jobs differs", name, jobs)
				}
				prev = b
			}
		}
	}
}
