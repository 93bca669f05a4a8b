package corerel

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// Opcodes used by the hand-built programs.
const (
	opMovImm = classALU64 | 0xb0 // r = imm
	opLdxW   = classLDX | 0x60 | sizeW
	opLdxB   = classLDX | 0x60 | sizeB
	opLdxDW  = classLDX | 0x60 | sizeDW
)

// engineTarget builds the target kernel BTF of the engine tests:
//
//	struct task {                  // 48 bytes
//		int pid;                   // 0
//		struct { int a; int b; };  // 4
//		unsigned int flags:3;      // bit 96
//		unsigned long state;       // 16
//		char comm[16];             // 24
//		int data[];                // 40
//	};
//	enum color : 8 { RED = 1, BLUE = 1 << 40 };
//
// plus, with flavors, "task___2" variants.
func engineTarget(t *testing.T, flavor *btf.Member) (*btf.Spec, btf.TypeID) {
	t.Helper()
	b := btf.NewBuilder(nil)
	tInt := b.AddInt("int", 4, btf.IntSigned, 32)
	tUint := b.AddInt("unsigned int", 4, 0, 32)
	tULong := b.AddInt("long unsigned int", 8, 0, 64)
	tChar := b.AddInt("char", 1, btf.IntSigned, 8)
	anon := b.AddStruct("", 8, []btf.Member{{Name: "a", Type: tInt}, {Name: "b", Type: tInt, BitOffset: 32}})
	comm := b.AddArray(tChar, tInt, 16)
	flex := b.AddArray(tInt, tInt, 0)
	task := b.AddStruct("task", 48, []btf.Member{
		{Name: "pid", Type: tInt},
		{Type: anon, BitOffset: 32},
		{Name: "flags", Type: tUint, BitOffset: 96, BitfieldSize: 3},
		{Name: "state", Type: tULong, BitOffset: 128},
		{Name: "comm", Type: comm, BitOffset: 192},
		{Name: "data", Type: flex, BitOffset: 320},
	})
	b.AddEnum64("color", 8, false, []btf.EnumValue{{Name: "RED", Value: 1}, {Name: "BLUE", Value: 1 << 40}})
	if flavor != nil {
		b.AddStruct("task___2", 8, []btf.Member{*flavor})
	}
	s, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s, task
}

// engineLocal builds the object's BTF:
//
//	struct task___local {          // 40 bytes
//		unsigned int state;        // 0
//		int pid;                   // 4
//		int b;                     // 8
//		unsigned int flags:3;      // bit 96
//		char comm[16];             // 16
//		int missing;               // 32
//		int data[];                // 36
//	};
//	enum color { BLUE = 2, GREEN = 3 };
//	struct { int x; } (anonymous)
type engineLocal struct {
	b                       *btf.Builder
	task, color, anon, tInt btf.TypeID
}

func newEngineLocal() *engineLocal {
	b := btf.NewBuilder(nil)
	l := &engineLocal{b: b}
	l.tInt = b.AddInt("int", 4, btf.IntSigned, 32)
	tUint := b.AddInt("unsigned int", 4, 0, 32)
	tChar := b.AddInt("char", 1, btf.IntSigned, 8)
	comm := b.AddArray(tChar, l.tInt, 16)
	flex := b.AddArray(l.tInt, l.tInt, 0)
	l.task = b.AddStruct("task___local", 40, []btf.Member{
		{Name: "state", Type: tUint},
		{Name: "pid", Type: l.tInt, BitOffset: 32},
		{Name: "b", Type: l.tInt, BitOffset: 64},
		{Name: "flags", Type: tUint, BitOffset: 96, BitfieldSize: 3},
		{Name: "comm", Type: comm, BitOffset: 128},
		{Name: "missing", Type: l.tInt, BitOffset: 256},
		{Name: "data", Type: flex, BitOffset: 288},
	})
	l.color = b.AddEnum("color", 4, false, []btf.EnumValue{{Name: "BLUE", Value: 2}, {Name: "GREEN", Value: 3}})
	l.anon = b.AddStruct("", 4, []btf.Member{{Name: "x", Type: l.tInt}})
	return l
}

// reloCase is one relocation of a one-program object.
type reloCase struct {
	kind   btf.COREKind
	typ    btf.TypeID
	access string
	insn   []Insn
	off    uint32 // byte offset of the record's instruction; 0 for the first
}

// buildObject makes an object with one program "prog" in section
// "kprobe/x" whose instructions are those of the cases, one CO-RE record
// per case.
func (l *engineLocal) buildObject(t *testing.T, cases []reloCase) *Object {
	t.Helper()
	var insns []Insn
	var recs []btf.CORERelo
	offs := make([]uint32, len(cases))
	for i, c := range cases {
		offs[i] = l.b.AddString(c.access)
		off := uint32(len(insns) * InsnSize)
		if c.off != 0 {
			off = c.off
		}
		recs = append(recs, btf.CORERelo{InsnOff: off, TypeID: c.typ, AccessStrOff: offs[i], Kind: c.kind})
		insns = append(insns, c.insn...)
	}
	insns = append(insns, Insn{Code: classJMP | 0x90}) // exit
	spec, err := l.b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	sec := &Section{Name: "kprobe/x", Index: 1, Insns: insns}
	return &Object{
		Sections:  []*Section{sec},
		Programs:  []*Program{{Name: "prog", Section: "kprobe/x", SectionIndex: 1, Insns: insns, Autoload: true}},
		BTF:       spec,
		Ext:       &btf.Ext{CORERelos: []btf.ExtSection[btf.CORERelo]{{Name: "kprobe/x", Records: recs}}},
		ByteOrder: binary.LittleEndian,
	}
}

func mov(imm int32) []Insn             { return []Insn{{Code: opMovImm, Dst: 1, Imm: imm}} }
func ldx(code uint8, off int16) []Insn { return []Insn{{Code: code, Dst: 1, Src: 2, Off: off}} }
func ldimm64(v uint64) []Insn {
	return []Insn{{Code: codeLdImm64, Dst: 1, Imm: int32(uint32(v))}, {Imm: int32(uint32(v >> 32))}}
}

// TestEngine checks each relocation kind on hand-built BTF: anonymous
// members, bitfields, arrays, flexible arrays, memory size adjustment,
// missing fields, enums (ENUM against ENUM64), types, flavors.
func TestEngine(t *testing.T) {
	target, task := engineTarget(t, nil)
	tgt, err := NewTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	l := newEngineLocal()
	type want struct {
		value    uint64
		poisoned bool
		memSize  uint32
		insn     Insn // the patched instruction, when Code != 0
	}
	cases := []struct {
		name string
		reloCase
		want want
	}{
		{"byte_off pid", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 4)}, want{value: 0}},
		{"byte_off anonymous member", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:2", insn: ldx(opLdxW, 8)}, want{value: 8}},
		{"byte_off wider unsigned", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:0", insn: ldx(opLdxW, 0)},
			want{value: 16, memSize: 8, insn: Insn{Code: opLdxDW, Dst: 1, Src: 2, Off: 16}}},
		{"field_exists missing", reloCase{kind: btf.COREFieldExists, typ: l.task, access: "0:5", insn: mov(1)}, want{value: 0}},
		{"field_exists present", reloCase{kind: btf.COREFieldExists, typ: l.task, access: "0:1", insn: mov(1)}, want{value: 1}},
		{"byte_off missing", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:5", insn: ldx(opLdxW, 32)},
			want{poisoned: true, insn: poisonInsn}},
		{"byte_sz bitfield", reloCase{kind: btf.COREFieldByteSize, typ: l.task, access: "0:3", insn: mov(4)}, want{value: 4}},
		{"lshift bitfield", reloCase{kind: btf.COREFieldLShiftU64, typ: l.task, access: "0:3", insn: mov(61)}, want{value: 61}},
		{"rshift bitfield", reloCase{kind: btf.COREFieldRShiftU64, typ: l.task, access: "0:3", insn: mov(61)}, want{value: 61}},
		{"signed int", reloCase{kind: btf.COREFieldSigned, typ: l.task, access: "0:1", insn: mov(1)}, want{value: 1}},
		{"signed bitfield", reloCase{kind: btf.COREFieldSigned, typ: l.task, access: "0:3", insn: mov(0)}, want{value: 0}},
		{"byte_sz state", reloCase{kind: btf.COREFieldByteSize, typ: l.task, access: "0:0", insn: mov(4)}, want{value: 8}},
		{"array element", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:4:3", insn: ldx(opLdxB, 19)}, want{value: 27}},
		{"flexible array element", reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:6:5", insn: ldx(opLdxW, 56)}, want{value: 60}},
		{"enum64 value", reloCase{kind: btf.COREEnumValue, typ: l.color, access: "0", insn: ldimm64(2)}, want{value: 1 << 40}},
		{"enum value missing", reloCase{kind: btf.COREEnumValueExists, typ: l.color, access: "1", insn: mov(1)}, want{value: 0}},
		{"enum value poisoned", reloCase{kind: btf.COREEnumValue, typ: l.color, access: "1", insn: ldimm64(3)}, want{poisoned: true, insn: poisonInsn}},
		{"type_exists", reloCase{kind: btf.CORETypeExists, typ: l.task, access: "0", insn: mov(1)}, want{value: 1}},
		{"type_size", reloCase{kind: btf.CORETypeSize, typ: l.task, access: "0", insn: mov(40)}, want{value: 48}},
		{"target_type_id", reloCase{kind: btf.CORETypeIDTarget, typ: l.task, access: "0", insn: ldimm64(uint64(l.task))}, want{value: uint64(task)}},
		{"local_type_id", reloCase{kind: btf.CORETypeIDLocal, typ: l.task, access: "0", insn: ldimm64(uint64(l.task))}, want{value: uint64(l.task)}},
		{"type_matches", reloCase{kind: btf.CORETypeMatches, typ: l.task, access: "0", insn: mov(1)}, want{value: 0}},
	}
	var rcs []reloCase
	for _, c := range cases {
		rcs = append(rcs, c.reloCase)
	}
	obj := l.buildObject(t, rcs)
	res, err := Relocate(obj, tgt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Relocations) != len(cases) {
		t.Fatalf("%d relocations, want %d", len(res.Relocations), len(cases))
	}
	patched := res.patched[1]
	for i, c := range cases {
		r := res.Relocations[i]
		got := want{value: r.Value, poisoned: r.Poisoned, memSize: r.MemSize}
		if r.Poisoned {
			got.value = 0
		}
		w := c.want
		if w.insn.Code != 0 {
			got.insn = patched[r.Insn]
		}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", c.name, got, w)
		}
	}
	// What the minimizer needs: the target path of the anonymous member.
	m := res.Relocations[1].Matches
	if len(m) != 1 || m[0].TypeID != task || len(m[0].Path) != 3 || m[0].Path[1] != 1 || m[0].Path[2] != 1 || m[0].Module != "vmlinux" {
		t.Errorf("anonymous member match: %+v", m)
	}
}

// TestEngineFlavors checks the ambiguity rule: flavors that agree are all
// kept; flavors that disagree are an error.
func TestEngineFlavors(t *testing.T) {
	l := newEngineLocal()
	rc := []reloCase{{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 4)}}

	agree, _ := engineTarget(t, &btf.Member{Name: "pid", Type: 1})
	res, err := Relocate(l.buildObject(t, rc), &Target{VMLinux: agree})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Relocations[0].Matches); n != 2 {
		t.Errorf("%d matches for agreeing flavors, want 2", n)
	}

	l = newEngineLocal()
	differ, _ := engineTarget(t, &btf.Member{Name: "pid", Type: 1, BitOffset: 32})
	_, err = Relocate(l.buildObject(t, []reloCase{{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 4)}}), &Target{VMLinux: differ})
	if !errors.Is(err, ErrAmbiguous) {
		t.Errorf("disagreeing flavors: %v, want ErrAmbiguous", err)
	}
}

// TestEngineModules checks that modules are searched only for types
// vmlinux lacks.
func TestEngineModules(t *testing.T) {
	vmlinux, _ := engineTarget(t, nil)
	mb := btf.NewBuilder(vmlinux)
	modTask := mb.AddStruct("task", 4, []btf.Member{{Name: "pid", Type: 1}})
	modColor := mb.AddEnum("color", 4, false, []btf.EnumValue{{Name: "BLUE", Value: 7}})
	only := mb.AddStruct("modonly", 4, []btf.Member{{Name: "pid", Type: 1}})
	mod, err := mb.Spec()
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := NewTarget(vmlinux, Module{Name: "mod", Spec: mod})
	if err != nil {
		t.Fatal(err)
	}
	l := newEngineLocal()
	lonly := l.b.AddStruct("modonly", 4, []btf.Member{{Name: "pid", Type: l.tInt}})
	res, err := Relocate(l.buildObject(t, []reloCase{
		{kind: btf.CORETypeIDTarget, typ: l.task, access: "0", insn: ldimm64(uint64(l.task))},
		{kind: btf.CORETypeIDTarget, typ: lonly, access: "0", insn: ldimm64(uint64(lonly))},
		{kind: btf.COREEnumValue, typ: l.color, access: "0", insn: ldimm64(2)},
	}), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Relocations[0]; len(r.Matches) != 1 || r.Matches[0].Module != "vmlinux" || r.Value == uint64(modTask) {
		t.Errorf("task: %+v, want only vmlinux's", r)
	}
	if r := res.Relocations[1]; len(r.Matches) != 1 || r.Matches[0].Module != "mod" || r.Value != uint64(only) {
		t.Errorf("modonly: %+v, want the module's [%d]", r, only)
	}
	if r := res.Relocations[2]; r.Value != 1<<40 || r.Matches[0].TypeID == modColor {
		t.Errorf("color: %+v, want vmlinux's", r)
	}
}

// TestEngineErrors checks that bad records give errors naming the program
// and instruction.
func TestEngineErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		rc   func(l *engineLocal) reloCase
		want error
	}{
		{"member out of range", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:9", insn: ldx(opLdxW, 0)}
		}, ErrBadRelocation},
		{"array index out of range", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:4:16", insn: ldx(opLdxB, 0)}
		}, ErrBadRelocation},
		{"enum value out of range", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREEnumValue, typ: l.color, access: "2", insn: ldimm64(0)}
		}, ErrBadRelocation},
		{"bad access string", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0::1", insn: ldx(opLdxW, 0)}
		}, ErrBadRelocation},
		{"type relocation with an access path", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.CORETypeExists, typ: l.task, access: "0:1", insn: mov(1)}
		}, ErrBadRelocation},
		{"anonymous type", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.anon, access: "0:0", insn: ldx(opLdxW, 0)}
		}, ErrBadRelocation},
		{"unexpected instruction value", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 5)}
		}, ErrBadRelocation},
		{"not an instruction", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 4), off: 4}
		}, ErrBadRelocation},
		{"past the section", func(l *engineLocal) reloCase {
			return reloCase{kind: btf.COREFieldByteOffset, typ: l.task, access: "0:1", insn: ldx(opLdxW, 4), off: 800}
		}, ErrBadRelocation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := engineTarget(t, nil)
			l := newEngineLocal()
			pad := reloCase{kind: btf.COREFieldExists, typ: l.task, access: "0:1", insn: mov(1)}
			_, err := Relocate(l.buildObject(t, []reloCase{pad, tc.rc(l)}), &Target{VMLinux: target})
			var re *RelocationError
			if !errors.As(err, &re) || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want a RelocationError wrapping %v", err, tc.want)
			}
			if re.Index != 1 || re.Section != "kprobe/x" {
				t.Errorf("error names relo #%d of %q: %v", re.Index, re.Section, err)
			}
			if re.Program != "" && (re.Program != "prog" || re.Insn != 1) {
				t.Errorf("error names prog %q insn #%d: %v", re.Program, re.Insn, err)
			}
			t.Log(err)
		})
	}
}

// TestEssentialName checks flavor stripping as libbpf does it.
func TestEssentialName(t *testing.T) {
	for in, want := range map[string]string{
		"task_struct":          "task_struct",
		"task_struct___v1":     "task_struct",
		"task_struct___v1___2": "task_struct___v1",
		"a____b":               "a____b",
		"a_b___c":              "a_b",
		"___x":                 "___x",
		"x___":                 "x___",
		"x____":                "x____",
		"":                     "",
	} {
		if got := essentialName(in); got != want {
			t.Errorf("essentialName(%q) = %q, want %q", in, got, want)
		}
	}
}
