package dedup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// More of libbpf's dedup selftest cases, and cases of our own for the
// places where libbpf's result depends on the order it tries candidates in.
func TestHandBuilt(t *testing.T) {
	var cases []dedupCase
	{ // INTs and FLOATs that differ in any field are all kept.
		s := newStrTab("int", "some other int", "float")
		cases = append(cases, dedupCase{
			name: "no int/float duplicates",
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32),            // [1]
				tInt(s.o("some other int"), 4, btf.IntSigned, 32), // [2]
				tInt(s.o("int"), 8, btf.IntSigned, 32),            // [3]
				tInt(s.o("int"), 4, btf.IntBool, 32),              // [4]
				tInt(s.o("int"), 4, btf.IntSigned, 16),            // [5]
				tInt(s.o("int"), 4, btf.IntSigned, 8<<16|16),      // [6] bit offset 8
				tFloat(s.o("float"), 4),                           // [7]
				tFloat(s.o("float"), 8),                           // [8]
				tFloat(s.o("float"), 16),                          // [9]
				tInt(s.o("int"), 4, btf.IntSigned, 32),            // [10] duplicate of [1]
				tFloat(s.o("float"), 8),                           // [11] duplicate of [8]
			), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] INT 'some other int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[3] INT 'int' size=8 bits_offset=0 nr_bits=32 encoding=SIGNED
[4] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=BOOL
[5] INT 'int' size=4 bits_offset=0 nr_bits=16 encoding=SIGNED
[6] INT 'int' size=4 bits_offset=8 nr_bits=16 encoding=SIGNED
[7] FLOAT 'float' size=4
[8] FLOAT 'float' size=8
[9] FLOAT 'float' size=16`,
		})
	}
	{ // An enum forward declaration (vlen 0) resolves to the full enum,
		// whether it comes before or after it, and also to an ENUM64.
		s := newStrTab("e1", "e1_val", "e2", "e2_val", "e3", "e3_val")
		cases = append(cases, dedupCase{
			name: "enum fwd resolution",
			raw: rawBTF(cat(
				tEnum(s.o("e1"), 4, s.o("e1_val"), 1),      // [1]
				tEnum(s.o("e1"), 4),                        // [2] fwd after full
				tPtr(2),                                    // [3]
				tEnum(s.o("e2"), 4),                        // [4] fwd before full
				tPtr(4),                                    // [5]
				tEnum(s.o("e2"), 4, s.o("e2_val"), 2),      // [6]
				tEnum(s.o("e3"), 4),                        // [7] fwd of an enum64
				tEnum64(s.o("e3"), 8, s.o("e3_val"), 0, 1), // [8]
			), s.data),
			want: `
[1] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'e1_val' val=1
[2] PTR '(anon)' type_id=1
[3] PTR '(anon)' type_id=4
[4] ENUM 'e2' encoding=UNSIGNED size=4 vlen=1
	'e2_val' val=2
[5] ENUM64 'e3' encoding=UNSIGNED size=8 vlen=1
	'e3_val' val=4294967296ULL`,
		})
	}
	{ // VARs and DATASECs are never deduplicated, but what they refer to
		// is.
		s := newStrTab("int", "x", ".data")
		cases = append(cases, dedupCase{
			name: "datasec and vars pass-through",
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [1]
				tVar(s.o("x"), 1),                      // [2]
				tDatasec(s.o(".data"), 4, 2, 0, 4),     // [3]
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [4]
				tVar(s.o("x"), 4),                      // [5]
				tDatasec(s.o(".data"), 4, 5, 0, 4),     // [6]
			), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] VAR 'x' type_id=1, linkage=static
[3] DATASEC '.data' size=4 vlen=1
	type_id=2 offset=0 size=4 (VAR 'x')
[4] VAR 'x' type_id=1, linkage=static
[5] DATASEC '.data' size=4 vlen=1
	type_id=4 offset=0 size=4 (VAR 'x')`,
		})
	}
	{ // DECL_TAGs are equal when their name, target and component are.
		s := newStrTab("int", "f", "a", "tag1", "tag2")
		cases = append(cases, dedupCase{
			name: "func/func_param tags",
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [1]
				tProto(0, s.o("a"), 1),                 // [2]
				tFunc(s.o("f"), 2, btf.LinkageGlobal),  // [3]
				tDeclTag(s.o("tag1"), 3, -1),           // [4]
				tDeclTag(s.o("tag1"), 3, 0),            // [5]
				tDeclTag(s.o("tag2"), 3, 0),            // [6]
				tProto(0, s.o("a"), 1),                 // [7]
				tFunc(s.o("f"), 7, btf.LinkageGlobal),  // [8]
				tDeclTag(s.o("tag1"), 8, -1),           // [9]
				tDeclTag(s.o("tag1"), 8, 0),            // [10]
				tDeclTag(s.o("tag2"), 8, -1),           // [11]
			), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] FUNC_PROTO '(anon)' ret_type_id=0 vlen=1
	'a' type_id=1
[3] FUNC 'f' type_id=2 linkage=global
[4] DECL_TAG 'tag1' type_id=3 component_idx=-1
[5] DECL_TAG 'tag1' type_id=3 component_idx=0
[6] DECL_TAG 'tag2' type_id=3 component_idx=0
[7] DECL_TAG 'tag2' type_id=3 component_idx=-1`,
		})
	}
	{ // A FWD that no struct graph meets resolves by name when exactly
		// one canonical struct or union has that name (libbpf's
		// btf_dedup_resolve_fwds); with two, or of the other kind, it
		// stays.
		s := newStrTab("int", "foo", "x", "bar", "baz")
		cases = append(cases, dedupCase{
			name: "standalone fwd declarations",
			raw: rawBTF(cat(
				tFwd(s.o("foo"), false),                // [1]
				tPtr(1),                                // [2]
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [3]
				tStruct(btf.KindStruct, s.o("foo"), 4, s.o("x"), 3, 0), // [4]
				tFwd(s.o("bar"), false),                                // [5] ambiguous
				tStruct(btf.KindStruct, s.o("bar"), 4, s.o("x"), 3, 0), // [6]
				tStruct(btf.KindUnion, s.o("bar"), 4, s.o("x"), 3, 0),  // [7]
				tFwd(s.o("baz"), true),                                 // [8] union fwd
				tStruct(btf.KindStruct, s.o("baz"), 4, s.o("x"), 3, 0), // [9] but a struct
			), s.data),
			want: `
[1] PTR '(anon)' type_id=3
[2] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[3] STRUCT 'foo' size=4 vlen=1
	'x' type_id=2 bits_offset=0
[4] FWD 'bar' fwd_kind=struct
[5] STRUCT 'bar' size=4 vlen=1
	'x' type_id=2 bits_offset=0
[6] UNION 'bar' size=4 vlen=1
	'x' type_id=2 bits_offset=0
[7] FWD 'baz' fwd_kind=union
[8] STRUCT 'baz' size=4 vlen=1
	'x' type_id=2 bits_offset=0`,
		})
	}
	{ // The compiler may emit the same array twice in one compilation
		// unit; the struct graphs are still equivalent
		// (btf_dedup_identical_arrays), and so with structs
		// (btf_dedup_identical_structs).
		s := newStrTab("int", "s", "a", "b", "in")
		cu := func(start uint32) []uint32 {
			return cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32),               // +1
				tArray(start+1, start+1, 4),                          // +2
				tArray(start+1, start+1, 4),                          // +3
				tStruct(btf.KindStruct, 0, 4, s.o("in"), start+1, 0), // +4
				tStruct(btf.KindStruct, 0, 4, s.o("in"), start+1, 0), // +5
				tStruct(btf.KindStruct, s.o("s"), 40,
					s.o("a"), start+2, 0, s.o("b"), start+3, 128,
					s.o("in"), start+4, 256, s.o("in"), start+5, 288), // +6
			)
		}
		cases = append(cases, dedupCase{
			name: "identical arrays and structs in one CU",
			raw:  rawBTF(cat(cu(0), cu(6)), s.data),
			want: `
[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4
[3] STRUCT '(anon)' size=4 vlen=1
	'in' type_id=1 bits_offset=0
[4] STRUCT 's' size=40 vlen=4
	'a' type_id=2 bits_offset=0
	'b' type_id=2 bits_offset=128
	'in' type_id=3 bits_offset=256
	'in' type_id=3 bits_offset=288`,
		})
	}
	{ // Two offsets of the same string: enums are compared by their
		// strings, not their offsets (an ENUM64 at the second offsets is a
		// duplicate; one with another value is not).
		s := newStrTab("e", "v", "e", "v")
		e2, v2 := s.o("v")+2, s.o("v")+4 // the second "e" and "v"
		cases = append(cases, dedupCase{
			name: "enum64 names at two offsets",
			raw: rawBTF(cat(
				tEnum64(s.o("e"), 8, s.o("v"), 0, 1), // [1]
				tEnum64(e2, 8, v2, 0, 1),             // [2] duplicate of [1]
				tEnum64(e2, 8, v2, 0, 2),             // [3]
				tEnum(e2, 4, s.o("v"), 0),            // [4]
				tEnum(s.o("e"), 4, v2, 0),            // [5] duplicate of [4]
			), s.data),
			want: `
[1] ENUM64 'e' encoding=UNSIGNED size=8 vlen=1
	'v' val=4294967296ULL
[2] ENUM64 'e' encoding=UNSIGNED size=8 vlen=1
	'v' val=8589934592ULL
[3] ENUM 'e' encoding=UNSIGNED size=4 vlen=1
	'v' val=0`,
		})
	}
	runCases(t, cases)
}

// TestCandidateOrder covers what byte-identical output hinges on: when
// several canonical types in libbpf's hash map are equal to a new one, the
// first in bucket order wins, and that order reverses each time the map
// grows. A base that is not deduplicated holds n copies of "int" and
// filler types that make the map grow at various points; the split "int"
// must map to the copy libbpf picks.
func TestCandidateOrder(t *testing.T) {
	var cases []dedupCase
	for _, n := range []int{2, 3, 5} {
		for _, filler := range []int{0, 1, 2, 3, 5, 9, 20} {
			s := newStrTab("int", "f")
			var base []uint32
			for i := range n {
				base = append(base, tInt(s.o("int"), 4, btf.IntSigned, 32)...)
				for j := range filler * (i + 1) {
					base = append(base, tFloat(s.o("f"), uint32(1+j+100*i))...)
				}
			}
			nb := n + filler*n*(n+1)/2
			sp := newSplitStrTab(len(s.data), "int", "p")
			raw := rawBTF(cat(
				tInt(sp.o("int"), 4, btf.IntSigned, 32),
				tPtr(uint32(nb+1)),
			), sp.data)
			spec := mustDecode(t, rawBTF(base, s.data), nil)
			// Which copy wins is libbpf's call; the expected output
			// is checked against libbpf itself.
			out, _, err := Dedup(mustDecode(t, raw, spec), nil)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, dedupCase{
				name: fmt.Sprintf("%d ints, filler %d", n, filler),
				base: rawBTF(base, s.data),
				raw:  raw,
				want: strings.TrimSpace(dumpText(t, out)),
			})
		}
	}
	winners := map[string]bool{}
	for _, c := range cases {
		winners[c.want] = true
		t.Run(c.name, func(t *testing.T) { dedupBoth(t, c.base, c.raw) })
	}
	// The cases are only worth having if the winner varies.
	if len(winners) < 3 {
		t.Errorf("only %d distinct results over %d cases", len(winners), len(cases))
	}
}

func mustDecode(t *testing.T, raw []byte, base *btf.Spec) *btf.Spec {
	t.Helper()
	s, err := btf.Decode(raw, base)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
