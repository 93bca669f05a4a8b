package btf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

var byteOrders = []binary.ByteOrder{binary.LittleEndian, binary.BigEndian}

func orderName(bo binary.ByteOrder) string {
	if bo == binary.BigEndian {
		return "be"
	}
	return "le"
}

// kernelSpec decodes a testdata kernel.
func kernelSpec(tb testing.TB, name string) *Spec {
	tb.Helper()
	s, err := Decode(testutil.KernelBTF(tb, name), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestMarshalELFRoundTrip checks that LoadSpec reads back what MarshalELF
// writes, in both byte orders, and that Marshal of the result gives the
// same raw BTF.
func TestMarshalELFRoundTrip(t *testing.T) {
	for _, k := range testutil.Kernels {
		s := kernelSpec(t, k)
		for _, bo := range byteOrders {
			t.Run(k+"/"+orderName(bo), func(t *testing.T) {
				data, err := s.MarshalELF(bo)
				if err != nil {
					t.Fatal(err)
				}
				f, err := elf.NewFile(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if f.Class != elf.ELFCLASS64 || f.ByteOrder != bo || f.Type != elf.ET_REL {
					t.Errorf("ELF class %v, order %v, type %v", f.Class, f.ByteOrder, f.Type)
				}
				// cilium/ebpf's loadSpecFromELF fails unless debug/elf
				// reads a symbol table.
				if syms, err := f.Symbols(); err != nil || len(syms) != 0 {
					t.Errorf("Symbols: %d symbols, %v; want none and no error", len(syms), err)
				}
				path := filepath.Join(t.TempDir(), "vmlinux")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				got, err := LoadSpec(path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.ByteOrder() != bo {
					t.Errorf("byte order %v, want %v", got.ByteOrder(), bo)
				}
				if !bytes.Equal(got.Marshal(nil), s.Marshal(bo)) {
					t.Error("Marshal of the spec read from the ELF file differs")
				}
				// The same through a reader that does not tell its size.
				got, err = LoadSpecFromReader(sizelessReader{bytes.NewReader(data)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.NumTypes() != s.NumTypes() {
					t.Errorf("%d types, want %d", got.NumTypes(), s.NumTypes())
				}
			})
		}
	}
}

// TestELFClasses checks reading .BTF from ELF32 and ELF64 files of both byte
// orders, with BTF of either order.
func TestELFClasses(t *testing.T) {
	raw := smallSpec(t)
	for _, class := range []elf.Class{elf.ELFCLASS32, elf.ELFCLASS64} {
		for _, elfOrder := range byteOrders {
			for _, btfOrder := range byteOrders {
				name := class.String() + "/" + orderName(elfOrder) + "/btf-" + orderName(btfOrder)
				t.Run(name, func(t *testing.T) {
					data := wrapELF(raw.Marshal(btfOrder), class, elfOrder)
					f, err := elf.NewFile(bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					if f.Class != class || f.ByteOrder != elfOrder {
						t.Fatalf("debug/elf reads class %v order %v", f.Class, f.ByteOrder)
					}
					got, err := LoadSpecFromReader(bytes.NewReader(data), nil)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Marshal(btfOrder), raw.Marshal(btfOrder)) {
						t.Error("spec differs")
					}
				})
			}
		}
	}
}

// smallSpec returns a small spec for tests that need many files.
func smallSpec(t *testing.T) *Spec {
	t.Helper()
	b := NewBuilder(nil)
	i := b.AddInt("int", 4, IntSigned, 32)
	b.AddPointer(i)
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sizelessReader hides the Size method of the reader it wraps.
type sizelessReader struct{ r io.ReaderAt }

func (s sizelessReader) ReadAt(p []byte, off int64) (int, error) { return s.r.ReadAt(p, off) }

// setSection rewrites field values of section i's header in an ELF64 file
// written by wrapELF.
func setSection(data []byte, i int, typ elf.SectionType, flags elf.SectionFlag, off, size uint64) []byte {
	data = bytes.Clone(data)
	bo := binary.LittleEndian
	shoff := bo.Uint64(data[40:])
	h := data[shoff+uint64(i)*64:]
	if typ != 0 {
		bo.PutUint32(h[4:], uint32(typ))
	}
	bo.PutUint64(h[8:], uint64(flags))
	if off != 0 {
		bo.PutUint64(h[24:], off)
	}
	if size != 0 {
		bo.PutUint64(h[32:], size)
	}
	return data
}

// TestLoadELFErrors checks that bad ELF input gives errors that name the
// section and wrap the right sentinel, and never allocates by an unchecked
// size.
func TestLoadELFErrors(t *testing.T) {
	good := wrapELF(smallSpec(t).Marshal(binary.LittleEndian), elf.ELFCLASS64, binary.LittleEndian)
	noBTF := bytes.Clone(good)
	// Rename .BTF to .BTX in the string table.
	copy(noBTF[bytes.Index(noBTF, []byte("\x00.BTF\x00"))+1:], ".BTX")
	badBTF := bytes.Clone(good)
	badBTF[64+24] = 'x' // first type's name offset: out of range

	tests := []struct {
		name     string
		data     []byte
		sizeless bool
		want     error
		contains string
	}{
		{"no .BTF", noBTF, false, ErrNoBTFSection, ""},
		{"NOBITS", setSection(good, 1, elf.SHT_NOBITS, 0, 0, 0), false, ErrTruncated, "SHT_NOBITS"},
		{"compressed", setSection(good, 1, 0, elf.SHF_COMPRESSED, 0, 0), false, ErrUnsupported, "compressed"},
		{"past the end", setSection(good, 1, 0, 0, 0, uint64(len(good))), false, ErrTruncated, "past the end of the file"},
		{"huge", setSection(good, 1, 0, 0, 0, 1<<40), false, ErrUnsupported, "larger than"},
		{"huge offset", setSection(good, 1, 0, 0, 1<<63, 0), false, nil, "reading ELF"},
		{"past the end, size unknown", setSection(good, 1, 0, 0, 0, 1<<29), true, ErrTruncated, ".BTF"},
		{"bad BTF", badBTF, false, ErrBadString, "ELF section .BTF at file offset 0x40"},
		{"truncated ELF", good[:100], false, nil, "reading ELF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r io.ReaderAt = bytes.NewReader(tt.data)
			if tt.sizeless {
				r = sizelessReader{r}
			}
			_, err := LoadSpecFromReader(r, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", err, tt.contains)
			}
		})
	}

	path := filepath.Join(t.TempDir(), "nobtf.o")
	if err := os.WriteFile(path, noBTF, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSpec(path, nil); !errors.Is(err, ErrNoBTFSection) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadSpec: %v, want an error naming the file and wrapping ErrNoBTFSection", err)
	}
	if _, err := ReadELFSection(bytes.NewReader(good), SectionBTFExt); !errors.Is(err, ErrNoExtSection) {
		t.Errorf("ReadELFSection(.BTF.ext): %v, want ErrNoExtSection", err)
	}
	if _, err := ReadELFSection(bytes.NewReader(good), ".text"); err == nil || !strings.Contains(err.Error(), ".text") {
		t.Errorf("ReadELFSection(.text): %v", err)
	}
}

// TestMarshalELFBpftool checks that bpftool dumps the ELF file MarshalELF
// writes exactly as it dumps the raw BTF, for both byte orders.
func TestMarshalELFBpftool(t *testing.T) {
	bpftool := testutil.RequireTool(t, "bpftool")
	for _, k := range testutil.Kernels {
		raw := testutil.KernelBTFFile(t, k)
		want, err := exec.Command(bpftool, "btf", "dump", "file", raw).Output()
		if err != nil {
			t.Fatalf("bpftool btf dump file %s: %v", raw, err)
		}
		s := kernelSpec(t, k)
		for _, bo := range byteOrders {
			data, err := s.MarshalELF(bo)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), k+".o")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := exec.Command(bpftool, "btf", "dump", "file", path).Output()
			if err != nil {
				t.Fatalf("%s/%s: bpftool btf dump file: %v", k, orderName(bo), err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s: bpftool dumps the ELF file differently from the raw BTF", k, orderName(bo))
			}
		}
	}
}

// TestMarshalELFLibbpf checks that libbpf's btf__parse reads the ELF files
// MarshalELF writes with the right number of types. It builds
// testdata/btf_parse.c against libbpf-dev.
func TestMarshalELFLibbpf(t *testing.T) {
	cc := testutil.RequireTool(t, "cc")
	if _, err := os.Stat("/usr/include/bpf/btf.h"); err != nil {
		testutil.Missing(t, "libbpf-dev is not installed: %v", err)
	}
	dir := t.TempDir()
	prog := filepath.Join(dir, "btf_parse")
	if out, err := exec.Command(cc, "-o", prog, filepath.Join("testdata", "btf_parse.c"), "-lbpf").CombinedOutput(); err != nil {
		t.Fatalf("building btf_parse: %v\n%s", err, out)
	}
	for _, k := range testutil.Kernels {
		s := kernelSpec(t, k)
		var paths []string
		for _, bo := range byteOrders {
			data, err := s.MarshalELF(bo)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, k+"."+orderName(bo)+".o")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		out, err := exec.Command(prog, paths...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: btf_parse: %v\n%s", k, err, out)
		}
		counts := strings.Fields(string(out))
		if len(counts) != len(paths) {
			t.Fatalf("%s: btf_parse printed %q", k, out)
		}
		for i, c := range counts {
			n, err := strconv.Atoi(c)
			if err != nil || n != s.NumTypes() {
				t.Errorf("%s: libbpf reads %s types from %s, want %d", k, c, filepath.Base(paths[i]), s.NumTypes())
			}
		}
	}
}

// TestLoadObjcopyELF checks reading .BTF from ELF files that another tool
// wrote: llvm-objcopy wrapping raw BTF in ELF of several classes and byte
// orders.
func TestLoadObjcopyELF(t *testing.T) {
	objcopy := testutil.RequireTool(t, "llvm-objcopy")
	s := smallSpec(t)
	for _, target := range []struct {
		name string
		bo   binary.ByteOrder
	}{
		{"elf64-x86-64", binary.LittleEndian},
		{"elf32-i386", binary.LittleEndian},
		{"elf64-powerpc", binary.BigEndian},
		{"elf32-powerpc", binary.BigEndian},
	} {
		t.Run(target.name, func(t *testing.T) {
			dir := t.TempDir()
			raw := filepath.Join(dir, "raw.btf")
			if err := os.WriteFile(raw, s.Marshal(target.bo), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "btf.o")
			cmd := exec.Command(objcopy, "-I", "binary", "-O", target.name, "--rename-section", ".data=.BTF", raw, out)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", cmd, err, msg)
			}
			got, err := LoadSpec(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Marshal(nil), s.Marshal(target.bo)) {
				t.Error("spec differs")
			}
		})
	}
}

// BenchmarkLoadELF reads a kernel's BTF from the ELF file MarshalELF
// writes.
func BenchmarkLoadELF(b *testing.B) {
	data, err := kernelSpec(b, testutil.Kernels[0]).MarshalELF(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := LoadSpecFromReader(bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalELF writes a kernel's BTF as an ELF file.
func BenchmarkMarshalELF(b *testing.B) {
	s := kernelSpec(b, testutil.Kernels[0])
	b.SetBytes(int64(s.MarshalSize()))
	for b.Loop() {
		if _, err := s.MarshalELF(nil); err != nil {
			b.Fatal(err)
		}
	}
}
