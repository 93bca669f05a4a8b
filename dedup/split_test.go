package dedup

import (
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// The cases of libbpf's split BTF selftests (the kernel's
// tools/testing/selftests/bpf/prog_tests/btf_dedup_split.c), written anew:
// a base, and a split part that repeats base types and its own.
func TestSplitVectors(t *testing.T) {
	var cases []dedupCase
	{ // split_simple: duplicates of base types disappear.
		b := newStrTab("int", "s1", "f1")
		base := rawBTF(cat(
			tInt(b.o("int"), 4, btf.IntSigned, 32), // [1]
			tPtr(1),                                // [2]
			tStruct(btf.KindStruct, b.o("s1"), 4, b.o("f1"), 1, 0), // [3]
		), b.data)
		s := newSplitStrTab(len(b.data), "s2", "f1", "f2", "f3", "int", "s1")
		cases = append(cases, dedupCase{
			name: "split_simple",
			base: base,
			raw: rawBTF(cat(
				tStruct(btf.KindStruct, s.o("s2"), 16, s.o("f1"), 6, 0, s.o("f2"), 5, 32, s.o("f3"), 2, 64), // [4]
				tInt(s.o("int"), 4, btf.IntSigned, 32),                                                      // [5]
				tStruct(btf.KindStruct, s.o("s1"), 4, s.o("f1"), 5, 0),                                      // [6]
			), s.data),
			want: `
[4] STRUCT 's2' size=16 vlen=3
	'f1' type_id=3 bits_offset=0
	'f2' type_id=1 bits_offset=32
	'f3' type_id=2 bits_offset=64`,
		})
	}
	{ // split_fwd_resolve: a split FWD resolves to the base struct.
		b := newStrTab("int", "s1", "f1", "f2", "s2")
		base := rawBTF(cat(
			tInt(b.o("int"), 4, btf.IntSigned, 32), // [1]
			tPtr(4),                                // [2]
			tPtr(5),                                // [3]
			tStruct(btf.KindStruct, b.o("s1"), 16, b.o("f1"), 2, 0, b.o("f2"), 3, 64), // [4]
			tStruct(btf.KindStruct, b.o("s2"), 4, b.o("f1"), 1, 0),                    // [5]
		), b.data)
		s := newSplitStrTab(len(b.data), "int", "s2", "s1", "f1", "f2")
		cases = append(cases, dedupCase{
			name: "split_fwd_resolve",
			base: base,
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [6]
				tPtr(10),                               // [7]
				tFwd(s.o("s2"), false),                 // [8]
				tPtr(8),                                // [9]
				tStruct(btf.KindStruct, s.o("s1"), 16, s.o("f1"), 7, 0, s.o("f2"), 9, 64), // [10]
			), s.data),
			want: ``,
		})
	}
	{ // split_struct_duped: a split struct that completes a base FWD
		// stays in the split part, and so do the types that use it.
		b := newStrTab("int", "s2", "s1", "f1", "f2")
		base := rawBTF(cat(
			tInt(b.o("int"), 4, btf.IntSigned, 32), // [1]
			tPtr(5),                                // [2]
			tFwd(b.o("s2"), false),                 // [3]
			tPtr(3),                                // [4]
			tStruct(btf.KindStruct, b.o("s1"), 16, b.o("f1"), 2, 0, b.o("f2"), 4, 64), // [5]
		), b.data)
		s := newSplitStrTab(len(b.data), "int", "s2", "s1", "f1", "f2", "f3", "f4", "s3")
		cases = append(cases, dedupCase{
			name: "split_struct_duped",
			base: base,
			raw: rawBTF(cat(
				tInt(s.o("int"), 4, btf.IntSigned, 32), // [6]
				tPtr(10),                               // [7]
				tFwd(s.o("s2"), false),                 // [8]
				tPtr(11),                               // [9]
				tStruct(btf.KindStruct, s.o("s1"), 16, s.o("f1"), 7, 0, s.o("f2"), 9, 64), // [10]
				tStruct(btf.KindStruct, s.o("s2"), 40, s.o("f1"), 7, 0, s.o("f2"), 9, 64,
					s.o("f3"), 6, 128, s.o("f4"), 10, 192), // [11]
				tPtr(8), // [12]
				tStruct(btf.KindStruct, s.o("s3"), 8, s.o("f1"), 12, 0), // [13]
			), s.data),
			want: `
[6] PTR '(anon)' type_id=8
[7] PTR '(anon)' type_id=9
[8] STRUCT 's1' size=16 vlen=2
	'f1' type_id=6 bits_offset=0
	'f2' type_id=7 bits_offset=64
[9] STRUCT 's2' size=40 vlen=4
	'f1' type_id=6 bits_offset=0
	'f2' type_id=7 bits_offset=64
	'f3' type_id=1 bits_offset=128
	'f4' type_id=8 bits_offset=192
[10] STRUCT 's3' size=8 vlen=1
	'f1' type_id=7 bits_offset=0`,
		})
	}
	{ // split_dup_struct_in_cu: the same anonymous struct twice in one
		// compilation unit, in the base (deduplicated) and in the split
		// part (not yet).
		cu := func(st *strTab, start uint32) []uint32 {
			return cat(
				tInt(st.o("int"), 4, btf.IntSigned, 32),                                             // [1]
				tStruct(btf.KindStruct, st.o("s"), 8, st.o("a"), start+3, 0, st.o("b"), start+4, 0), // [2]
				tStruct(btf.KindStruct, 0, 8, st.o("f1"), start+1, 0, st.o("f2"), start+1, 32),      // [3]
				tStruct(btf.KindStruct, 0, 8, st.o("f1"), start+1, 0, st.o("f2"), start+1, 32),      // [4]
			)
		}
		b := newStrTab("int", "s", "a", "b", "f1", "f2")
		baseSpec, err := btf.Decode(rawBTF(cu(b, 0), b.data), nil)
		if err != nil {
			t.Fatal(err)
		}
		baseOut, _, err := Dedup(baseSpec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := baseOut.NumTypes(), 3; got != want {
			t.Fatalf("base dedup: %d types, want %d", got, want)
		}
		base := baseOut.Marshal(nil)
		s := newSplitStrTab(baseOut.StringsSize(), "int", "s", "a", "b", "f1", "f2")
		cases = append(cases, dedupCase{
			name: "split_dup_struct_in_cu",
			base: base,
			raw:  rawBTF(cu(s, 3), s.data),
			want: ``,
		})
	}
	runCases(t, cases)
}
