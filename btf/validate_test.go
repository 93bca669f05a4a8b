package btf

import (
	"errors"
	"strings"
	"testing"
)

// validateCase is a hand-built spec and the exact error Validate reports,
// or "" when it is valid. The same cases run against the kernel in
// TestValidateAgreesWithKernel.
type validateCase struct {
	name  string
	build func(b *Builder)
	msg   string
}

// raw adds a record of kind k with the given name, vlen, kind flag and words.
func raw(b *Builder, name string, k Kind, vlen int, kflag bool, words ...uint32) TypeID {
	off := uint32(0)
	if name != "" {
		off = b.AddString(name)
	}
	return b.AddRaw(append([]uint32{off, info(k, vlen, kflag)}, words...))
}

func i32(b *Builder) TypeID { return b.AddInt("int", 4, IntSigned, 32) }

var validateCases = []validateCase{
	// Loops through structs and arrays by value (btf_struct_resolve,
	// btf_array_resolve, env_stack_push).
	{"struct contains itself", func(b *Builder) {
		b.AddStruct("s", 8, []Member{{Name: "self", Type: 1}})
	}, `btf: type [1] at offset 0x18: STRUCT "s": Loop detected`},
	{"structs contain each other", func(b *Builder) {
		b.AddStruct("a", 8, []Member{{Name: "b", Type: 2}})
		b.AddStruct("b", 8, []Member{{Name: "a", Type: 1}})
	}, `btf: type [1] at offset 0x18: STRUCT "a": Loop detected`},
	{"struct contains an array of itself", func(b *Builder) {
		i := i32(b)
		b.AddStruct("s", 8, []Member{{Name: "arr", Type: 3}})
		b.AddArray(2, i, 1)
	}, `btf: type [2] at offset 0x28: STRUCT "s": Loop detected`},
	{"struct contains a typedef of itself", func(b *Builder) {
		b.AddStruct("s", 8, []Member{{Name: "t", Type: 2}})
		b.AddTypedef("s_t", 1)
	}, `btf: type [1] at offset 0x18: STRUCT "s": Loop detected`},
	{"struct points to itself", func(b *Builder) {
		p := b.AddPointer(2)
		b.AddStruct("list", 8, []Member{{Name: "next", Type: p}})
	}, ""},
	{"function pointer taking itself", func(b *Builder) {
		p := b.AddPointer(2)
		b.AddFuncProto(0, []Param{{Name: "f", Type: p}})
	}, ""},
	{"typedef of itself", func(b *Builder) { b.AddTypedef("t", 1) },
		`btf: type [1] at offset 0x18: TYPEDEF "t": Loop detected`},
	// DATASEC (btf_datasec_check_meta, btf_datasec_resolve).
	{"datasec variable past the section", func(b *Builder) {
		v := b.AddVar("v", i32(b), LinkageGlobal)
		b.AddDatasec(".data", 4, []VarSecinfo{{Type: v, Offset: 2, Size: 4}})
	}, `btf: type [3] at offset 0x44: DATASEC ".data": variable 0 (type_id=2 offset=2 size=4): Invalid offset+size`},
	{"datasec variable larger than its slot", func(b *Builder) {
		v := b.AddVar("v", i32(b), LinkageGlobal)
		b.AddDatasec(".data", 4, []VarSecinfo{{Type: v, Offset: 0, Size: 2}})
	}, `btf: type [3] at offset 0x44: DATASEC ".data": variable 0 (size=2, its type 4 bytes): Invalid size`},
	{"datasec of size 0", func(b *Builder) {
		b.AddDatasec(".bss", 0, nil)
	}, `btf: type [1] at offset 0x20: DATASEC ".bss": size == 0`},
	{"datasec entry not a var", func(b *Builder) {
		b.AddDatasec(".data", 4, []VarSecinfo{{Type: i32(b) + 1, Offset: 0, Size: 4}})
		b.AddFunc("f", 3, LinkageGlobal)
		b.AddFuncProto(0, nil)
	}, `btf: type [2] at offset 0x34: DATASEC ".data": variable 0: Not a VAR kind member`},
	{"datasec named with a space", func(b *Builder) {
		b.AddDatasec(".data x", 4, nil)
	}, ""},
	// Names (btf_name_valid_identifier, KSYM_NAME_LEN).
	{"name of a million characters", func(b *Builder) { b.AddTypedef(strings.Repeat("a", 1e6), i32(b)) },
		`btf: type [2] at offset 0x28: TYPEDEF "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (1000000 bytes): Invalid name`},
	{"100000 type tags sharing a name of 4 MiB", func(b *Builder) {
		i, name := i32(b), b.AddString(strings.Repeat("t", 4<<20))
		for range 100000 {
			b.AddRaw([]uint32{name, info(KindTypeTag, 0, false), uint32(i)})
		}
	}, ""},
	{"name of 512 characters", func(b *Builder) { b.AddStruct(strings.Repeat("s", 512), 0, nil) }, ""},
	{"name of 513 characters", func(b *Builder) { b.AddStruct(strings.Repeat("s", 513), 0, nil) },
		`btf: type [1] at offset 0x18: STRUCT "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"... (513 bytes): Invalid name`},
	{"name starting with a digit", func(b *Builder) { b.AddTypedef("1t", i32(b)) },
		`btf: type [2] at offset 0x28: TYPEDEF "1t": Invalid name`},
	{"member name with a dash", func(b *Builder) { b.AddStruct("s", 4, []Member{{Name: "a-b", Type: i32(b)}}) },
		`btf: type [2] at offset 0x34: STRUCT "s": member 0 "a-b": Invalid name`},
	{"name of Latin-1 letters", func(b *Builder) { b.AddTypedef("\xe9t\xe9", i32(b)) }, ""},
	{"name with a dot", func(b *Builder) { b.AddFunc("f.isra.0", b.AddFuncProto(0, nil), LinkageStatic) }, ""},
	{"anonymous typedef", func(b *Builder) { b.AddTypedef("", i32(b)) },
		`btf: type [2] at offset 0x28: TYPEDEF "": Invalid name`},
	{"named pointer", func(b *Builder) { raw(b, "p", KindPointer, 0, false, 0) },
		`btf: type [1] at offset 0x18: PTR "p": Invalid name`},
	// DECL_TAG (btf_decl_tag_check_meta, btf_decl_tag_resolve).
	{"decl tag member index out of range", func(b *Builder) {
		s := b.AddStruct("s", 4, []Member{{Name: "a", Type: i32(b)}})
		b.AddDeclTag("t", s, 1, false)
	}, `btf: type [3] at offset 0x4c: DECL_TAG "t": Invalid component_idx`},
	{"decl tag parameter index out of range", func(b *Builder) {
		f := b.AddFunc("f", b.AddFuncProto(0, []Param{{Name: "x", Type: i32(b)}}), LinkageGlobal)
		b.AddDeclTag("t", f, 1, false)
	}, `btf: type [4] at offset 0x54: DECL_TAG "t": Invalid component_idx`},
	{"decl tag index below -1", func(b *Builder) { b.AddDeclTag("t", i32(b), -2, false) },
		`btf: type [2] at offset 0x34: DECL_TAG "t": Invalid component_idx`},
	{"decl tag index on a typedef", func(b *Builder) { b.AddDeclTag("t", b.AddTypedef("t", i32(b)), 0, false) },
		`btf: type [3] at offset 0x40: DECL_TAG "t": Invalid component_idx`},
	{"decl tag on an int", func(b *Builder) { b.AddDeclTag("t", i32(b), -1, false) },
		`btf: type [2] at offset 0x30: DECL_TAG "t": Invalid type_id`},
	// Kind flags (the check_meta functions).
	{"kflag on INT", func(b *Builder) { raw(b, "int", KindInt, 0, true, 4, 32) },
		`btf: type [1] at offset 0x1c: INT "int": Invalid btf_info kind_flag`},
	{"kflag on PTR", func(b *Builder) { raw(b, "", KindPointer, 0, true, 0) },
		`btf: type [1] at offset 0x1c: PTR "": Invalid btf_info kind_flag`},
	{"kflag on ARRAY", func(b *Builder) { raw(b, "", KindArray, 0, true, 0, uint32(i32(b)), 1, 1) },
		`btf: type [2] at offset 0x2c: ARRAY "": Invalid btf_info kind_flag`},
	{"kflag on FUNC", func(b *Builder) { raw(b, "f", KindFunc, 0, true, uint32(b.AddFuncProto(0, nil))) },
		`btf: type [2] at offset 0x28: FUNC "f": Invalid btf_info kind_flag`},
	{"kflag on FUNC_PROTO", func(b *Builder) { raw(b, "", KindFuncProto, 0, true, 0) },
		`btf: type [1] at offset 0x1c: FUNC_PROTO "": Invalid btf_info kind_flag`},
	{"kflag on VAR", func(b *Builder) { raw(b, "v", KindVar, 0, true, uint32(i32(b)), 0) },
		`btf: type [2] at offset 0x2c: VAR "v": Invalid btf_info kind_flag`},
	{"kflag on DATASEC", func(b *Builder) { raw(b, ".data", KindDatasec, 0, true, 4) },
		`btf: type [1] at offset 0x1c: DATASEC ".data": Invalid btf_info kind_flag`},
	{"kflag on FLOAT", func(b *Builder) { raw(b, "double", KindFloat, 0, true, 8) },
		`btf: type [1] at offset 0x1c: FLOAT "double": Invalid btf_info kind_flag`},
	{"kflag on TYPEDEF", func(b *Builder) { raw(b, "t", KindTypedef, 0, true, uint32(i32(b))) },
		`btf: type [2] at offset 0x2c: TYPEDEF "t": Invalid btf_info kind_flag`},
	{"kflag on TYPE_TAG, DECL_TAG, FWD, ENUM", func(b *Builder) {
		i := i32(b)
		b.AddTypeTag("attr", i, true)
		b.AddDeclTag("attr", b.AddTypedef("t", i), -1, true)
		b.AddFwd("u", true)
		b.AddEnum("e", 4, true, []EnumValue{{Name: "E", Value: 1}})
	}, ""},
	// Linkage (btf_func_check_meta, btf_var_check_meta).
	{"FUNC extern", func(b *Builder) { b.AddFunc("f", b.AddFuncProto(0, nil), LinkageExtern) },
		`btf: type [2] at offset 0x28: FUNC "f": Invalid func linkage`},
	{"FUNC linkage 3", func(b *Builder) { b.AddFunc("f", b.AddFuncProto(0, nil), 3) },
		`btf: type [2] at offset 0x28: FUNC "f": Invalid func linkage`},
	{"VAR extern", func(b *Builder) { b.AddVar("v", i32(b), LinkageExtern) },
		`btf: type [2] at offset 0x34: VAR "v": Linkage not supported`},
	{"FUNC of an INT", func(b *Builder) { b.AddFunc("f", i32(b), LinkageGlobal) },
		`btf: type [2] at offset 0x30: FUNC "f": Invalid type_id`},
	{"FUNC with an unnamed parameter", func(b *Builder) {
		b.AddFunc("f", b.AddFuncProto(0, []Param{{Type: i32(b)}}), LinkageGlobal)
	}, `btf: type [3] at offset 0x44: FUNC "f": Invalid arg#1`},
	{"void parameter", func(b *Builder) { b.AddFuncProto(0, []Param{{Name: "x"}}) },
		`btf: type [1] at offset 0x24: FUNC_PROTO "": Invalid arg#1`},
	// INT (btf_int_check_meta).
	{"INT of 129 bits", func(b *Builder) { raw(b, "i", KindInt, 0, false, 32, 129) },
		`btf: type [1] at offset 0x24: INT "i": nr_bits exceeds 128`},
	{"INT bits past its size", func(b *Builder) { raw(b, "i", KindInt, 0, false, 4, 16<<16|24) },
		`btf: type [1] at offset 0x24: INT "i": nr_bits exceeds type_size`},
	{"INT reserved bits", func(b *Builder) { raw(b, "i", KindInt, 0, false, 4, 1<<28|32) },
		`btf: type [1] at offset 0x24: INT "i": Invalid int_data:10000020`},
	{"INT of two encodings", func(b *Builder) { raw(b, "i", KindInt, 0, false, 4, 3<<24|32) },
		`btf: type [1] at offset 0x24: INT "i": Unsupported encoding`},
	{"INT of size 4294967295", func(b *Builder) { b.AddInt("huge", 0xffffffff, 0, 128) }, ""},
	{"INT of 0 bits and size 3", func(b *Builder) { b.AddInt("none", 3, 0, 0) }, ""},
	// Vlen on kinds that have none.
	{"vlen on INT", func(b *Builder) { raw(b, "i", KindInt, 1, false, 4, 32) },
		`btf: type [1] at offset 0x1c: INT "i": vlen != 0`},
	{"vlen on PTR", func(b *Builder) { raw(b, "", KindPointer, 2, false, 0) },
		`btf: type [1] at offset 0x1c: PTR "": vlen != 0`},
	{"vlen on FWD", func(b *Builder) { raw(b, "f", KindFwd, 1, false, 0) },
		`btf: type [1] at offset 0x1c: FWD "f": vlen != 0`},
	{"vlen on VAR", func(b *Builder) { raw(b, "v", KindVar, 1, false, uint32(i32(b)), 0) },
		`btf: type [2] at offset 0x2c: VAR "v": vlen != 0`},
	{"vlen on FLOAT", func(b *Builder) { raw(b, "f", KindFloat, 1, false, 4) },
		`btf: type [1] at offset 0x1c: FLOAT "f": vlen != 0`},
	{"vlen on DECL_TAG", func(b *Builder) { raw(b, "t", KindDeclTag, 1, false, uint32(b.AddTypedef("t", i32(b))), 0xffffffff) },
		`btf: type [3] at offset 0x38: DECL_TAG "t": vlen != 0`},
	{"vlen on TYPE_TAG", func(b *Builder) { raw(b, "t", KindTypeTag, 1, false, uint32(i32(b))) },
		`btf: type [2] at offset 0x2c: TYPE_TAG "t": vlen != 0`},
	// Members (btf_struct_check_meta and the check_member functions).
	{"member past the end", func(b *Builder) {
		i := i32(b)
		b.AddStruct("s", 4, []Member{{Name: "a", Type: i}, {Name: "b", Type: i, BitOffset: 32}})
	}, `btf: type [2] at offset 0x40: STRUCT "s": member 1 "b": Member exceeds struct_size`},
	{"void member", func(b *Builder) { b.AddStruct("s", 4, []Member{{Name: "a"}}) },
		`btf: type [1] at offset 0x24: STRUCT "s": member 0 "a": Invalid type_id`},
	{"members out of order", func(b *Builder) {
		i := i32(b)
		b.AddStruct("s", 8, []Member{{Name: "a", Type: i, BitOffset: 32}, {Name: "b", Type: i}})
	}, `btf: type [2] at offset 0x40: STRUCT "s": member 1 "b": Invalid member bits_offset`},
	{"type tag after const", func(b *Builder) { b.AddTypeTag("t", b.AddQualifier(KindConst, i32(b)), false) }, ""},
	{"const before type tag", func(b *Builder) { b.AddQualifier(KindConst, b.AddTypeTag("t", i32(b), false)) },
		`btf: type [3] at offset 0x34: CONST "": Type tags don't precede modifiers`},
	{"33 typedefs, each of the next", func(b *Builder) {
		for i := range 33 {
			b.AddTypedef("t", TypeID(i+2))
		}
		i32(b)
	}, `btf: type [1] at offset 0x18: TYPEDEF "t": Exceeded max resolving depth:32`},
	{"33 typedefs, each of the previous", func(b *Builder) {
		id := i32(b)
		for range 33 {
			id = b.AddTypedef("t", id)
		}
	}, ""},
}

// buildCase builds tc's spec, allowing the reference loops Validate judges.
func buildCase(t testing.TB, tc validateCase) *Spec {
	t.Helper()
	b := NewBuilder(nil)
	tc.build(b)
	s, err := b.SpecWith(&DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	return s
}

// caseBlob is tc's spec encoded as raw little-endian BTF.
func caseBlob(t testing.TB, tc validateCase) []byte { return buildCase(t, tc).Marshal(nil) }

func TestValidateCases(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			err := buildCase(t, tc).Validate()
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTypeLoop) {
					t.Errorf("%v wraps neither ErrInvalid nor ErrTypeLoop", err)
				}
			}
			if got != tc.msg {
				t.Errorf("Validate\n got: %s\nwant: %s", got, tc.msg)
			}
		})
	}
}
