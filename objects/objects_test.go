package objects_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/objects"
)

// TestLibbpfTools checks Find on the real binaries of Debian's libbpf-tools:
// every binary holds at least one BPF object, each object is a whole ELF
// file whose .BTF decodes, and bpftool reads its BTF.
func TestLibbpfTools(t *testing.T) {
	bins := testutil.LibbpfTools(t)
	if len(bins) < 10 {
		t.Fatalf("only %d distinct libbpf-tools binaries", len(bins))
	}
	for _, b := range bins {
		if len(b.Objects) == 0 {
			t.Errorf("%s: no BPF object found", b.Path)
			continue
		}
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range b.Objects {
			if !bytes.Equal(data[o.Offset:o.Offset+int64(len(o.Data))], o.Data) {
				t.Errorf("%s: %s: Data is not the binary's bytes at offset %#x", b.Path, o.Name, o.Offset)
			}
			if !strings.HasSuffix(o.Name, ".bpf.o") || strings.Contains(o.Name, "/") {
				t.Errorf("%s: bad object name %q", b.Path, o.Name)
			}
			f, err := elf.NewFile(bytes.NewReader(o.Data))
			if err != nil {
				t.Errorf("%s: %s: %v", b.Path, o.Name, err)
				continue
			}
			if f.Machine != elf.EM_BPF || f.Type != elf.ET_REL {
				t.Errorf("%s: %s: machine %v, type %v", b.Path, o.Name, f.Machine, f.Type)
			}
			// The object ends exactly where its last part ends: its
			// section header table, or a section after it.
			end := uint64(0)
			for _, s := range f.Sections {
				if s.Type != elf.SHT_NOBITS {
					end = max(end, s.Offset+s.FileSize)
				}
			}
			if end > uint64(len(o.Data)) {
				t.Errorf("%s: %s: section ends at %d past the object's %d bytes", b.Path, o.Name, end, len(o.Data))
			}
			spec, err := btf.LoadSpecFromReader(bytes.NewReader(o.Data), nil)
			if err != nil {
				t.Errorf("%s: %s: %v", b.Path, o.Name, err)
				continue
			}
			if spec.NumTypes() == 0 {
				t.Errorf("%s: %s: .BTF has no types", b.Path, o.Name)
			}
		}
	}
}

// TestLibbpfToolsNames checks that objects are named after the source file
// their line info points to: the tool's own name when the object's strings
// hold "<tool>.bpf.c", else another source (killsnoop is built from
// sigsnoop.bpf.c, ext4dist from fsdist.bpf.c) that the strings hold.
func TestLibbpfToolsNames(t *testing.T) {
	for _, b := range testutil.LibbpfTools(t) {
		for _, o := range b.Objects {
			stem := strings.TrimSuffix(o.Name, ".bpf.o")
			if !bytes.Contains(o.Data, []byte("/"+stem+".bpf.c\x00")) {
				t.Errorf("%s: object named %q, but its strings do not hold %s.bpf.c", b.Path, o.Name, stem)
			}
			tool := filepath.Base(b.Path)
			if bytes.Contains(o.Data, []byte("/"+tool+".bpf.c\x00")) && stem != tool {
				t.Errorf("%s: object named %q, not after %s.bpf.c", b.Path, o.Name, tool)
			}
		}
	}
}

// TestLibbpfToolsBpftool checks that bpftool reads the BTF of every object
// Find extracts.
func TestLibbpfToolsBpftool(t *testing.T) {
	bpftool := testutil.RequireTool(t, "bpftool")
	paths := testutil.LibbpfToolsObjectFiles(t)
	for _, p := range paths {
		out, err := exec.Command(bpftool, "btf", "dump", "file", p).CombinedOutput()
		if err != nil {
			t.Errorf("bpftool btf dump file %s: %v\n%s", filepath.Base(p), err, out)
			continue
		}
		if !bytes.Contains(out, []byte("] FUNC '")) {
			t.Errorf("bpftool btf dump file %s: no FUNC in the dump", filepath.Base(p))
		}
	}
}

// TestFindObjectFile checks that a BPF object on its own is one object.
func TestFindObjectFile(t *testing.T) {
	objs := testutil.LibbpfToolsObjects(t)
	o := objs[0]
	got, err := objects.Find(o.Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Offset != 0 || !bytes.Equal(got[0].Data, o.Data) || got[0].Name != o.Name {
		t.Fatalf("Find of object %s gave %d objects, first %q at %d", o.Name, len(got), got[0].Name, got[0].Offset)
	}
}

// elfSection is a section for makeELF.
type elfSection struct {
	name string
	typ  elf.SectionType
	data []byte
}

// makeELF builds a small ELF file: header, section contents, a section name
// table and the section header table.
func makeELF(class elf.Class, bo binary.ByteOrder, typ elf.Type, machine elf.Machine, secs []elfSection) []byte {
	ehsize, shsize := 64, 64
	if class == elf.ELFCLASS32 {
		ehsize, shsize = 52, 40
	}
	names := []byte{0}
	secs = append(secs, elfSection{name: ".shstrtab", typ: elf.SHT_STRTAB})
	nameOffs := make([]int, len(secs))
	for i, s := range secs {
		nameOffs[i] = len(names)
		names = append(names, s.name...)
		names = append(names, 0)
	}
	secs[len(secs)-1].data = names
	buf := make([]byte, ehsize)
	offs := make([]int, len(secs))
	for i, s := range secs {
		for len(buf)%8 != 0 {
			buf = append(buf, 0)
		}
		offs[i] = len(buf)
		if s.typ != elf.SHT_NOBITS {
			buf = append(buf, s.data...)
		}
	}
	for len(buf)%8 != 0 {
		buf = append(buf, 0)
	}
	shoff := len(buf)
	buf = append(buf, make([]byte, shsize*(len(secs)+1))...)
	copy(buf, elf.ELFMAG)
	buf[elf.EI_CLASS] = byte(class)
	buf[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if bo == binary.BigEndian {
		buf[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	buf[elf.EI_VERSION] = 1
	bo.PutUint16(buf[16:], uint16(typ))
	bo.PutUint16(buf[18:], uint16(machine))
	bo.PutUint32(buf[20:], 1)
	shnum, shstrndx := uint16(len(secs)+1), uint16(len(secs))
	if class == elf.ELFCLASS64 {
		bo.PutUint64(buf[40:], uint64(shoff))
		bo.PutUint16(buf[52:], uint16(ehsize))
		bo.PutUint16(buf[58:], uint16(shsize))
		bo.PutUint16(buf[60:], shnum)
		bo.PutUint16(buf[62:], shstrndx)
	} else {
		bo.PutUint32(buf[32:], uint32(shoff))
		bo.PutUint16(buf[40:], uint16(ehsize))
		bo.PutUint16(buf[46:], uint16(shsize))
		bo.PutUint16(buf[48:], shnum)
		bo.PutUint16(buf[50:], shstrndx)
	}
	for i, s := range secs {
		h := buf[shoff+shsize*(i+1):]
		bo.PutUint32(h[0:], uint32(nameOffs[i]))
		bo.PutUint32(h[4:], uint32(s.typ))
		if class == elf.ELFCLASS64 {
			bo.PutUint64(h[24:], uint64(offs[i]))
			bo.PutUint64(h[32:], uint64(len(s.data)))
			bo.PutUint64(h[48:], 1)
		} else {
			bo.PutUint32(h[16:], uint32(offs[i]))
			bo.PutUint32(h[20:], uint32(len(s.data)))
			bo.PutUint32(h[32:], 1)
		}
	}
	return buf
}

func bpfObject(class elf.Class, bo binary.ByteOrder, text string) []byte {
	return makeELF(class, bo, elf.ET_REL, elf.EM_BPF, []elfSection{
		{name: ".text", typ: elf.SHT_PROGBITS, data: []byte(text)},
		{name: ".bss", typ: elf.SHT_NOBITS, data: make([]byte, 100)},
	})
}

// TestFindHandMade checks Find on hand-built inputs: objects of every
// class and byte order embedded at odd offsets, ELF files that are not BPF
// objects, and truncated objects.
func TestFindHandMade(t *testing.T) {
	le64 := bpfObject(elf.ELFCLASS64, binary.LittleEndian, "le64 code")
	be64 := bpfObject(elf.ELFCLASS64, binary.BigEndian, "be64 code!")
	le32 := bpfObject(elf.ELFCLASS32, binary.LittleEndian, "le32")
	be32 := bpfObject(elf.ELFCLASS32, binary.BigEndian, "be32 code")
	x86 := makeELF(elf.ELFCLASS64, binary.LittleEndian, elf.ET_REL, elf.EM_X86_64, []elfSection{{name: ".text", typ: elf.SHT_PROGBITS, data: []byte("x")}})
	exec := makeELF(elf.ELFCLASS64, binary.LittleEndian, elf.ET_EXEC, elf.EM_BPF, nil)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	junk := []byte("\x7fELF\x7fEL junk \x7fELF\x02\x01\x01")

	type want struct {
		off  int
		data []byte
	}
	tests := []struct {
		name    string
		in      []byte
		want    []want
		wantErr bool
	}{
		{"empty", nil, nil, false},
		{"object alone", le64, []want{{0, le64}}, false},
		{"big endian", be64, []want{{0, be64}}, false},
		{"elf32", le32, []want{{0, le32}}, false},
		{"elf32 big endian", be32, []want{{0, be32}}, false},
		{"embedded", cat(junk, le64, junk), []want{{len(junk), le64}}, false},
		{"several", cat(x86, []byte("abc"), be64, le32, junk, be32),
			[]want{{len(x86) + 3, be64}, {len(x86) + 3 + len(be64), le32}, {len(x86) + 3 + len(be64) + len(le32) + len(junk), be32}}, false},
		{"not BPF", cat(x86, exec), nil, false},
		{"truncated", le64[:len(le64)-1], nil, true},
		{"truncated after a whole one", cat(be64, le64[:len(le64)-10]), []want{{0, be64}}, true},
		{"header only", le64[:64], nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := objects.Find(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d objects, want %d", len(got), len(tt.want))
			}
			names := map[string]bool{}
			for i, w := range tt.want {
				if got[i].Offset != int64(w.off) || !bytes.Equal(got[i].Data, w.data) {
					t.Errorf("object %d at %d with %d bytes, want at %d with %d", i, got[i].Offset, len(got[i].Data), w.off, len(w.data))
				}
				if names[got[i].Name] || got[i].Name == "" {
					t.Errorf("object %d: name %q not unique", i, got[i].Name)
				}
				names[got[i].Name] = true
			}
		})
	}
}

// TestFindFileAndExtract checks FindFile's names for objects that do not
// name themselves and that Extract writes each object whole.
func TestFindFileAndExtract(t *testing.T) {
	dir := t.TempDir()
	a := bpfObject(elf.ELFCLASS64, binary.LittleEndian, "first")
	b := bpfObject(elf.ELFCLASS64, binary.BigEndian, "second")
	bin := filepath.Join(dir, "mytool")
	if err := os.WriteFile(bin, bytes.Join([][]byte{[]byte("prefix"), a, b}, []byte("gap")), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := objects.FindFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].Name != "mytool.0.bpf.o" || objs[1].Name != "mytool.1.bpf.o" {
		t.Fatalf("got %d objects: %+v", len(objs), objs)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	paths, err := objects.Extract(objs, out)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, objs[i].Data) {
			t.Errorf("%s: contents differ", p)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("%d files in the output directory, want 2 (temporary files left?)", len(entries))
	}

	single := filepath.Join(dir, "one.bpf.o")
	if err := os.WriteFile(single, a, 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err = objects.FindFile(single)
	if err != nil || len(objs) != 1 || objs[0].Name != "one.bpf.o" {
		t.Fatalf("FindFile(%s) = %+v, %v", single, objs, err)
	}
	if _, err := objects.Extract([]objects.Object{{Name: "../x.bpf.o", Data: a}}, out); err == nil {
		t.Error("Extract accepted a name with a path")
	}
}

// BenchmarkFind scans a libbpf-tools executable for its objects.
func BenchmarkFind(b *testing.B) {
	bins := testutil.LibbpfTools(b)
	data, err := os.ReadFile(bins[0].Path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if objs, err := objects.Find(data); err != nil || len(objs) == 0 {
			b.Fatal(len(objs), err)
		}
	}
}
