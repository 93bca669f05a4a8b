package minimize_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/minimize"
)

// objectFile returns the path of one libbpf-tools object; when it is not
// there the test is skipped, or fails in CI.
func objectFile(t *testing.T, name string) string {
	t.Helper()
	for _, p := range testutil.LibbpfToolsObjectFiles(t) {
		if filepath.Base(p) == name {
			return p
		}
	}
	testutil.Missing(t, "no %s in libbpf-tools (a different version of the Debian package?)", name)
	return ""
}

func kernelTarget(t *testing.T) *corerel.Target {
	t.Helper()
	s, err := btf.LoadSpec(testutil.KernelBTFFile(t, testutil.Kernels[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	target, err := corerel.NewTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// TestBadInput checks that each kind of bad input gets an error that
// names it and wraps the sentinel callers branch on.
func TestBadInput(t *testing.T) {
	obj := objectFile(t, "biolatency.bpf.o")
	dir := t.TempDir()
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("no .BTF.ext", func(t *testing.T) {
		objcopy := testutil.RequireTool(t, "llvm-objcopy")
		stripped := filepath.Join(dir, "noext.bpf.o")
		if out, err := exec.Command(objcopy, "--remove-section=.BTF.ext", obj, stripped).CombinedOutput(); err != nil {
			t.Fatalf("llvm-objcopy: %v\n%s", err, out)
		}
		objs, err := minimize.OpenObjects(stripped)
		if err != nil {
			t.Fatal(err)
		}
		_, err = minimize.MinimizeObjects(kernelTarget(t), objs)
		if !errors.Is(err, minimize.ErrNoCORE) || !strings.Contains(err.Error(), stripped) || !strings.Contains(err.Error(), ".BTF.ext") {
			t.Fatalf("got %v, want ErrNoCORE naming %s and .BTF.ext", err, stripped)
		}
	})

	t.Run("target lacks a type", func(t *testing.T) {
		// A BTF with the types every C program has, and no kernel type.
		b := btf.NewBuilder(nil)
		b.AddInt("int", 4, btf.IntSigned, 32)
		b.AddInt("long unsigned int", 8, 0, 64)
		s, err := b.Spec()
		if err != nil {
			t.Fatal(err)
		}
		target, err := corerel.NewTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := minimize.OpenObjects(obj)
		if err != nil {
			t.Fatal(err)
		}
		_, err = minimize.MinimizeObjects(target, objs)
		if !errors.Is(err, minimize.ErrMissingType) || !strings.Contains(err.Error(), obj) {
			t.Fatalf("got %v, want ErrMissingType naming %s", err, obj)
		}
		t.Log(err)
	})

	t.Run("corrupt object", func(t *testing.T) {
		for _, c := range []struct {
			name string
			data []byte
		}{
			{"truncated", data[:len(data)/2]},
			{"not an object", []byte("not an ELF file at all")},
			{"empty", nil},
		} {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".o")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := minimize.OpenObjects(p)
			if err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("%s: got %v, want an error naming %s", c.name, err, p)
			}
			t.Logf("%s: %v", c.name, err)
		}
		// Damage inside the BTF: the header's string length past the end.
		bad := append([]byte(nil), data...)
		f, err := corerel.Open(bad)
		if err != nil || f.BTF == nil {
			t.Fatal(err)
		}
		i := strings.Index(string(bad), "\x9f\xeb\x01\x00")
		if i < 0 {
			t.Fatal("no BTF header found")
		}
		bad[i+20], bad[i+21], bad[i+22], bad[i+23] = 0xff, 0xff, 0xff, 0x7f
		p := filepath.Join(dir, "badbtf.o")
		if err := os.WriteFile(p, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := minimize.OpenObjects(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("damaged .BTF: got %v, want an error naming %s", err, p)
		} else {
			t.Logf("damaged .BTF: %v", err)
		}
	})

	t.Run("no object", func(t *testing.T) {
		if _, err := minimize.Minimize(kernelTarget(t).VMLinux); err == nil {
			t.Fatal("minimizing for no object succeeded")
		}
	})
}
