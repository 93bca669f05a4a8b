package btf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestLoadXZ checks that LoadSpec and LoadSpecFromStream read raw BTF and
// ELF files, plain and xz-compressed, to the same spec; that a base and
// decoding options are passed on; and that the bound and the magic checks
// stop bad streams early with errors that say where.
func TestLoadXZ(t *testing.T) {
	dir := t.TempDir()
	name := testutil.Kernels[0]
	raw := testutil.KernelBTF(t, name)
	want := kernelSpec(t, name)
	elfData, err := want.MarshalELF(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		data []byte
	}{
		{"k.btf", raw},
		{"k.btf.xz", testutil.XZ(t, raw)},
		{"k.o", elfData},
		{"k.o.xz", testutil.XZ(t, elfData)},
	} {
		p := filepath.Join(dir, c.file)
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := LoadSpec(p, nil)
		if err != nil || !bytes.Equal(s.Marshal(nil), raw) {
			t.Errorf("LoadSpec(%s): %v, or not the kernel's BTF", c.file, err)
		}
		s, err = LoadSpecFromStream(bytes.NewReader(c.data), nil)
		if err != nil || !bytes.Equal(s.Marshal(nil), raw) {
			t.Errorf("LoadSpecFromStream(%s): %v, or not the kernel's BTF", c.file, err)
		}
	}
	zeros := filepath.Join(dir, "zeros.xz")
	os.WriteFile(zeros, testutil.XZ(t, make([]byte, 1<<20)), 0o644)
	if _, err := LoadSpec(zeros, nil); err == nil || err.Error() != zeros+": xz: btf: offset 0x0: bad magic 0x0000" {
		t.Errorf("zeros: %v", err)
	}
	if _, err := LoadSpec(filepath.Join(dir, "k.btf.xz"), &LoadOptions{MaxSize: 1 << 20}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit 1 MiB: %v", err)
	}
	if _, err := LoadSpec(filepath.Join(dir, "k.o.xz"), &LoadOptions{MaxSize: 1 << 20}); !errors.Is(err, ErrTooLargeInput) || !strings.HasPrefix(err.Error(), filepath.Join(dir, "k.o.xz")+": xz: ELF file") {
		t.Errorf("ELF, limit 1 MiB: %v", err)
	}
	// A split spec over its base, through the options.
	b := NewBuilder(want)
	b.AddPointer(1)
	split, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	sp := filepath.Join(dir, "split.btf.xz")
	os.WriteFile(sp, testutil.XZ(t, split.Marshal(nil)), 0o644)
	got, err := LoadSpec(sp, &LoadOptions{Base: want})
	if err != nil || got.NumTypes() != 1 || got.Base() != want {
		t.Errorf("split: %v", err)
	}
}

// TestLoadKernelSpec reads the running kernel's BTF.
func TestLoadKernelSpec(t *testing.T) {
	if _, err := os.Stat(KernelBTFPath); err != nil {
		testutil.Missing(t, "the running kernel has no BTF: %v", err)
	}
	s, err := LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TypeByName("task_struct", KindStruct); err != nil {
		t.Errorf("task_struct: %v", err)
	}
}
