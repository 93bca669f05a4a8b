package fromdwarf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestNotELF(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("not an ELF file at all"), []byte("\x7fELF")} {
		if _, _, err := EncodeBytes(in, nil); err == nil {
			t.Errorf("EncodeBytes(%q) succeeded", in)
		}
	}
}

func TestNoDWARF(t *testing.T) {
	_, _, err := EncodeBytes(readTestdata(t, "nodwarf.o"), nil)
	if !errors.Is(err, ErrNoDWARF) {
		t.Fatalf("got %v, want ErrNoDWARF", err)
	}
}

// TestTruncated cuts the seed objects at many lengths: each must give an
// error or a valid spec, never a panic.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		full := readTestdata(t, name)
		if _, _, err := EncodeBytes(full, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step := len(full)/300 + 1
		for n := 0; n < len(full); n += step {
			if _, _, err := EncodeBytes(full[:n:n], &Options{Jobs: 1}); err == nil && n < 64 {
				t.Errorf("%s cut at %d: no error", name, n)
			}
		}
	}
}

// TestCorrupt overwrites bytes all over the seed objects.
func TestCorrupt(t *testing.T) {
	for _, name := range []string{"kinds-gcc-dwarf4.o", "tags-clang-dwarf5.o"} {
		full := readTestdata(t, name)
		b := make([]byte, len(full))
		for i := 0; i < len(full); i += 7 {
			for _, v := range []byte{0x00, 0xff, 0x80} {
				copy(b, full)
				b[i] = v
				s, _, err := EncodeBytes(b, &Options{Jobs: 1})
				if err == nil && s == nil {
					t.Fatalf("%s: byte %d = %#x: nil spec and no error", name, i, v)
				}
			}
		}
	}
}

// TestWarningNamesDIE checks that DWARF the encoder cannot map gives a
// warning naming the CU and the DIE.
func TestWarningNamesDIE(t *testing.T) {
	c := &cuEnc{syms: &symbols{}, addrSize: 8, strIdx: map[uintptr]uint32{}}
	c.out = &cuOut{strs: [][]byte{nil}, name: "broken.c"}
	c.dies = []die{
		{off: 0x0b, tag: tagCompileUnit, children: true, end: 3, name: []byte("broken.c")},
		{off: 0x20, tag: tagPointerType, end: 2, has: hasType, typ: 0x9999},
		{off: 0x28, tag: tagTypedef, end: 3, has: hasType | hasName, typ: 0x20, name: []byte("ptr_t")},
	}
	c.indexDIEs(&unitHeader{off: 0, end: 0x30})
	c.encode()
	if len(c.out.warns) != 1 {
		t.Fatalf("got warnings %v, want one", c.out.warns)
	}
	var de *DIEError
	if !errors.As(c.out.warns[0], &de) || de.CU != "broken.c" || de.Offset != 0x20 || de.CUOffset != 0x0b {
		t.Fatalf("warning %v (%#v) does not name CU broken.c and DIE 0x20", c.out.warns[0], de)
	}
	if msg := de.Error(); !strings.Contains(msg, "broken.c") || !strings.Contains(msg, "0x20") || !strings.Contains(msg, "0x9999") {
		t.Errorf("message %q lacks the CU, DIE or reference", msg)
	}
	// The pointer became a pointer to void, and the typedef refers to it.
	if got := c.out.words[:6]; got[2] != 0 || got[3] != 1 || got[5] != 1 {
		t.Errorf("records %v: want PTR to void (id 1) and a typedef of id 1", c.out.words)
	}
}

// TestMalformedUnit breaks the first unit header of .debug_info: the error
// wraps ErrMalformed.
func TestMalformedUnit(t *testing.T) {
	in := readTestdata(t, "kinds-gcc-dwarf4.o")
	f, err := elf.NewFile(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	sec := f.Section(".debug_info")
	for _, length := range []uint32{0xfffffff0, 0x7fffffff, 2} {
		b := bytes.Clone(in)
		binary.LittleEndian.PutUint32(b[sec.Offset:], length)
		_, _, err := EncodeBytes(b, nil)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("unit length %#x: got %v, want ErrMalformed", length, err)
		}
	}
}
