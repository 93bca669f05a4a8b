package objects_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/objects"
)

// FuzzFind checks that Find never panics and that what it returns is
// consistent: objects in order, not overlapping, each the input's bytes at
// its offset, each starting with a BPF relocatable ELF header, and each
// found again, alone, by Find on its own bytes.
func FuzzFind(f *testing.F) {
	f.Add([]byte{})
	f.Add(bpfObject(elf.ELFCLASS64, binary.LittleEndian, "code"))
	f.Add(bpfObject(elf.ELFCLASS32, binary.BigEndian, "code"))
	f.Add(append([]byte("junk\x7fELF"), bpfObject(elf.ELFCLASS64, binary.BigEndian, "x")...))
	seeds, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "objects", "*.bpf.o"))
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, _ := objects.Find(data)
		end := int64(0)
		names := map[string]bool{}
		for _, o := range objs {
			if o.Offset < end {
				t.Fatalf("object at %d overlaps the previous one, which ends at %d", o.Offset, end)
			}
			end = o.Offset + int64(len(o.Data))
			if end > int64(len(data)) || !bytes.Equal(data[o.Offset:end], o.Data) {
				t.Fatalf("object at %d is not the input's bytes", o.Offset)
			}
			if names[o.Name] {
				t.Fatalf("duplicate name %q", o.Name)
			}
			names[o.Name] = true
			if len(o.Data) < 52 || string(o.Data[:4]) != elf.ELFMAG {
				t.Fatalf("object at %d does not start with an ELF header", o.Offset)
			}
			again, err := objects.Find(o.Data)
			if err != nil || len(again) != 1 || len(again[0].Data) != len(o.Data) {
				t.Fatalf("object at %d: Find on its own bytes gives %d objects, %v", o.Offset, len(again), err)
			}
		}
	})
}
