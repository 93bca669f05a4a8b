package dedup

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// The cases of libbpf's own dedup selftests (the kernel's
// tools/testing/selftests/bpf/prog_tests/btf.c, dedup_tests[]), written
// anew with this package's helpers; the expected results are those the
// selftests give for libbpf 1.1.
func TestSelftestVectors(t *testing.T) {
	var cases []dedupCase

	{ // Strings that no type uses are dropped.
		s := newStrTab("unused", "int", "foo", "bar", "long")
		cases = append(cases, dedupCase{
			name: "unused strings filtering",
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32),
				tInt(s.o("long"), 8, btf.IntSigned, 64),
			), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] INT 'long' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED`,
			wantStrs: "\x00int\x00long\x00",
		})
	}
	{ // The same string stored several times is kept once, and types
		// that differ only in which copy they name are duplicates.
		strs := "\x00int\x00long int\x00int\x00long int\x00int\x00"
		cases = append(cases, dedupCase{
			name: "strings deduplication",
			raw: rawBTF(cat(
				tInt(1, 4, btf.IntSigned, 32),
				tInt(5, 8, btf.IntSigned, 64),
				tInt(14, 4, btf.IntSigned, 32),
				tInt(18, 8, btf.IntSigned, 64),
				tInt(27, 4, btf.IntSigned, 32),
			), strs),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] INT 'long int' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED`,
			wantStrs: "\x00int\x00long int\x00",
		})
	}
	{ // Two compilation units with the same struct graph, one knowing
		// struct s only by a FWD: one copy of each type remains and the
		// FWD resolves to the struct.
		s := newStrTab("int", "s", "next", "x", "t", "ps")
		cases = append(cases, dedupCase{
			name: "struct example",
			raw: rawBTF(cat(
				// CU 1: struct s { struct s *next; int x; }; struct t { struct s *ps; }
				tInt(s.o("int"), 4, btf.IntSigned, 32),                                    // [1]
				tStruct(btf.KindStruct, s.o("s"), 16, s.o("next"), 3, 0, s.o("x"), 1, 64), // [2]
				tPtr(2), // [3]
				tStruct(btf.KindStruct, s.o("t"), 8, s.o("ps"), 3, 0), // [4]
				// CU 2: struct s; struct t { struct s *ps; }
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [5]
				tFwd(s.o("s"), false),                  // [6]
				tPtr(6),                                // [7]
				tStruct(btf.KindStruct, s.o("t"), 8, s.o("ps"), 7, 0), // [8]
				// CU 3: struct s in full again, found before struct t
				tStruct(btf.KindStruct, s.o("s"), 16, s.o("next"), 10, 0, s.o("x"), 11, 64), // [9]
				tPtr(9),                                // [10]
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [11]
			), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] STRUCT 's' size=16 vlen=2
	'next' type_id=3 bits_offset=0
	'x' type_id=1 bits_offset=64
[3] PTR '(anon)' type_id=2
[4] STRUCT 't' size=8 vlen=1
	'ps' type_id=3 bits_offset=0`,
		})
	}
	{ // A pointer to void and a pointer to an empty struct are not the
		// same, so neither are the structs holding them.
		s := newStrTab("s", "x", "e")
		cases = append(cases, dedupCase{
			name: "void equiv check",
			raw: rawBTF(cat(
				tStruct(btf.KindStruct, s.o("s"), 8, s.o("x"), 2, 0), // [1]
				tPtr(0), // [2]
				tStruct(btf.KindStruct, s.o("s"), 8, s.o("x"), 4, 0), // [3]
				tPtr(5),                              // [4]
				tStruct(btf.KindStruct, s.o("e"), 0), // [5]
			), s.data),
			want: `
[1] STRUCT 's' size=8 vlen=1
	'x' type_id=2 bits_offset=0
[2] PTR '(anon)' type_id=0
[3] STRUCT 's' size=8 vlen=1
	'x' type_id=4 bits_offset=0
[4] PTR '(anon)' type_id=5
[5] STRUCT 'e' size=0 vlen=0`,
		})
	}
	{ // One type of every kind and no duplicates: nothing changes.
		s := newStrTab("int", "s", "m", "u", "e", "v", "f", "td", "fn", "p", "var", ".data", "fl", "tag", "e64", "V64")
		raw := cat(
			tInt(s.o("int"), 4, btf.IntSigned, 32), // [1]
			tPtr(1),                                // [2]
			tArray(1, 1, 4),                        // [3]
			tStruct(btf.KindStruct, s.o("s"), 8, s.o("m"), 1, 0), // [4]
			tStruct(btf.KindUnion, s.o("u"), 4, s.o("m"), 1, 0),  // [5]
			tEnum(s.o("e"), 4, s.o("v"), 1),                      // [6]
			tFwd(s.o("f"), true),                                 // [7]
			tRef(btf.KindTypedef, s.o("td"), 1),                  // [8]
			tRef(btf.KindVolatile, 0, 1),                         // [9]
			tRef(btf.KindConst, 0, 1),                            // [10]
			tRef(btf.KindRestrict, 0, 2),                         // [11]
			tProto(1, s.o("p"), 1),                               // [12]
			tFunc(s.o("fn"), 12, btf.LinkageGlobal),              // [13]
			tVar(s.o("var"), 1),                                  // [14]
			tDatasec(s.o(".data"), 4, 14, 0, 4),                  // [15]
			tFloat(s.o("fl"), 8),                                 // [16]
			tDeclTag(s.o("tag"), 13, -1),                         // [17]
			tTypeTag(s.o("tag"), 2),                              // [18]
			tEnum64(s.o("e64"), 8, s.o("V64"), 1, 1),             // [19]
		)
		cases = append(cases, dedupCase{
			name: "all possible kinds (no duplicates)",
			raw:  rawBTF(raw, s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] PTR '(anon)' type_id=1
[3] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4
[4] STRUCT 's' size=8 vlen=1
	'm' type_id=1 bits_offset=0
[5] UNION 'u' size=4 vlen=1
	'm' type_id=1 bits_offset=0
[6] ENUM 'e' encoding=UNSIGNED size=4 vlen=1
	'v' val=1
[7] FWD 'f' fwd_kind=union
[8] TYPEDEF 'td' type_id=1
[9] VOLATILE '(anon)' type_id=1
[10] CONST '(anon)' type_id=1
[11] RESTRICT '(anon)' type_id=2
[12] FUNC_PROTO '(anon)' ret_type_id=1 vlen=1
	'p' type_id=1
[13] FUNC 'fn' type_id=12 linkage=global
[14] VAR 'var' type_id=1, linkage=static
[15] DATASEC '.data' size=4 vlen=1
	type_id=14 offset=0 size=4 (VAR 'var')
[16] FLOAT 'fl' size=8
[17] DECL_TAG 'tag' type_id=13 component_idx=-1
[18] TYPE_TAG 'tag' type_id=2
[19] ENUM64 'e64' encoding=UNSIGNED size=8 vlen=1
	'V64' val=4294967297ULL`,
		})
	}
	runCases(t, cases)
}
