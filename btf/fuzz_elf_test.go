package btf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// objectSeeds returns the bytes of the BPF objects in testdata/objects.
func objectSeeds(tb testing.TB) [][]byte {
	paths, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "objects", "*.bpf.o"))
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// FuzzLoadELF feeds arbitrary bytes to LoadSpecFromReader and LoadExt, as
// ELF files. What loads must survive MarshalELF and Marshal unchanged.
func FuzzLoadELF(f *testing.F) {
	small := allKinds(f)
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		data, err := small.MarshalELF(bo)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(wrapELF(small.Marshal(bo), elf.ELFCLASS32, bo))
	}
	if k, err := Decode(testutil.KernelBTF(f, testutil.Kernels[0]), nil); err == nil {
		data, _ := k.MarshalELF(nil)
		f.Add(data)
	}
	for _, o := range objectSeeds(f) {
		f.Add(o)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadSpecFromReader(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		raw := s.Marshal(nil)
		wrapped, err := s.MarshalELF(nil)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := LoadSpecFromReader(bytes.NewReader(wrapped), nil)
		if err != nil {
			t.Fatalf("loading MarshalELF's output: %v", err)
		}
		if !bytes.Equal(s2.Marshal(nil), raw) {
			t.Fatal("MarshalELF does not round-trip")
		}
		if e, err := LoadExt(bytes.NewReader(data), s); err == nil {
			checkExtRoundTrip(t, e, s)
		}
	})
}
