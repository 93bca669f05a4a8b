package dedup

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// nth returns the offset of the n-th string (1-based, after the leading
// empty string) of a string section, as the selftests' NAME_NTH does.
func nth(strs string, n int) uint32 {
	off := 0
	for i := 0; i < n; i++ {
		for strs[off] != 0 {
			off++
		}
		off++
	}
	return uint32(off)
}

// More of libbpf's dedup_tests[], with the inputs as the selftests give
// them and the results libbpf 1.1 gives (which keeps strings in order of
// first use rather than sorted, as the oldest selftests expected).
func TestSelftestVectors2(t *testing.T) {
	var cases []dedupCase
	{
		strs := "\x00int\x00s\x00next\x00a\x00b\x00c\x00float\x00d\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		half := func(int_, arr, st, pnext, pa, cnst, flt uint32) []uint32 {
			return cat(
				tInt(n(1), 4, btf.IntSigned, 32), // int
				tArray(int_, int_, 16),           // int[16]
				tStruct(btf.KindStruct, n(2), 88,
					n(3), pnext, 0, n(4), pa, 64, n(5), arr, 128, n(6), int_, 640, n(8), flt, 672),
				tPtr(st),
				tPtr(cnst),
				tRef(btf.KindConst, 0, int_),
			)
		}
		cases = append(cases, dedupCase{
			name: "struct example #1",
			raw: rawBTF(cat(
				half(1, 2, 3, 4, 5, 6, 15),      // [1]-[6]
				tDeclTag(n(2), 3, -1),           // [7]
				tDeclTag(n(2), 3, 1),            // [8]
				half(9, 10, 11, 12, 13, 14, 15), // [9]-[14]
				tFloat(n(7), 4),                 // [15]
				tDeclTag(n(2), 11, -1),          // [16]
				tDeclTag(n(2), 11, 1),           // [17]
			), strs),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=16
[3] STRUCT 's' size=88 vlen=5
	'next' type_id=4 bits_offset=0
	'a' type_id=5 bits_offset=64
	'b' type_id=2 bits_offset=128
	'c' type_id=1 bits_offset=640
	'd' type_id=9 bits_offset=672
[4] PTR '(anon)' type_id=3
[5] PTR '(anon)' type_id=6
[6] CONST '(anon)' type_id=1
[7] DECL_TAG 's' type_id=3 component_idx=-1
[8] DECL_TAG 's' type_id=3 component_idx=1
[9] FLOAT 'float' size=4`,
			wantStrs: "\x00int\x00s\x00next\x00a\x00b\x00c\x00d\x00float\x00",
		})
	}
	{ // CU 1 knows struct x by a FWD, CU 2 in full; each has struct s.
		strs := "\x00x\x00s\x00x\x00x\x00s\x00x\x00"
		cases = append(cases, dedupCase{
			name: "struct <-> fwd resolution w/ hash collision",
			raw: rawBTF(cat(
				tFwd(1, false),                          // [1]
				tPtr(1),                                 // [2]
				tStruct(btf.KindStruct, 3, 8, 5, 2, 0),  // [3]
				tStruct(btf.KindStruct, 7, 0),           // [4]
				tPtr(4),                                 // [5]
				tStruct(btf.KindStruct, 9, 8, 11, 5, 0), // [6]
			), strs),
			want: `
[1] PTR '(anon)' type_id=3
[2] STRUCT 's' size=8 vlen=1
	'x' type_id=1 bits_offset=0
[3] STRUCT 'x' size=0 vlen=0`,
			wantStrs: "\x00x\x00s\x00",
		})
	}
	{
		strs := "\x00s\x00x\x00"
		cases = append(cases, dedupCase{
			name: "void equiv check (selftest)",
			raw: rawBTF(cat(
				tStruct(btf.KindStruct, 0, 1), // [1] struct {}
				tPtr(1),                       // [2]
				tStruct(btf.KindStruct, nth(strs, 1), 8, nth(strs, 2), 2, 0), // [3]
				tPtr(0), // [4]
				tStruct(btf.KindStruct, nth(strs, 1), 8, nth(strs, 2), 4, 0), // [5]
			), strs),
			want: `
[1] STRUCT '(anon)' size=1 vlen=0
[2] PTR '(anon)' type_id=1
[3] STRUCT 's' size=8 vlen=1
	'x' type_id=2 bits_offset=0
[4] PTR '(anon)' type_id=0
[5] STRUCT 's' size=8 vlen=1
	'x' type_id=4 bits_offset=0`,
		})
	}
	{
		strs := "\x00int\x00some other int\x00float\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		cases = append(cases, dedupCase{
			name: "no int/float duplicates (selftest)",
			raw: rawBTF(cat(
				tInt(n(1), 8, btf.IntSigned, 32),
				tInt(n(2), 8, btf.IntSigned, 32),
				tInt(n(1), 8, btf.IntChar, 32),
				tInt(n(1), 8, btf.IntBool, 32),
				tInt(n(1), 8, btf.IntSigned, 8<<16|32),
				tInt(n(1), 8, btf.IntSigned, 27),
				tInt(n(1), 4, btf.IntSigned, 32),
				tFloat(n(3), 2), tFloat(n(3), 4), tFloat(n(3), 8), tFloat(n(3), 12), tFloat(n(3), 16),
			), strs),
			want: `
[1] INT 'int' size=8 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] INT 'some other int' size=8 bits_offset=0 nr_bits=32 encoding=SIGNED
[3] INT 'int' size=8 bits_offset=0 nr_bits=32 encoding=CHAR
[4] INT 'int' size=8 bits_offset=0 nr_bits=32 encoding=BOOL
[5] INT 'int' size=8 bits_offset=8 nr_bits=32 encoding=SIGNED
[6] INT 'int' size=8 bits_offset=0 nr_bits=27 encoding=SIGNED
[7] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[8] FLOAT 'float' size=2
[9] FLOAT 'float' size=4
[10] FLOAT 'float' size=8
[11] FLOAT 'float' size=12
[12] FLOAT 'float' size=16`,
		})
	}
	{
		strs := "\x00e1\x00e1_val\x00e2\x00e2_val\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		cases = append(cases, dedupCase{
			name: "enum fwd resolution (selftest)",
			raw: rawBTF(cat(
				tEnum(n(1), 4),            // [1] fwd e1 before the full enum
				tEnum(n(1), 4, n(2), 123), // [2]
				tEnum(n(3), 4, n(4), 456), // [3] full e2 before its fwd
				tEnum(n(3), 4),            // [4]
				tEnum(n(1), 1),            // [5] fwd e1 of another size
				tEnum(n(1), 4, n(2), 321), // [6] e1 with another value
			), strs),
			want: `
[1] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'e1_val' val=123
[2] ENUM 'e2' encoding=UNSIGNED size=4 vlen=1
	'e2_val' val=456
[3] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'e1_val' val=321`,
		})
	}
	{
		strs := "\x00.bss\x00t\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		cases = append(cases, dedupCase{
			name: "datasec and vars pass-through (selftest)",
			raw: rawBTF(cat(
				tInt(0, 4, btf.IntSigned, 32), // [1]
				tVar(n(2), 1),                 // [2]
				tDatasec(n(1), 4, 2, 0, 4),    // [3]
				tInt(0, 4, btf.IntSigned, 32), // [4]
				tVar(n(2), 4),                 // [5]
				tDatasec(n(1), 4, 5, 0, 4),    // [6]
			), strs),
			want: `
[1] INT '(anon)' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] VAR 't' type_id=1, linkage=static
[3] DATASEC '.bss' size=4 vlen=1
	type_id=2 offset=0 size=4 (VAR 't')
[4] VAR 't' type_id=1, linkage=static
[5] DATASEC '.bss' size=4 vlen=1
	type_id=4 offset=0 size=4 (VAR 't')`,
		})
	}
	{
		strs := "\x00t\x00a1\x00a2\x00f\x00tag\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		cases = append(cases, dedupCase{
			name: "func/func_arg/var tags",
			raw: rawBTF(cat(
				tInt(0, 4, btf.IntSigned, 32),                // [1]
				tVar(n(1), 1),                                // [2]
				tProto(0, n(2), 1, n(3), 1),                  // [3]
				tFunc(n(4), 2, btf.LinkageStatic),            // [4] (sic: type 2, as the selftest has it)
				tDeclTag(n(5), 2, -1), tDeclTag(n(5), 2, -1), // [5] [6]
				tDeclTag(n(5), 4, -1), tDeclTag(n(5), 4, -1), // [7] [8]
				tDeclTag(n(5), 4, 1), tDeclTag(n(5), 4, 1), // [9] [10]
			), strs),
			want: `
[1] INT '(anon)' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] VAR 't' type_id=1, linkage=static
[3] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2
	'a1' type_id=1
	'a2' type_id=1
[4] FUNC 'f' type_id=2 linkage=static
[5] DECL_TAG 'tag' type_id=2 component_idx=-1
[6] DECL_TAG 'tag' type_id=4 component_idx=-1
[7] DECL_TAG 'tag' type_id=4 component_idx=1`,
		})
	}
	{
		strs := "\x00a1\x00a2\x00f\x00tag1\x00tag2\x00tag3\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		cases = append(cases, dedupCase{
			name: "func/func_param tags (selftest)",
			raw: rawBTF(cat(
				tInt(0, 4, btf.IntSigned, 32),                // [1]
				tProto(0, n(1), 1, n(2), 1),                  // [2]
				tFunc(n(3), 2, btf.LinkageStatic),            // [3]
				tProto(0, n(1), 1, n(2), 1),                  // [4]
				tFunc(n(3), 4, btf.LinkageStatic),            // [5]
				tDeclTag(n(4), 3, -1), tDeclTag(n(5), 3, -1), // [6] [7]
				tDeclTag(n(4), 3, 1), tDeclTag(n(5), 3, 1), // [8] [9]
				tDeclTag(n(4), 5, -1), tDeclTag(n(6), 5, -1), // [10] [11]
				tDeclTag(n(4), 5, 1), tDeclTag(n(6), 5, 1), // [12] [13]
			), strs),
			want: `
[1] INT '(anon)' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2
	'a1' type_id=1
	'a2' type_id=1
[3] FUNC 'f' type_id=2 linkage=static
[4] DECL_TAG 'tag1' type_id=3 component_idx=-1
[5] DECL_TAG 'tag2' type_id=3 component_idx=-1
[6] DECL_TAG 'tag1' type_id=3 component_idx=1
[7] DECL_TAG 'tag2' type_id=3 component_idx=1
[8] DECL_TAG 'tag3' type_id=3 component_idx=-1
[9] DECL_TAG 'tag3' type_id=3 component_idx=1`,
		})
	}
	{
		strs := "\x00t\x00m1\x00m2\x00tag1\x00tag2\x00tag3\x00"
		n := func(i int) uint32 { return nth(strs, i) }
		st := tStruct(btf.KindStruct, n(1), 8, n(2), 1, 0, n(3), 1, 32)
		cases = append(cases, dedupCase{
			name: "struct/struct_member tags",
			raw: rawBTF(cat(
				tInt(0, 4, btf.IntSigned, 32), // [1]
				st, st,                        // [2] [3]
				tDeclTag(n(4), 2, -1), tDeclTag(n(5), 2, -1), // [4] [5]
				tDeclTag(n(4), 2, 1), tDeclTag(n(5), 2, 1), // [6] [7]
				tDeclTag(n(4), 3, -1), tDeclTag(n(6), 3, -1), // [8] [9]
				tDeclTag(n(4), 3, 1), tDeclTag(n(6), 3, 1), // [10] [11]
			), strs),
			want: `
[1] INT '(anon)' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] STRUCT 't' size=8 vlen=2
	'm1' type_id=1 bits_offset=0
	'm2' type_id=1 bits_offset=32
[3] DECL_TAG 'tag1' type_id=2 component_idx=-1
[4] DECL_TAG 'tag2' type_id=2 component_idx=-1
[5] DECL_TAG 'tag1' type_id=2 component_idx=1
[6] DECL_TAG 'tag2' type_id=2 component_idx=1
[7] DECL_TAG 'tag3' type_id=2 component_idx=-1
[8] DECL_TAG 'tag3' type_id=2 component_idx=1`,
		})
	}
	runCases(t, cases)
}
