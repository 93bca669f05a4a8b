package btf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// cKernel is a real kernel's BTF for the C output tests.
type cKernel struct {
	name string
	path string // raw BTF file, for bpftool
	spec *Spec
}

// cKernels returns the testdata kernels and, when it is readable, the
// running kernel's BTF.
func cKernels(t *testing.T) []cKernel {
	t.Helper()
	var ks []cKernel
	for _, name := range testutil.Kernels {
		s, err := Decode(testutil.KernelBTF(t, name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ks = append(ks, cKernel{name: name, path: testutil.KernelBTFFile(t, name), spec: s})
	}
	const sysfs = "/sys/kernel/btf/vmlinux"
	if s, err := LoadSpec(sysfs, nil); err == nil {
		ks = append(ks, cKernel{name: "sysfs", path: sysfs, spec: s})
	} else {
		t.Logf("no running kernel BTF: %v", err)
	}
	return ks
}

// cAttrs matches what WriteC writes and bpftool 7.1 does not: the mode
// attributes of enums of 1 and 8 bytes (which bpftool 7.1, built from
// Linux 6.1's libbpf, predates) and the aligned attributes WriteC adds
// where the layout needs them.
var cAttrs = regexp.MustCompile(` __attribute__\(\((mode\((byte|word)\)|aligned\(\d+\))\)\)`)

// bpftoolC runs `bpftool btf dump file PATH format c`.
func bpftoolC(t *testing.T, path, base string) []byte {
	t.Helper()
	bpftool := testutil.RequireTool(t, "bpftool")
	args := []string{"btf", "dump", "file", path}
	if base != "" {
		args = append(args, "--base-btf", base)
	}
	args = append(args, "format", "c")
	out, err := exec.Command(bpftool, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("bpftool %s: %v: %s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("bpftool: %v", err)
	}
	return out
}

// cCompareText fails the test at the first line where got and want differ.
func cCompareText(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			lo := max(0, i-3)
			t.Fatalf("%s: line %d differs:\n got: %q\nwant: %q\ncontext (ours):\n%s", what, i+1, gl, wl,
				strings.Join(g[lo:min(len(g), i+3)], "\n"))
		}
	}
}

func writeCString(t *testing.T, s *Spec, opts *COptions) (string, *cDumper) {
	t.Helper()
	var buf bytes.Buffer
	d, err := writeC(&buf, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), d
}

// TestWriteCBpftool checks that WriteC writes what bpftool 7.1 writes for
// real kernels, but for the documented attributes.
func TestWriteCBpftool(t *testing.T) {
	for _, k := range cKernels(t) {
		t.Run(k.name, func(t *testing.T) {
			want := bpftoolC(t, k.path, "")
			got, _ := writeCString(t, k.spec, nil)
			cCompareText(t, "WriteC vs bpftool", cAttrs.ReplaceAll([]byte(got), nil), want)
		})
	}
}

// cProgram is a small CO-RE program that includes the header, with a
// global variable of every named struct, union and enum so that clang
// writes them all to the object's BTF.
const cProgram = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_nanosleep")
int probe(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int pid = BPF_CORE_READ(task, pid);
	int ppid = BPF_CORE_READ(task, real_parent, tgid);

	bpf_printk("pid %d ppid %d", pid, ppid);
	return 0;
}
`

// compileC writes the header and a program that uses every named struct,
// union and enum of s, compiles them with clang for the bpf target, and
// returns the object's BTF with the C name of each type.
func compileC(t *testing.T, s *Spec, program string) (*Spec, map[string]TypeID) {
	t.Helper()
	clang := testutil.RequireTool(t, "clang")
	header, d := writeCString(t, s, nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vmlinux.h"), []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	byName := map[string]TypeID{}
	var src strings.Builder
	src.WriteString(program)
	for id := TypeID(1); id < s.NextID(); id++ {
		typ := s.typ(id)
		if typ.NameOff() == 0 || !d.states[id].nameResolved {
			continue
		}
		var kw string
		switch typ.Kind() {
		case KindStruct:
			kw = "struct"
		case KindUnion:
			kw = "union"
		case KindEnum, KindEnum64:
			if typ.Vlen() == 0 {
				continue
			}
			kw = "enum"
		default:
			continue
		}
		name := d.typeName(id, typ)
		byName[name] = id
		fmt.Fprintf(&src, "%s %s __btfhub_%d;\n", kw, name, id)
	}
	if err := os.WriteFile(filepath.Join(dir, "prog.c"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "prog.o")
	cmd := exec.Command(clang, "-target", "bpf", "-O2", "-g", "-c", "prog.c", "-o", obj)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		lines := strings.SplitN(string(out), "\n", 40)
		t.Fatalf("clang: %v\n%s", err, strings.Join(lines[:min(len(lines), 39)], "\n"))
	}
	got, err := LoadSpec(obj, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got, byName
}

// cCheckLayout compares the size of every struct, union and enum of the
// compiled object with its counterpart in the original spec, and the offset
// and bitfield size of every member, down through anonymous members.
func cCheckLayout(t *testing.T, obj *Spec, byName map[string]TypeID, orig *Spec) {
	t.Helper()
	checked, bad := 0, 0
	for typ := range obj.Types() {
		k := typ.Kind()
		if typ.NameOff() == 0 || !(k.IsComposite() || k == KindEnum || k == KindEnum64) {
			continue
		}
		id, ok := byName[typ.Name()]
		if !ok {
			continue
		}
		delete(byName, typ.Name())
		if cEmbedsVaList(orig, id, map[TypeID]bool{}) {
			// __builtin_va_list is the compiler's own type, 24 bytes
			// on x86-64 but a pointer on the bpf target; no header
			// can give both layouts (bpftool's neither).
			continue
		}
		checked++
		if err := cSameLayout(obj, typ, orig.typ(id), typ.Name(), 0); err != nil {
			if bad++; bad <= 10 {
				t.Error(err)
			}
		}
	}
	if bad > 10 {
		t.Errorf("... %d types in all have a different layout", bad)
	}
	for name := range byName {
		if bad++; bad <= 20 {
			t.Errorf("%s: not in the compiled program's BTF", name)
		}
	}
	t.Logf("%d types compared", checked)
}

func cSameLayout(obj *Spec, got, want Type, path string, depth int) error {
	if got.Kind() != want.Kind() && !(cIsEnum(got.Kind()) && cIsEnum(want.Kind())) {
		return fmt.Errorf("%s: kind %s, want %s", path, got.Kind(), want.Kind())
	}
	if got.Size() != want.Size() {
		return fmt.Errorf("%s: size %d, want %d", path, got.Size(), want.Size())
	}
	if !want.Kind().IsComposite() {
		return nil
	}
	if got.Vlen() != want.Vlen() {
		return fmt.Errorf("%s: %d members, want %d", path, got.Vlen(), want.Vlen())
	}
	for i := range got.Vlen() {
		gm, wm := got.Member(i), want.Member(i)
		mpath := fmt.Sprintf("%s.%s", path, wm.Name)
		if wm.Name == "" {
			mpath = fmt.Sprintf("%s.(anon %d)", path, i)
		}
		if gm.Name != wm.Name {
			return fmt.Errorf("%s: member %d named %q", mpath, i, gm.Name)
		}
		if gm.BitOffset != wm.BitOffset || gm.BitfieldSize != wm.BitfieldSize {
			return fmt.Errorf("%s: bit offset %d size %d, want offset %d size %d", mpath,
				gm.BitOffset, gm.BitfieldSize, wm.BitOffset, wm.BitfieldSize)
		}
		gt, wt := cSkipMods(obj, gm.Type), cSkipMods(want.Spec(), wm.Type)
		if wt.Kind().IsComposite() && wt.NameOff() == 0 && depth < 64 {
			if err := cSameLayout(obj, gt, wt, mpath, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func cIsEnum(k Kind) bool { return k == KindEnum || k == KindEnum64 }

// TestWriteCCompiles compiles each kernel's header with a CO-RE program
// and checks that clang lays out every type as the kernel did.
func TestWriteCCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling three kernel headers takes a while")
	}
	for _, k := range cKernels(t) {
		t.Run(k.name, func(t *testing.T) {
			obj, byName := compileC(t, k.spec, cProgram)
			cCheckLayout(t, obj, byName, k.spec)
		})
	}
}

// cSkipMods follows typedefs and qualifiers from id.
func cSkipMods(s *Spec, id TypeID) Type {
	t := s.typ(id)
	for i := 0; i < 64 && t.Kind().IsModifier(); i++ {
		t = s.typ(t.Ref())
	}
	return t
}

// cEmbedsVaList reports whether type id holds a __builtin_va_list by value.
func cEmbedsVaList(s *Spec, id TypeID, seen map[TypeID]bool) bool {
	for range 64 {
		t := s.typ(id)
		if t.NameOff() != 0 && t.Name() == "__builtin_va_list" {
			return true
		}
		switch t.Kind() {
		case KindTypedef, KindConst, KindVolatile, KindRestrict, KindTypeTag:
			id = t.Ref()
			continue
		case KindArray:
			id = t.Array().Type
			continue
		case KindStruct, KindUnion:
			if seen[id] {
				return false
			}
			seen[id] = true
			for i := range t.Vlen() {
				if cEmbedsVaList(s, t.Member(i).Type, seen) {
					return true
				}
			}
		}
		return false
	}
	return false
}

// cCase is a hand-built spec for the C output tests.
type cCase struct {
	name string
	// build adds the case's types; b already holds the types of cBase.
	build func(b *Builder, c *cBaseTypes)
	// want lists lines or fragments the header must contain.
	want []string
	// noCompile marks specs that are not meant to compile (none yet).
	noCompile bool
}

// cBaseTypes are the C base types every hand-built case starts with.
type cBaseTypes struct {
	char, int, uint, long, ulong, short, uchar, u64 TypeID
}

func cBase(b *Builder) *cBaseTypes {
	return &cBaseTypes{
		char:  b.AddInt("char", 1, IntSigned, 8),
		int:   b.AddInt("int", 4, IntSigned, 32),
		uint:  b.AddInt("unsigned int", 4, 0, 32),
		long:  b.AddInt("long", 8, IntSigned, 64),
		ulong: b.AddInt("long unsigned int", 8, 0, 64),
		short: b.AddInt("short", 2, IntSigned, 16),
		uchar: b.AddInt("unsigned char", 1, 0, 8),
		u64:   b.AddInt("long long unsigned int", 8, 0, 64),
	}
}

func cMem(name string, typ TypeID, bitOff uint32) Member {
	return Member{Name: name, Type: typ, BitOffset: bitOff}
}

func cBits(name string, typ TypeID, bitOff, bits uint32) Member {
	return Member{Name: name, Type: typ, BitOffset: bitOff, BitfieldSize: bits}
}

var cCases = []cCase{
	{
		name: "bitfields and padding",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddStruct("bits", 24, []Member{
				cBits("a", c.uint, 0, 3),
				cBits("b", c.uint, 3, 5),
				cBits("c", c.uint, 16, 4), // gap inside the storage unit
				cMem("d", c.char, 32),
				cBits("e", c.ulong, 64, 33),
				cMem("f", c.short, 128), // end padding follows
			})
			b.AddStruct("holes", 32, []Member{
				cMem("x", c.char, 0),
				cMem("y", c.long, 128), // a hole larger than natural padding
			})
		},
		want: []string{"\tunsigned int a: 3;", "\tlong unsigned int e: 33;", "\tlong: 64;"},
	},
	{
		name: "packed",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddStruct("packed", 5, []Member{cMem("a", c.char, 0), cMem("b", c.int, 8)})
			b.AddStruct("packed_size", 6, []Member{cMem("a", c.int, 0), cMem("b", c.short, 32)})
			p := b.AddStruct("inner", 12, []Member{cMem("a", c.int, 0), cMem("b", c.long, 32)})
			b.AddStruct("outer", 16, []Member{cMem("c", c.char, 0), cMem("in", p, 8), cMem("z", c.char, 13*8)})
		},
		want: []string{"} __attribute__((packed));"},
	},
	{
		name: "over-aligned union",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddUnion("aligned_u", 8, []Member{cMem("x", c.int, 0)})
			b.AddStruct("holder", 16, []Member{cMem("a", c.char, 0),
				cMem("u", b.NextID()-1, 64)})
		},
		want: []string{"} __attribute__((aligned(8)));"},
	},
	{
		name: "anonymous members",
		build: func(b *Builder, c *cBaseTypes) {
			inner := b.AddStruct("", 8, []Member{cMem("x", c.int, 0), cMem("y", c.int, 32)})
			e := b.AddEnum("", 4, false, []EnumValue{{Name: "ANON_A", Value: 0}, {Name: "ANON_B", Value: 7}})
			u := b.AddUnion("", 8, []Member{cMem("s", inner, 0), cMem("l", c.long, 0), cMem("e", e, 0)})
			deep := b.AddStruct("", 4, []Member{cMem("z", c.int, 0)})
			deepU := b.AddUnion("", 4, []Member{cMem("", deep, 0), cMem("w", c.uint, 0)})
			b.AddStruct("anon_holder", 24, []Member{cMem("", u, 0), cMem("named", inner, 64), cMem("", deepU, 128)})
			// An anonymous enum nothing refers to is a top-level constant.
			b.AddEnum("", 4, false, []EnumValue{{Name: "TOP_CONST", Value: 42}})
		},
		want: []string{"\tunion {", "\t\tstruct {", "enum {\n\tTOP_CONST = 42,\n};"},
	},
	{
		name: "declarators",
		build: func(b *Builder, c *cBaseTypes) {
			cint := b.AddQualifier(KindConst, c.int)
			pcint := b.AddPointer(cint)
			cpcint := b.AddQualifier(KindConst, pcint)
			vcp := b.AddQualifier(KindVolatile, cpcint)
			arr := b.AddArray(c.int, c.int, 4)
			arr2 := b.AddArray(arr, c.int, 3)
			parr := b.AddPointer(arr)
			proto := b.AddFuncProto(c.int, []Param{{Name: "a", Type: c.int}, {Name: "p", Type: pcint}})
			fp := b.AddPointer(proto)
			fparr := b.AddArray(fp, c.int, 2)
			// A function returning a pointer to a function.
			proto2 := b.AddFuncProto(fp, []Param{{Name: "", Type: c.long}})
			fp2 := b.AddPointer(proto2)
			variadic := b.AddFuncProto(c.int, []Param{{Name: "fmt", Type: b.AddPointer(c.char)}, {Type: 0}})
			noargs := b.AddFuncProto(0, []Param{{Type: 0}})
			empty := b.AddFuncProto(0, nil)
			ppv := b.AddPointer(b.AddPointer(0))
			restrict := b.AddQualifier(KindRestrict, b.AddPointer(c.char))
			b.AddStruct("decls", 160, []Member{
				cMem("ci", cint, 0), cMem("pci", pcint, 64), cMem("vcp", vcp, 128),
				cMem("arr", arr, 192), cMem("arr2", arr2, 320),
				cMem("parr", parr, 704), cMem("fparr", fparr, 768),
				cMem("fp2", fp2, 896), cMem("vfp", b.AddPointer(variadic), 960),
				cMem("nfp", b.AddPointer(noargs), 1024), cMem("efp", b.AddPointer(empty), 1088),
				cMem("ppv", ppv, 1152), cMem("rp", restrict, 1216),
			})
			b.AddTypedef("handler_t", proto)
		},
		want: []string{
			"\tconst int ci;", "\tconst int *pci;", "\tconst int * const volatile vcp;",
			"\tint arr[4];", "\tint arr2[3][4];", "\tint (*parr)[4];",
			"\tint (*fparr[2])(int a, const int *p);", "\tint (* (*fp2)(long))(int a, const int *p);",
			"\tint (*vfp)(char *fmt, ...);", "\tchar * restrict rp;", "\tvoid (*nfp)(void);", "\tvoid (*efp)(void);",
			"\tvoid **ppv;", "typedef int handler_t(int a, const int *p);",
		},
	},
	{
		name: "enums",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddEnum("small", 1, false, []EnumValue{{Name: "S0", Value: 0}, {Name: "S1", Value: 200}})
			b.AddEnum("neg", 4, true, []EnumValue{{Name: "N_MINUS", Value: uint64(uint32(0xffffffff))}, {Name: "N_ONE", Value: 1}})
			b.AddEnum("wide32", 8, false, []EnumValue{{Name: "W0", Value: 5}})
			b.AddEnum64("big", 8, false, []EnumValue{{Name: "BIG", Value: 1 << 40}, {Name: "MAX", Value: 1<<64 - 1}})
			b.AddEnum64("sbig", 8, true, []EnumValue{{Name: "SMIN", Value: 1 << 63}, {Name: "SM1", Value: 1<<64 - 1}})
			b.AddEnum64("narrow64", 8, false, []EnumValue{{Name: "NARROW", Value: 3}})
			b.AddEnum("fwd_enum", 4, false, nil)
		},
		want: []string{
			"} __attribute__((mode(byte)));", "\tN_MINUS = -1,", "\tMAX = 18446744073709551615ULL,",
			"\tSMIN = -9223372036854775808LL,", "\tNARROW = 3ULL,\n} __attribute__((mode(word)));",
			"enum fwd_enum;",
		},
	},
	{
		name: "duplicate names",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddStruct("dup", 4, []Member{cMem("a", c.int, 0)})
			b.AddStruct("dup", 8, []Member{cMem("b", c.long, 0)})
			b.AddUnion("dup", 8, []Member{cMem("c", c.long, 0)}) // unions share the tag namespace
			b.AddEnum("color", 4, false, []EnumValue{{Name: "RED", Value: 0}})
			b.AddEnum("colour", 4, false, []EnumValue{{Name: "RED", Value: 1}})
			b.AddTypedef("RED", c.int) // a typedef clashes with enumerators
			b.AddFwd("dup", false)     // forward declarations keep their name
		},
		want: []string{"struct dup {", "struct dup___2 {", "union dup___3 {", "\tRED___2 = 1,", "typedef int RED___3;"},
	},
	{
		name: "cycles and forward declarations",
		build: func(b *Builder, c *cBaseTypes) {
			// struct a { struct b *b; }; struct b { struct a a; struct b *self; };
			next := b.NextID()
			pa := next + 2
			pb := next + 3
			b.AddStruct("a", 8, []Member{cMem("b", pb, 0)})
			b.AddStruct("b", 16, []Member{cMem("a", next, 0), cMem("self", pb, 64)})
			b.AddPointer(next)
			b.AddPointer(next + 1)
			_ = pa
			// A typedef of a struct used through a pointer before its
			// definition.
			td := b.NextID()
			b.AddTypedef("node_t", td+1)
			b.AddStruct("node", 16, []Member{cMem("next", td+2, 0), cMem("v", c.long, 64)})
			b.AddPointer(td)
			b.AddFwd("opaque", false)
			b.AddFwd("opaque_u", true)
			b.AddStruct("uses_fwd", 16, []Member{cMem("o", b.AddPointer(b.NextID()-2), 0), cMem("u", b.AddPointer(b.NextID()-2), 64)})
		},
		want: []string{"struct b;", "struct opaque;", "union opaque_u;", "\tnode_t *next;"},
	},
	{
		name: "special types",
		build: func(b *Builder, c *cBaseTypes) {
			b.AddFloat("double", 8)
			b.AddInt("_Bool", 1, IntBool, 8)
			b.AddStruct("empty", 0, nil)
			b.AddStruct("pad_only", 8, nil)
			tag := b.AddTypeTag("user", c.int, false)
			b.AddStruct("tagged", 8, []Member{cMem("p", b.AddPointer(tag), 0)})
			tag2 := b.AddTypeTag("percpu", b.NextID()+1, false)
			_ = tag2
			b.AddStruct("pcpu", 4, []Member{cMem("x", c.int, 0)})
			b.AddStruct("tagged2", 8, []Member{cMem("p", b.AddPointer(tag2), 0)})
			bva := b.AddTypedef("__builtin_va_list", b.AddPointer(c.char))
			b.AddTypedef("va_list", bva)
			b.AddTypedef("__gnuc_va_list", 0)
			// GCC's Arm SIMD base types get a typedef where they are used.
			b.AddStruct("simd", 1, []Member{cMem("p", b.AddInt("__Poly8_t", 1, 0, 8), 0)})
			// Functions, variables and sections are not declared.
			fp := b.AddFuncProto(c.int, nil)
			b.AddFunc("some_func", fp, LinkageGlobal)
			v := b.AddVar("some_var", c.int, LinkageGlobal)
			b.AddDatasec(".data", 4, []VarSecinfo{{Type: v, Offset: 0, Size: 4}})
			b.AddDeclTag("tag", v, -1, false)
		},
		want: []string{
			"struct empty {};", "struct pad_only {\n\tlong: 64;\n};",
			"\tint __attribute__((btf_type_tag(\"user\"))) *p;",
			"typedef __builtin_va_list __gnuc_va_list;", "typedef unsigned char __Poly8_t;",
		},
	},
	{
		name: "deep nesting",
		build: func(b *Builder, c *cBaseTypes) {
			in := b.AddStruct("", 4, []Member{cMem("leaf", c.int, 0)})
			for range 16 {
				in = b.AddStruct("", 4, []Member{cMem("", in, 0)})
			}
			b.AddStruct("deep", 4, []Member{cMem("n", in, 0)})
		},
		want: []string{"\t\t\t\t\t\t\t\t\t\t\t\t\tint leaf;"}, // indentation stops at 13 tabs
	},
}

func buildCCase(t *testing.T, tc cCase) *Spec {
	t.Helper()
	b := NewBuilder(nil)
	tc.build(b, cBase(b))
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWriteCHandBuilt writes hand-built specs that cover each C construct,
// checks fragments of the output, compares it with bpftool's, and compiles
// it to check the layout of every type.
func TestWriteCHandBuilt(t *testing.T) {
	for _, tc := range cCases {
		t.Run(tc.name, func(t *testing.T) {
			s := buildCCase(t, tc)
			got, _ := writeCString(t, s, nil)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			path := filepath.Join(t.TempDir(), "case.btf")
			if err := os.WriteFile(path, s.Marshal(nil), 0o644); err != nil {
				t.Fatal(err)
			}
			cCompareText(t, "WriteC vs bpftool", cAttrs.ReplaceAll([]byte(got), nil), bpftoolC(t, path, ""))
			if !tc.noCompile {
				obj, byName := compileC(t, s, "#include \"vmlinux.h\"\n")
				cCheckLayout(t, obj, byName, s)
			}
		})
	}
}

// TestWriteCSplit writes split BTF, which includes its base, as bpftool
// does with --base-btf.
func TestWriteCSplit(t *testing.T) {
	b := NewBuilder(nil)
	c := cBase(b)
	list := b.AddStruct("list_head", 16, []Member{cMem("next", b.NextID()+1, 0), cMem("prev", b.NextID()+1, 64)})
	b.AddPointer(list)
	base, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	sb := NewBuilder(base)
	e := sb.AddEnum("mod_state", 4, false, []EnumValue{{Name: "MOD_LIVE", Value: 0}})
	sb.AddStruct("module_thing", 32, []Member{cMem("list", list, 0), cMem("state", e, 128), cMem("refs", c.long, 192)})
	split, err := sb.Spec()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := writeCString(t, split, nil)
	if !strings.Contains(got, "struct list_head {") || !strings.Contains(got, "\tstruct list_head list;") {
		t.Errorf("split output lacks the base's or its own types:\n%s", got)
	}
	dir := t.TempDir()
	basePath, splitPath := filepath.Join(dir, "base.btf"), filepath.Join(dir, "split.btf")
	if err := os.WriteFile(basePath, base.Marshal(nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(splitPath, split.Marshal(nil), 0o644); err != nil {
		t.Fatal(err)
	}
	cCompareText(t, "WriteC vs bpftool", []byte(got), bpftoolC(t, splitPath, basePath))
}

// TestWriteCOptions checks the Types and NoGuard options.
func TestWriteCOptions(t *testing.T) {
	b := NewBuilder(nil)
	c := cBase(b)
	inner := b.AddStruct("inner", 4, []Member{cMem("x", c.int, 0)})
	td := b.AddTypedef("inner_t", inner)
	outer := b.AddStruct("outer", 8, []Member{cMem("a", td, 0), cMem("b", c.int, 32)})
	b.AddStruct("unrelated", 4, []Member{cMem("y", c.int, 0)})
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := writeCString(t, s, &COptions{Types: []TypeID{outer}, NoGuard: true})
	want := "struct inner {\n\tint x;\n};\n\ntypedef struct inner inner_t;\n\n" +
		"struct outer {\n\tinner_t a;\n\tint b;\n};\n\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := WriteC(io.Discard, s, &COptions{Types: []TypeID{s.NextID()}}); err == nil {
		t.Error("no error for a type id out of range")
	}
}

// cFailWriter fails after n bytes.
type cFailWriter struct{ n int }

var errCFailWriter = errors.New("disk full")

func (w *cFailWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errCFailWriter
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteCErrors checks specs that C cannot express and a failing writer.
func TestWriteCErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(b *Builder, c *cBaseTypes)
		want  error
	}{
		{"struct contains itself", func(b *Builder, c *cBaseTypes) {
			b.AddStruct("self", 8, []Member{cMem("me", b.NextID(), 0)})
		}, ErrTypeLoop},
		{"anonymous struct through a pointer to itself", func(b *Builder, c *cBaseTypes) {
			id := b.NextID()
			b.AddStruct("", 8, []Member{cMem("next", id+1, 0)})
			b.AddPointer(id)
			b.AddStruct("holder", 8, []Member{cMem("", id, 0)})
		}, ErrTypeLoop},
		{"member of function type", func(b *Builder, c *cBaseTypes) {
			f := b.AddFunc("f", b.AddFuncProto(c.int, nil), LinkageGlobal)
			b.AddStruct("bad", 8, []Member{cMem("f", f, 0)})
		}, ErrInvalid},
		{"typedef of a variable", func(b *Builder, c *cBaseTypes) {
			b.AddTypedef("v_t", b.AddVar("v", c.int, LinkageGlobal))
		}, ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(nil)
			tc.build(b, cBase(b))
			s, err := b.Spec()
			if err != nil {
				t.Fatal(err)
			}
			err = WriteC(io.Discard, s, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got error %v, want %v", err, tc.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.ID == 0 {
				t.Errorf("error %v does not name the type", err)
			}
		})
	}

	s, err := Decode(testutil.KernelBTF(t, testutil.Kernels[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 100, 1 << 20} {
		if err := WriteC(&cFailWriter{n: n}, s, nil); !errors.Is(err, errCFailWriter) {
			t.Errorf("writer failing after %d bytes: got %v", n, err)
		}
	}
}

func BenchmarkWriteC(b *testing.B) {
	s, err := Decode(testutil.KernelBTF(b, testutil.Kernels[0]), nil)
	if err != nil {
		b.Fatal(err)
	}
	var cw cByteCounter
	if err := WriteC(&cw, s, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteC(io.Discard, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

type cByteCounter struct{ n int64 }

func (w *cByteCounter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
