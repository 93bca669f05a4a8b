package btf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// compareWithBpftool checks that WriteText and WriteJSON print spec exactly
// as bpftool prints the BTF of the file at path: `bpftool btf dump file
// PATH` and `bpftool -j btf dump file PATH`, with `-B BASE` when base is not
// empty. spec must have been loaded from path (over base).
func compareWithBpftool(t *testing.T, path, base string, spec *Spec) {
	t.Helper()
	want := runBpftool(t, path, base, false)
	var got bytes.Buffer
	if err := WriteText(&got, spec); err != nil {
		t.Fatalf("WriteText: %v", err)
	}
	if err := firstLineDiff(got.Bytes(), want); err != nil {
		t.Errorf("WriteText differs from bpftool btf dump file %s: %v", path, err)
	}
	compareJSONWithBpftool(t, path, base, spec)
}

// runBpftool returns the output of bpftool's raw BTF dump of path.
func runBpftool(t *testing.T, path, base string, json bool) []byte {
	t.Helper()
	bpftool := testutil.RequireTool(t, "bpftool")
	var args []string
	if json {
		args = append(args, "-j")
	}
	if base != "" {
		args = append(args, "-B", base)
	}
	args = append(args, "btf", "dump", "file", path)
	cmd := exec.Command(bpftool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bpftool %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// firstLineDiff describes the first line where got and want differ, or
// returns nil when they are equal.
func firstLineDiff(got, want []byte) error {
	if bytes.Equal(got, want) {
		return nil
	}
	line := 1
	for {
		g, grest, gok := bytes.Cut(got, []byte("\n"))
		w, wrest, wok := bytes.Cut(want, []byte("\n"))
		if !bytes.Equal(g, w) || gok != wok {
			return fmt.Errorf("line %d:\n got: %.300q\nwant: %.300q", line, g, w)
		}
		if !gok {
			return fmt.Errorf("outputs differ after line %d", line)
		}
		got, want = grest, wrest
		line++
	}
}

// writeDumpInput writes data to a file in a test's temporary directory.
func writeDumpInput(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkMarshalRoundTrip checks that marshalling spec in its own byte order gives
// back raw, the BTF it was decoded from.
func checkMarshalRoundTrip(t *testing.T, spec *Spec, raw []byte) {
	t.Helper()
	if got := spec.Marshal(nil); !bytes.Equal(got, raw) {
		t.Errorf("Marshal after Decode: %d bytes differ from the %d input bytes", len(got), len(raw))
	}
}

func TestDumpKernels(t *testing.T) {
	type input struct {
		name string
		path string // raw BTF file
		be   bool   // compare the big-endian encoding as well
	}
	var inputs []input
	for _, k := range testutil.Kernels {
		inputs = append(inputs, input{name: k, path: testutil.KernelBTFFile(t, k), be: k == testutil.Kernels[0]})
	}
	const sysfs = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(sysfs); err == nil {
		inputs = append(inputs, input{name: "sysfs", path: sysfs})
	} else {
		t.Logf("%s: %v; not compared", sysfs, err)
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			raw, err := os.ReadFile(in.path)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Decode(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkMarshalRoundTrip(t, spec, raw)
			compareWithBpftool(t, in.path, "", spec)
			if !in.be {
				return
			}
			// The same BTF in big-endian: libbpf 1.1 swaps it when it
			// reads it, and we must print the same.
			be := spec.Marshal(binary.BigEndian)
			beSpec, err := Decode(be, nil)
			if err != nil {
				t.Fatalf("decoding big-endian: %v", err)
			}
			if beSpec.ByteOrder() != binary.BigEndian {
				t.Errorf("big-endian input decoded as %v", beSpec.ByteOrder())
			}
			checkMarshalRoundTrip(t, beSpec, be)
			compareWithBpftool(t, writeDumpInput(t, "be.btf", be), "", beSpec)
		})
	}
}

// splitModules are the kernel modules scripts/fetch-testdata.sh extracts
// from Debian's linux-image-6.1.0-53-cloud-amd64.
var splitModules = []string{"tcp_bbr.ko", "nf_conntrack.ko", "kvm.ko"}

func TestDumpSplitModules(t *testing.T) {
	const release = "6.1.0-53-cloud-amd64"
	basePath := testutil.KernelBTFFile(t, release)
	base, err := Decode(testutil.KernelBTF(t, release), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(testutil.RepoRoot(), "testdata", "cache", "modules", release)
	for _, mod := range splitModules {
		t.Run(mod, func(t *testing.T) {
			path := filepath.Join(dir, mod)
			if _, err := os.Stat(path); err != nil {
				testutil.Missing(t, "%s is missing: run scripts/fetch-testdata.sh (%v)", path, err)
			}
			spec, err := LoadSpec(path, &LoadOptions{Base: base})
			if err != nil {
				t.Fatal(err)
			}
			if spec.FirstID() != base.NextID() {
				t.Errorf("split spec starts at id %d, want %d", spec.FirstID(), base.NextID())
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			raw, err := ReadELFSection(f, ".BTF")
			if err != nil {
				t.Fatal(err)
			}
			checkMarshalRoundTrip(t, spec, raw)
			compareWithBpftool(t, path, basePath, spec)
		})
	}
}

// rawIntRecord returns the record of an INT with every field of its encoding
// word given, which Builder.AddInt does not allow.
func rawIntRecord(b *Builder, name string, size uint32, enc IntEncoding, offset, bits uint32) []uint32 {
	return []uint32{b.AddString(name), uint32(KindInt) << 24, size, uint32(enc)<<24 | offset<<16 | bits}
}

// handBuiltCase builds a spec, and lists lines that its text dump must
// contain, so that the case means something even where bpftool is missing.
type handBuiltCase struct {
	name  string
	build func(b *Builder)
	lines []string
}

var handBuiltCases = []handBuiltCase{
	{
		name: "int",
		build: func(b *Builder) {
			b.AddInt("int", 4, IntSigned, 32)
			b.AddInt("unsigned int", 4, 0, 32)
			b.AddInt("char", 1, IntChar, 8)
			b.AddInt("_Bool", 1, IntBool, 8)
			b.AddInt("__int128", 16, IntSigned, 128)
			b.AddRaw(rawIntRecord(b, "odd", 4, IntSigned, 3, 5))
			b.AddRaw(rawIntRecord(b, "weird", 4, 8, 0, 32))
		},
		lines: []string{
			"[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
			"[2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
			"[3] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=CHAR",
			"[4] INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL",
			"[5] INT '__int128' size=16 bits_offset=0 nr_bits=128 encoding=SIGNED",
			"[6] INT 'odd' size=4 bits_offset=3 nr_bits=5 encoding=SIGNED",
			"[7] INT 'weird' size=4 bits_offset=0 nr_bits=32 encoding=UNKN",
		},
	},
	{
		name: "modifiers",
		build: func(b *Builder) {
			i := b.AddInt("int", 4, IntSigned, 32)
			p := b.AddPointer(i)
			b.AddPointer(0)
			c := b.AddQualifier(KindConst, i)
			v := b.AddQualifier(KindVolatile, c)
			b.AddQualifier(KindRestrict, p)
			b.AddTypedef("cvint", v)
			b.AddTypeTag("user", p, false)
			b.AddTypeTag("attr", p, true)
			b.AddArray(i, i, 10)
			b.AddArray(p, i, 0)
			b.AddFloat("double", 8)
			b.AddFloat("long double", 16)
		},
		lines: []string{
			"[2] PTR '(anon)' type_id=1",
			"[3] PTR '(anon)' type_id=0",
			"[4] CONST '(anon)' type_id=1",
			"[5] VOLATILE '(anon)' type_id=4",
			"[6] RESTRICT '(anon)' type_id=2",
			"[7] TYPEDEF 'cvint' type_id=5",
			"[8] TYPE_TAG 'user' type_id=2",
			"[9] TYPE_TAG 'attr' type_id=2",
			"[10] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=10",
			"[11] ARRAY '(anon)' type_id=2 index_type_id=1 nr_elems=0",
			"[12] FLOAT 'double' size=8",
			"[13] FLOAT 'long double' size=16",
		},
	},
	{
		name: "composites",
		build: func(b *Builder) {
			i := b.AddInt("int", 4, IntSigned, 32)
			u := b.AddInt("unsigned int", 4, 0, 32)
			inner := b.AddUnion("", 4, []Member{{Name: "a", Type: i}, {Name: "b", Type: u}})
			b.AddStruct("plain", 12, []Member{
				{Name: "x", Type: i},
				{Type: inner, BitOffset: 32},
				{Name: "y", Type: u, BitOffset: 64},
			})
			b.AddStruct("bits", 8, []Member{
				{Name: "lo", Type: u, BitfieldSize: 3},
				{Name: "mid", Type: u, BitOffset: 3, BitfieldSize: 29},
				{Name: "whole", Type: i, BitOffset: 32},
			})
			b.AddUnion("ubits", 4, []Member{
				{Name: "f", Type: u, BitfieldSize: 1},
				{Name: "g", Type: i},
			})
			b.AddStruct("empty", 0, nil)
			// A struct with the kind flag set and no bitfield member.
			b.AddRaw([]uint32{b.AddString("kflag_nobits"), 1<<31 | uint32(KindStruct)<<24 | 1, 4, b.AddString("z"), uint32(i), 0})
			// A bitfield at a large offset in a struct without the kind
			// flag: the offset is printed whole.
			b.AddRaw([]uint32{b.AddString("big_off"), uint32(KindStruct)<<24 | 1, 1 << 22, b.AddString("far"), uint32(i), 0x7ffffe0})
			b.AddFwd("fs", false)
			b.AddFwd("fu", true)
		},
		lines: []string{
			"[3] UNION '(anon)' size=4 vlen=2\n\t'a' type_id=1 bits_offset=0\n\t'b' type_id=2 bits_offset=0",
			"[4] STRUCT 'plain' size=12 vlen=3\n\t'x' type_id=1 bits_offset=0\n\t'(anon)' type_id=3 bits_offset=32\n\t'y' type_id=2 bits_offset=64",
			"[5] STRUCT 'bits' size=8 vlen=3\n\t'lo' type_id=2 bits_offset=0 bitfield_size=3\n\t'mid' type_id=2 bits_offset=3 bitfield_size=29\n\t'whole' type_id=1 bits_offset=32",
			"[6] UNION 'ubits' size=4 vlen=2\n\t'f' type_id=2 bits_offset=0 bitfield_size=1\n\t'g' type_id=1 bits_offset=0",
			"[7] STRUCT 'empty' size=0 vlen=0",
			"[8] STRUCT 'kflag_nobits' size=4 vlen=1\n\t'z' type_id=1 bits_offset=0",
			"[9] STRUCT 'big_off' size=4194304 vlen=1\n\t'far' type_id=1 bits_offset=134217696",
			"[10] FWD 'fs' fwd_kind=struct",
			"[11] FWD 'fu' fwd_kind=union",
		},
	},
	{
		name: "enums",
		build: func(b *Builder) {
			b.AddEnum("u", 4, false, []EnumValue{{Name: "A", Value: 0}, {Name: "B", Value: 0xffffffff}, {Name: "C", Value: 0x80000000}})
			b.AddEnum("s", 4, true, []EnumValue{{Name: "N", Value: 0xffffffff}, {Name: "M", Value: 0x80000000}, {Name: "P", Value: 7}})
			b.AddEnum("", 1, false, []EnumValue{{Name: "SMALL", Value: 200}})
			b.AddEnum("none", 4, false, nil)
			b.AddEnum64("u64", 8, false, []EnumValue{{Name: "X", Value: 1}, {Name: "Y", Value: 1 << 63}, {Name: "Z", Value: ^uint64(0)}})
			b.AddEnum64("s64", 8, true, []EnumValue{{Name: "X", Value: 1}, {Name: "Y", Value: 1 << 63}, {Name: "Z", Value: ^uint64(0)}})
			b.AddEnum64("", 8, true, nil)
		},
		lines: []string{
			"[1] ENUM 'u' encoding=UNSIGNED size=4 vlen=3\n\t'A' val=0\n\t'B' val=4294967295\n\t'C' val=2147483648",
			"[2] ENUM 's' encoding=SIGNED size=4 vlen=3\n\t'N' val=-1\n\t'M' val=-2147483648\n\t'P' val=7",
			"[3] ENUM '(anon)' encoding=UNSIGNED size=1 vlen=1\n\t'SMALL' val=200",
			"[4] ENUM 'none' encoding=UNSIGNED size=4 vlen=0",
			"[5] ENUM64 'u64' encoding=UNSIGNED size=8 vlen=3\n\t'X' val=1ULL\n\t'Y' val=9223372036854775808ULL\n\t'Z' val=18446744073709551615ULL",
			"[6] ENUM64 's64' encoding=SIGNED size=8 vlen=3\n\t'X' val=1LL\n\t'Y' val=-9223372036854775808LL\n\t'Z' val=-1LL",
			"[7] ENUM64 '(anon)' encoding=SIGNED size=8 vlen=0",
		},
	},
	{
		name: "functions",
		build: func(b *Builder) {
			i := b.AddInt("int", 4, IntSigned, 32)
			p := b.AddFuncProto(i, []Param{{Name: "a", Type: i}, {Name: "", Type: i}})
			v := b.AddFuncProto(0, []Param{{Name: "fmt", Type: i}, {}})
			n := b.AddFuncProto(0, nil)
			b.AddFunc("f_static", p, LinkageStatic)
			b.AddFunc("f_global", v, LinkageGlobal)
			b.AddFunc("f_extern", n, LinkageExtern)
			b.AddFunc("f_odd", n, 3)
		},
		lines: []string{
			"[2] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2\n\t'a' type_id=1\n\t'(anon)' type_id=1",
			"[3] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2\n\t'fmt' type_id=1\n\t'(anon)' type_id=0",
			"[4] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0",
			"[5] FUNC 'f_static' type_id=2 linkage=static",
			"[6] FUNC 'f_global' type_id=3 linkage=global",
			"[7] FUNC 'f_extern' type_id=4 linkage=extern",
			"[8] FUNC 'f_odd' type_id=4 linkage=(unknown)",
		},
	},
	{
		name: "data",
		build: func(b *Builder) {
			i := b.AddInt("int", 4, IntSigned, 32)
			v1 := b.AddVar("v_static", i, LinkageStatic)
			v2 := b.AddVar("v_global", i, LinkageGlobal)
			v3 := b.AddVar("v_extern", i, LinkageExtern)
			v4 := b.AddVar("v_odd", i, 7)
			f := b.AddFunc("fn", b.AddFuncProto(0, nil), LinkageExtern)
			b.AddDatasec(".data", 16, []VarSecinfo{{Type: v1, Size: 4}, {Type: v2, Offset: 4, Size: 4}, {Type: v4, Offset: 8, Size: 4}})
			b.AddDatasec(".kconfig", 0, []VarSecinfo{{Type: v3, Size: 4}})
			b.AddDatasec(".ksyms", 0, []VarSecinfo{{Type: f}})
			b.AddDatasec(".bss", 0, nil)
			b.AddDatasec(".void", 4, []VarSecinfo{{Type: 0, Size: 4}})
		},
		lines: []string{
			"[2] VAR 'v_static' type_id=1, linkage=static",
			"[3] VAR 'v_global' type_id=1, linkage=global",
			"[4] VAR 'v_extern' type_id=1, linkage=extern",
			"[5] VAR 'v_odd' type_id=1, linkage=(unknown)",
			"[8] DATASEC '.data' size=16 vlen=3\n\ttype_id=2 offset=0 size=4 (VAR 'v_static')\n\ttype_id=3 offset=4 size=4 (VAR 'v_global')\n\ttype_id=5 offset=8 size=4 (VAR 'v_odd')",
			"[9] DATASEC '.kconfig' size=0 vlen=1\n\ttype_id=4 offset=0 size=4 (VAR 'v_extern')",
			"[10] DATASEC '.ksyms' size=0 vlen=1\n\ttype_id=7 offset=0 size=0 (FUNC 'fn')",
			"[11] DATASEC '.bss' size=0 vlen=0",
			"[12] DATASEC '.void' size=4 vlen=1\n\ttype_id=0 offset=0 size=4 (UNKNOWN '(anon)')",
		},
	},
	{
		name: "tags",
		build: func(b *Builder) {
			i := b.AddInt("int", 4, IntSigned, 32)
			s := b.AddStruct("s", 4, []Member{{Name: "m", Type: i}})
			p := b.AddFuncProto(i, []Param{{Name: "a", Type: i}})
			f := b.AddFunc("f", p, LinkageGlobal)
			b.AddDeclTag("on_struct", s, -1, false)
			b.AddDeclTag("on_member", s, 0, false)
			b.AddDeclTag("on_param", f, 0, false)
			b.AddDeclTag("noinline", f, -1, true)
			b.AddDeclTag(`odd "name" with\ quote's`, s, -1, false)
			b.AddDeclTag("ctl\tchars\x01\x1f\x7f é", s, -1, false)
		},
		lines: []string{
			"[5] DECL_TAG 'on_struct' type_id=2 component_idx=-1",
			"[6] DECL_TAG 'on_member' type_id=2 component_idx=0",
			"[7] DECL_TAG 'on_param' type_id=4 component_idx=0",
			"[8] DECL_TAG 'noinline' type_id=4 component_idx=-1",
			`[9] DECL_TAG 'odd "name" with\ quote's' type_id=2 component_idx=-1`,
		},
	},
	{
		name: "names",
		build: func(b *Builder) {
			// A name offset that is not 0 but points at an empty
			// string prints as '', not '(anon)'.
			off := b.AddString("int")
			b.AddRaw(rawIntRecord(b, "int", 4, IntSigned, 0, 32))
			b.AddRaw([]uint32{off + 3, uint32(KindTypedef) << 24, 1})
			b.AddStruct("", 4, []Member{{Name: "", Type: 1}})
		},
		lines: []string{
			"[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
			"[2] TYPEDEF '' type_id=1",
			"[3] STRUCT '(anon)' size=4 vlen=1\n\t'(anon)' type_id=1 bits_offset=0",
		},
	},
}

// buildHandCase builds one hand-built case's spec over base.
func buildHandCase(t *testing.T, c handBuiltCase, base *Spec) *Spec {
	t.Helper()
	b := NewBuilder(base)
	c.build(b)
	spec, err := b.Spec()
	if err != nil {
		t.Fatalf("building %s: %v", c.name, err)
	}
	return spec
}

func TestDumpHandBuilt(t *testing.T) {
	for _, c := range handBuiltCases {
		t.Run(c.name, func(t *testing.T) {
			spec := buildHandCase(t, c, nil)
			var text bytes.Buffer
			if err := WriteText(&text, spec); err != nil {
				t.Fatal(err)
			}
			for _, l := range c.lines {
				if !strings.Contains(text.String(), l+"\n") {
					t.Errorf("text dump lacks\n%s\nin\n%s", l, text.String())
				}
			}
			for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
				raw := spec.Marshal(bo)
				s2, err := Decode(raw, nil)
				if err != nil {
					t.Fatalf("%v: %v", bo, err)
				}
				checkMarshalRoundTrip(t, s2, raw)
				compareWithBpftool(t, writeDumpInput(t, fmt.Sprintf("%s.%v.btf", c.name, bo), raw), "", s2)
			}
		})
	}
}

// TestDumpHandBuiltSplit dumps each hand-built case as split BTF over a
// small base, so that names, '(anon)' and DATASEC variables resolve across
// the two specs.
func TestDumpHandBuiltSplit(t *testing.T) {
	bb := NewBuilder(nil)
	i := bb.AddInt("long", 8, IntSigned, 64)
	bb.AddVar("base_var", i, LinkageGlobal)
	bb.AddStruct("", 8, []Member{{Name: "base_member", Type: i}})
	base, err := bb.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		baseRaw := base.Marshal(bo)
		basePath := writeDumpInput(t, fmt.Sprintf("base.%v.btf", bo), baseRaw)
		base2, err := Decode(baseRaw, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range append(handBuiltCases, refsToBase) {
			t.Run(fmt.Sprintf("%s/%v", c.name, bo), func(t *testing.T) {
				spec := buildHandCase(t, c, base2)
				if c.name == refsToBase.name {
					var text bytes.Buffer
					if err := WriteText(&text, spec); err != nil {
						t.Fatal(err)
					}
					for _, l := range c.lines {
						if !strings.Contains(text.String(), l+"\n") {
							t.Errorf("text dump lacks\n%s\nin\n%s", l, text.String())
						}
					}
				}
				raw := spec.Marshal(bo)
				s2, err := Decode(raw, base2)
				if err != nil {
					t.Fatal(err)
				}
				checkMarshalRoundTrip(t, s2, raw)
				compareWithBpftool(t, writeDumpInput(t, c.name+".btf", raw), basePath, s2)
			})
		}
	}
}

// refsToBase is split BTF over TestDumpHandBuiltSplit's base that refers
// to the base's types and strings.
var refsToBase = handBuiltCase{
	name: "refs_to_base",
	build: func(b *Builder) {
		p := b.AddPointer(3)
		b.AddDatasec(".data", 8, []VarSecinfo{{Type: 2, Size: 8}})
		b.AddStruct("", 8, []Member{{Name: "long", Type: 1}, {Name: "", Type: p}})
	},
	lines: []string{
		"[5] DATASEC '.data' size=8 vlen=1\n\ttype_id=2 offset=0 size=8 (VAR 'base_var')",
		"[6] STRUCT '(anon)' size=8 vlen=2\n\t'long' type_id=1 bits_offset=0\n\t'(anon)' type_id=4 bits_offset=0",
	},
}

type dumpFailWriter struct{ n int }

var errDumpWrite = errors.New("write failed")

func (w *dumpFailWriter) Write(p []byte) (int, error) {
	if w.n <= 0 {
		return 0, errDumpWrite
	}
	w.n--
	return len(p), nil
}

func TestDumpWriteError(t *testing.T) {
	spec, err := Decode(testutil.KernelBTF(t, testutil.Kernels[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1} {
		if err := WriteText(&dumpFailWriter{n: n}, spec); !errors.Is(err, errDumpWrite) {
			t.Errorf("WriteText with a writer failing after %d writes: %v, want %v", n, err, errDumpWrite)
		}
		if err := WriteJSON(&dumpFailWriter{n: n}, spec); !errors.Is(err, errDumpWrite) {
			t.Errorf("WriteJSON with a writer failing after %d writes: %v, want %v", n, err, errDumpWrite)
		}
	}
}

func BenchmarkWriteText(b *testing.B) {
	spec, err := Decode(testutil.KernelBTF(b, "6.1.0-53-cloud-amd64"), nil)
	if err != nil {
		b.Fatal(err)
	}
	var n dumpCountWriter
	if err := WriteText(&n, spec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, spec); err != nil {
			b.Fatal(err)
		}
	}
}

type dumpCountWriter int

func (c *dumpCountWriter) Write(p []byte) (int, error) {
	*c += dumpCountWriter(len(p))
	return len(p), nil
}
