package corerel_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// kconfigTestConfig is the config the hand-built object is relocated with.
var kconfigTestConfig = filepath.Join("testdata", "kconfig", "config")

// buildKconfigObject compiles testdata/kconfig/externs.c, which declares a
// Kconfig extern of every kind.
func buildKconfigObject(t *testing.T) string {
	t.Helper()
	clang := testutil.RequireTool(t, "clang")
	return clangBPF(t, clang, filepath.Join("testdata", "kconfig", "externs.c"), t.TempDir())
}

// testTarget returns the first testdata kernel as a target.
func testTarget(t *testing.T) *corerel.Target {
	t.Helper()
	spec, err := btf.LoadSpec(testutil.KernelBTFFile(t, testutil.Kernels[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	target, err := corerel.NewTarget(spec)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

func readConfig(t *testing.T) []byte {
	t.Helper()
	config, err := os.ReadFile(kconfigTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	return config
}

// TestKconfigValues checks the value each kind of extern of the
// hand-built object gets from testdata/kconfig/config and the first
// testdata kernel: integers in every base and sign, truncated strings, the
// first of two lines, weak externs the config lacks, the virtual LINUX_*
// externs. TestKconfigWriteLive checks the same values against libbpf.
func TestKconfigValues(t *testing.T) {
	obj, err := corerel.OpenFile(buildKconfigObject(t))
	if err != nil {
		t.Fatal(err)
	}
	target := testTarget(t)
	res, err := corerel.RelocateWithOptions(obj, target, &corerel.Options{Kconfig: readConfig(t), Release: "6.1.0-53-cloud-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	u16 := func(v uint16) []byte { return le.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return le.AppendUint64(nil, v) }
	s64 := int64(-1000000000000)
	want := map[string][]byte{
		"LINUX_KERNEL_VERSION":       u32(6<<16 | 1<<8),
		"LINUX_BTFHUB_UNKNOWN":       u32(0),
		"LINUX_HAS_BPF_COOKIE":       {1}, // Debian's 6.1 has bpf_get_attach_cookie
		"LINUX_HAS_SYSCALL_WRAPPER":  {1}, // and __x64_sys_bpf, and kprobe events
		"CONFIG_BTFHUB_BOOL":         {1},
		"CONFIG_BTFHUB_BOOL_OFF":     {0},
		"CONFIG_BTFHUB_TRISTATE":     u32(2), /* TRI_MODULE of enum libbpf_tristate */
		"CONFIG_BTFHUB_CHAR":         {'m'},
		"CONFIG_BTFHUB_U8":           {0377},
		"CONFIG_BTFHUB_S16":          u16(0xfffb),
		"CONFIG_BTFHUB_INT":          u32(1000),
		"CONFIG_BTFHUB_U64":          u64(0x123456789abcdef0),
		"CONFIG_BTFHUB_S64":          u64(uint64(s64)),
		"CONFIG_BTFHUB_STR":          []byte("btfhub-kconfig-\x00"),
		"CONFIG_BTFHUB_LONG_STR":     []byte("abcdefg\x00"),
		"CONFIG_BTFHUB_MISSING":      u32(0),
		"CONFIG_BTFHUB_MISSING_BOOL": {0},
		"CONFIG_BTFHUB_MISSING_STR":  {0, 0, 0, 0},
	}
	for _, e := range res.Externs() {
		w, ok := want[e.Name]
		switch {
		case !ok:
			t.Errorf("unexpected extern %s", e.Name)
		case !bytes.Equal(e.Value, w):
			t.Errorf("%s = %x, want %x", e.Name, e.Value, w)
		case e.Set != !(strings.Contains(e.Name, "MISSING") || e.Name == "LINUX_BTFHUB_UNKNOWN"):
			t.Errorf("%s: Set = %v", e.Name, e.Set)
		}
		delete(want, e.Name)
	}
	for name := range want {
		t.Errorf("extern %s not found", name)
	}
}

// TestKconfigWrite relocates the hand-built object and checks the object
// written: the new section holds KconfigData, the extern symbols are
// defined in it, .BTF describes it, the code is untouched, bpftool reads
// the BTF, and corerel reads the object back but refuses to relocate it
// again.
func TestKconfigWrite(t *testing.T) {
	path := buildKconfigObject(t)
	obj, err := corerel.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := corerel.RelocateWithOptions(obj, testTarget(t), &corerel.Options{Kconfig: readConfig(t), Release: "6.1.0-53-cloud-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := res.Object()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sec := f.Section(corerel.KconfigSection)
	if sec == nil {
		t.Fatalf("no %s section", corerel.KconfigSection)
	}
	body, err := sec.Data()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, res.KconfigData()) {
		t.Errorf("%s holds %x, want %x", sec.Name, body, res.KconfigData())
	}
	if sec.Type != elf.SHT_PROGBITS || sec.Flags != elf.SHF_ALLOC || sec.Addralign != 8 {
		t.Errorf("%s: type %v, flags %v, alignment %d", sec.Name, sec.Type, sec.Flags, sec.Addralign)
	}
	secIdx := -1
	for i, s := range f.Sections {
		if s == sec {
			secIdx = i
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]elf.Symbol{}
	for _, s := range syms {
		if _, dup := byName[s.Name]; dup && s.Name != "" {
			t.Errorf("symbol %s twice", s.Name)
		}
		byName[s.Name] = s
	}
	for _, e := range res.Externs() {
		s, ok := byName[e.Name]
		if !ok {
			t.Errorf("no symbol %s", e.Name)
			continue
		}
		if int(s.Section) != secIdx || s.Value != uint64(e.Offset) || s.Size != uint64(e.Size) ||
			elf.ST_BIND(s.Info) != elf.STB_GLOBAL || elf.ST_TYPE(s.Info) != elf.STT_OBJECT || elf.ST_VISIBILITY(s.Other) != elf.STV_HIDDEN {
			t.Errorf("symbol %s: section %d value %d size %d %v %v %v, want section %d value %d size %d GLOBAL OBJECT HIDDEN",
				e.Name, s.Section, s.Value, s.Size, elf.ST_BIND(s.Info), elf.ST_TYPE(s.Info), elf.ST_VISIBILITY(s.Other), secIdx, e.Offset, e.Size)
		}
	}

	// .BTF: the DATASEC describes the section; its VARs are global.
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spec.TypeByName(".kconfig", btf.KindDatasec); err == nil {
		t.Error("DATASEC .kconfig is still there")
	}
	ds, err := spec.TypeByName(corerel.KconfigSection, btf.KindDatasec)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Size() != uint32(len(body)) || ds.Vlen() != len(res.Externs()) {
		t.Errorf("DATASEC: size %d, %d variables; want %d, %d", ds.Size(), ds.Vlen(), len(body), len(res.Externs()))
	}
	for i := range ds.Vlen() {
		vs := ds.VarSecinfo(i)
		v, err := spec.Type(vs.Type)
		if err != nil {
			t.Fatal(err)
		}
		e := res.Externs()[i]
		if v.Name() != e.Name || vs.Offset != e.Offset || vs.Size != e.Size || v.Linkage() != btf.LinkageGlobal {
			t.Errorf("DATASEC variable #%d: %s at %d size %d linkage %v, want %s at %d size %d global",
				i, v.Name(), vs.Offset, vs.Size, v.Linkage(), e.Name, e.Offset, e.Size)
		}
	}
	if err := spec.ValidateObject(); err != nil {
		t.Error(err)
	}

	// No relocation of .BTF is left against the symbols: the offsets
	// they would fill in are filled, and the variables sorted.
	if rel := f.Section(".rel.BTF"); rel != nil {
		body, err := rel.Data()
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+16 <= len(body); off += 16 {
			sym := binary.LittleEndian.Uint64(body[off+8:]) >> 32
			if sym == 0 || sym > uint64(len(syms)) {
				t.Fatalf(".rel.BTF record #%d: symbol %d", off/16, sym)
			}
			if s := syms[sym-1]; int(s.Section) == secIdx {
				t.Errorf(".rel.BTF record #%d is against %s", off/16, s.Name)
			}
		}
	}

	// The code and every other section are those of the input.
	orig, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	for i, s := range orig.Sections {
		switch s.Name {
		case ".BTF", ".rel.BTF", ".symtab", ".strtab", ".shstrtab":
			continue
		}
		a, _ := s.Data()
		b, _ := f.Sections[i].Data()
		if f.Sections[i].Name != s.Name || !bytes.Equal(a, b) {
			t.Errorf("section %d (%s) differs from the input's (%s)", i, f.Sections[i].Name, s.Name)
		}
	}

	out := filepath.Join(t.TempDir(), "out.o")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if bpftool, err := exec.LookPath("bpftool"); err == nil {
		if msg, err := exec.Command(bpftool, "btf", "dump", "file", out).CombinedOutput(); err != nil {
			t.Errorf("bpftool btf dump file: %v\n%s", err, lastLines(msg, 5))
		}
	} else {
		testutil.RequireTool(t, "bpftool")
	}

	// Read back: no externs left, and relocating it again is refused.
	back, err := corerel.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := corerel.RelocateWithOptions(back, testTarget(t), &corerel.Options{Kconfig: readConfig(t), Release: "6.1.0-53-cloud-amd64"}); !errors.Is(err, corerel.ErrRelocated) {
		t.Errorf("relocating the output again: %v, want ErrRelocated", err)
	}
	if _, err := corerel.RelocateWithOptions(back, testTarget(t), &corerel.Options{KeepKconfig: true}); !errors.Is(err, corerel.ErrRelocated) {
		t.Errorf("relocating the output again with KeepKconfig: %v, want ErrRelocated", err)
	}
	r2, err := corerel.Relocate(back, testTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := r2.Object(); err != nil || !bytes.Equal(again, data) {
		t.Errorf("Relocate of the output changed it (err %v)", err)
	}
}

// TestKconfigWriteEdgeCases covers what is not written: kept externs,
// objects without externs, values the options lack, a relocation the
// loader would refuse, and the immediate of an extern's load.
func TestKconfigWriteEdgeCases(t *testing.T) {
	path := buildKconfigObject(t)
	input, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	target := testTarget(t)
	config := readConfig(t)
	full := corerel.Options{Kconfig: config, Release: "6.1.0-53-cloud-amd64"}
	open := func(t *testing.T, data []byte) *corerel.Object {
		t.Helper()
		obj, err := corerel.Open(data)
		if err != nil {
			t.Fatal(err)
		}
		return obj
	}
	// ldImm is the file offset of the first 64-bit load of the socket
	// section, which reads LINUX_KERNEL_VERSION.
	f, err := elf.NewFile(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	code := f.Section("socket")
	ldImm := -1
	for off := uint64(0); off < code.Size; off += corerel.InsnSize {
		if input[code.Offset+off] == 0x18 {
			ldImm = int(code.Offset + off)
			break
		}
	}
	if ldImm < 0 {
		t.Fatal("no 64-bit load in externs.c's program")
	}

	// An object with a section of the name corerel writes to was
	// relocated already, or cannot take the values.
	clang := testutil.RequireTool(t, "clang")
	taken := filepath.Join(t.TempDir(), "taken.o")
	cmd := exec.Command(clang, "-g", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-DBTFHUB_SECTION_TAKEN",
		"-c", filepath.Join("testdata", "kconfig", "externs.c"), "-o", taken)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, msg)
	}
	if obj, err := corerel.OpenFile(taken); err != nil {
		t.Fatal(err)
	} else if _, err := corerel.RelocateWithOptions(obj, target, &full); !errors.Is(err, corerel.ErrRelocated) {
		t.Errorf("object with a %s section: %v, want ErrRelocated", corerel.KconfigSection, err)
	}

	for _, tc := range []struct {
		name string
		opts corerel.Options
		edit func([]byte) // applied to a copy of the input
		err  error        // from RelocateWithOptions or Object
		kept bool         // the output is Relocate's: externs left to the loader
		imm  bool         // the output's first load has a zero immediate
	}{
		{name: "keep", opts: corerel.Options{KeepKconfig: true}, kept: true},
		{name: "keep ignores options", opts: corerel.Options{Kconfig: []byte("garbage"), KeepKconfig: true}, kept: true},
		{name: "no config", opts: corerel.Options{Release: "6.1.0"}, err: corerel.ErrKconfig},
		{name: "empty config", opts: corerel.Options{Kconfig: []byte{}, Release: "6.1.0"}, err: corerel.ErrKconfig},
		{name: "no release", opts: corerel.Options{Kconfig: config}, err: corerel.ErrKconfig},
		{name: "bad release", opts: corerel.Options{Kconfig: config, Release: "6.1"}, err: corerel.ErrKconfig},
		{name: "strong extern missing", opts: corerel.Options{Kconfig: bytes.ReplaceAll(config, []byte("CONFIG_BTFHUB_CHAR=m"), nil), Release: "6.1.0"}, err: corerel.ErrKconfig},
		{name: "value of the wrong kind", opts: corerel.Options{Kconfig: bytes.ReplaceAll(config, []byte("CONFIG_BTFHUB_BOOL=y"), []byte("CONFIG_BTFHUB_BOOL=2")), Release: "6.1.0"}, err: corerel.ErrKconfig},
		{name: "value too large", opts: corerel.Options{Kconfig: bytes.ReplaceAll(config, []byte("CONFIG_BTFHUB_U8=0377"), []byte("CONFIG_BTFHUB_U8=256")), Release: "6.1.0"}, err: corerel.ErrKconfig},
		{name: "immediate cleared", opts: full, edit: func(b []byte) { b[ldImm+4] = 4 }, imm: true},
		{name: "extern not loaded by ld_imm64", opts: full, edit: func(b []byte) { b[ldImm] = 0xb7 }, err: corerel.ErrBadObject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Clone(input)
			if tc.edit != nil {
				tc.edit(data)
			}
			obj := open(t, data)
			res, err := corerel.RelocateWithOptions(obj, target, &tc.opts)
			var out []byte
			if err == nil {
				out, err = res.Object()
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				t.Logf("%v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			plain, err := corerel.Relocate(open(t, data), target)
			if err != nil {
				t.Fatal(err)
			}
			plainOut, err := plain.Object()
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Equal(out, plainOut); got != tc.kept {
				t.Errorf("output equal to Relocate's: %v, want %v", got, tc.kept)
			}
			if tc.kept && res.Externs() != nil {
				t.Errorf("externs resolved: %v", res.Externs())
			}
			if tc.imm {
				g, err := elf.NewFile(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := g.Section("socket").Data()
				if imm := binary.LittleEndian.Uint32(body[ldImm-int(code.Offset)+4:]); imm != 0 {
					t.Errorf("immediate %d, want 0", imm)
				}
			}
		})
	}
}

// TestKconfigNoExterns checks that an object without Kconfig externs is
// written as before: RelocateWithOptions with no options is Relocate.
func TestKconfigNoExterns(t *testing.T) {
	target := testTarget(t)
	n := 0
	for _, o := range testutil.LibbpfToolsObjects(t) {
		obj, err := corerel.Open(o.Data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := obj.BTF.TypeByName(".kconfig", btf.KindDatasec); err == nil {
			continue
		}
		res, err := corerel.RelocateWithOptions(obj, target, &corerel.Options{})
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		plain, err := corerel.Relocate(obj, target)
		if err != nil {
			t.Fatal(err)
		}
		a, err := res.Object()
		if err != nil {
			t.Fatal(err)
		}
		b, err := plain.Object()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || res.Externs() != nil {
			t.Errorf("%s: RelocateWithOptions wrote another object than Relocate", o.Name)
		}
		n++
	}
	if n == 0 {
		t.Error("no object without externs")
	}
}
