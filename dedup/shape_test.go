package dedup

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// A generator of BTF rich in what shapes must get right (shape.go):
// anonymous structs and unions nested in each other and holding arrays,
// pointers, typedefs, prototypes and enums; named structs that some
// compilation units define, in one of two variants, and others only
// declare (FWD); enum forward declarations; anonymous structs that point
// to themselves. Every struct has the same size and member names, so
// that many are compared.

var (
	shapeStructNames = []string{"S0", "S1", "S2"}
	shapeStrs        = newStrTab("int", "long", "a", "b", "p", "S0", "S1", "S2", "T0", "T1", "E0", "V0")
)

// shapeCU builds one compilation unit's records.
type shapeCU struct {
	r     *rand.Rand
	first uint32
	recs  [][]uint32
	named map[int]uint32 // struct index -> its id in this CU
	self  bool           // whether anonymous self-pointers may be made
}

func (c *shapeCU) reserve() (uint32, int) {
	c.recs = append(c.recs, nil)
	return c.first + uint32(len(c.recs)-1), len(c.recs) - 1
}

func (c *shapeCU) add(rec []uint32) uint32 {
	id, i := c.reserve()
	c.recs[i] = rec
	return id
}

func (c *shapeCU) intType() uint32 {
	if c.r.IntN(4) == 0 {
		return c.add(tInt(shapeStrs.o("long"), 8, btf.IntSigned, 64))
	}
	return c.add(tInt(shapeStrs.o("int"), 4, btf.IntSigned, 32))
}

// namedStruct returns the id of struct k in this CU, adding it the first
// time: a FWD, or a definition whose members come from r, a generator
// that every CU seeds alike for the same variant.
func (c *shapeCU) namedStruct(k int, seed uint64) uint32 {
	if id, ok := c.named[k]; ok {
		return id
	}
	id, i := c.reserve()
	c.named[k] = id
	name := shapeStrs.o(shapeStructNames[k])
	if c.r.IntN(3) == 0 {
		c.recs[i] = tFwd(name, false)
		return id
	}
	variant := uint64(0)
	if c.r.IntN(4) == 0 {
		variant = 1
	}
	own := c.r
	c.r = rand.New(rand.NewPCG(seed, uint64(k)<<8|variant))
	m := c.typ(1, seed)
	c.r = own
	c.recs[i] = tStruct(btf.KindStruct, name, 8, shapeStrs.o("a"), m, 0)
	return id
}

// typ adds a random type of nesting depth at least depth and returns its
// id.
func (c *shapeCU) typ(depth int, seed uint64) uint32 {
	if depth > 7 {
		return c.intType()
	}
	switch c.r.IntN(11) {
	case 0:
		return c.intType()
	case 1:
		if c.r.IntN(2) == 0 {
			to := c.namedStruct(c.r.IntN(len(shapeStructNames)), seed)
			return c.add(tPtr(to))
		}
		return c.add(tPtr(c.typ(depth+1, seed)))
	case 2:
		return c.add(tRef(btf.KindConst, 0, c.typ(depth+1, seed)))
	case 3:
		name := shapeStrs.o("T0")
		if c.r.IntN(2) == 0 {
			name = shapeStrs.o("T1")
		}
		return c.add(tRef(btf.KindTypedef, name, c.typ(depth+1, seed)))
	case 4:
		el := c.typ(depth+1, seed)
		return c.add(tArray(el, c.intType(), 1+uint32(c.r.IntN(2))))
	case 5, 6, 7:
		k := btf.KindStruct
		if c.r.IntN(3) == 0 {
			k = btf.KindUnion
		}
		if c.self && c.r.IntN(6) == 0 {
			id, i := c.reserve()
			p := c.add(tPtr(id))
			c.recs[i] = tStruct(k, 0, 8, shapeStrs.o("a"), p, 0)
			return id
		}
		a := c.typ(depth+1, seed)
		if c.r.IntN(2) == 0 {
			return c.add(tStruct(k, 0, 8, shapeStrs.o("a"), a, 0))
		}
		b := a // the same type twice: a check meets it again
		if c.r.IntN(4) != 0 {
			b = c.typ(depth+1, seed)
		}
		return c.add(tStruct(k, 0, 8, shapeStrs.o("a"), a, 0, shapeStrs.o("b"), b, 0))
	case 8:
		if c.r.IntN(2) == 0 {
			return c.add(tEnum(shapeStrs.o("E0"), 4))
		}
		return c.add(tEnum(shapeStrs.o("E0"), 4, shapeStrs.o("V0"), 0))
	case 9:
		ret := c.typ(depth+1, seed)
		return c.add(tProto(ret, shapeStrs.o("p"), c.typ(depth+1, seed)))
	default:
		return c.namedStruct(c.r.IntN(len(shapeStructNames)), seed)
	}
}

// shapeBTF returns the records of n compilation units from first on.
func shapeBTF(r *rand.Rand, seed uint64, first uint32, n int, self bool) ([]uint32, uint32) {
	var words []uint32
	for range n {
		c := &shapeCU{r: r, first: first, named: map[int]uint32{}, self: self}
		for range 1 + r.IntN(4) {
			// Top-level anonymous types too, drawn like a struct's
			// members so that CUs share them.
			own := c.r
			c.r = rand.New(rand.NewPCG(seed, 1<<16|uint64(r.IntN(3))))
			c.typ(0, seed)
			c.r = own
		}
		for k := range shapeStructNames {
			c.namedStruct(k, seed)
		}
		words = append(words, cat(c.recs...)...)
		first += uint32(len(c.recs))
	}
	return words, first
}

// dedupForced deduplicates spec with the struct pass keyed by shape from
// the start when force is set, and reports whether it was.
func dedupForced(spec *btf.Spec, opts *Options, force bool) (out []byte, keyed bool, err error) {
	if force {
		old := structWorkLimit
		structWorkLimit = func(uint32) int { return 0 }
		keyedHook = func() { keyed = true }
		defer func() { structWorkLimit, keyedHook = old, nil }()
	}
	s, _, err := Dedup(spec, opts)
	if err != nil {
		return nil, keyed, err
	}
	return s.Marshal(nil), keyed, nil
}

// TestShapeKeysKeepDecisions checks that keying the struct pass's index by
// shape changes no decision: on generated BTF, whole and split, with
// libbpf 1.1's and 1.7's semantics, Dedup gives the same bytes (or the
// same error) with the index keyed by shape from the first struct as
// without, and for 1.1 the same bytes as libbpf itself.
func TestShapeKeysKeepDecisions(t *testing.T) {
	libbpfDedup(t)
	const seeds = 300
	keyed := 0
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 2))
		self := seed%3 == 2
		words, next := shapeBTF(r, seed, 1, 2+r.IntN(6), self)
		raw := rawBTF(words, shapeStrs.data)
		splitWords, _ := shapeBTF(r, seed, next, 1+r.IntN(4), self)
		split := rawBTF(splitWords, "") // names in the base's strings
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			spec := mustDecode(t, raw, nil)
			splitSpec := mustDecode(t, split, spec)
			for _, later := range []bool{false, true} {
				for _, s := range []*btf.Spec{spec, splitSpec} {
					opts := &Options{Libbpf17: later}
					what := fmt.Sprintf("libbpf 1.7 semantics %v, split %v", later, s == splitSpec)
					want, _, werr := dedupForced(s, opts, false)
					got, k, gerr := dedupForced(s, opts, true)
					if k && !later && s == spec {
						keyed++
					}
					if fmt.Sprint(werr) != fmt.Sprint(gerr) {
						t.Fatalf("%s: keyed by shape: %v; not: %v", what, gerr, werr)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("%s: keyed by shape, the output differs: %s", what, describeDiff(t, got, want))
					}
					if later {
						continue
					}
					var base []byte
					in := raw
					if s == splitSpec {
						base, in = raw, split
					}
					lib, _, lerr := runLibbpf(t, base, in)
					if (lerr == nil) != (gerr == nil) {
						t.Fatalf("%s: libbpf: %v; keyed by shape: %v", what, lerr, gerr)
					}
					if lerr == nil && !bytes.Equal(got, lib) {
						t.Fatalf("%s: keyed by shape, the output differs from libbpf's: %s", what, describeDiff(t, got, lib))
					}
				}
			}
		})
	}
	t.Logf("the index was keyed by shape on %d of %d generated specs", keyed, seeds)
	if keyed < seeds*9/10 {
		t.Errorf("the index was keyed by shape on only %d of %d specs: the test hardly tests shapes", keyed, seeds)
	}
}

// TestShapeArraysLibbpf17 checks the case where shapes must leave out an
// array's element with libbpf 1.7's semantics: btf_dedup_identical_types
// calls two arrays of one length identical whatever their elements, so a
// struct whose members are int[1] and long[1] is equivalent to one whose
// members are both the same int[1].
func TestShapeArraysLibbpf17(t *testing.T) {
	s := newStrTab("int", "long", "a", "b", "S")
	raw := rawBTF(cat(
		tInt(s.o("int"), 4, btf.IntSigned, 32), // [1]
		tArray(1, 1, 1),                        // [2] int[1]
		tStruct(btf.KindStruct, s.o("S"), 8, // [3]
			s.o("a"), 2, 0, s.o("b"), 2, 32),
		tInt(s.o("int"), 4, btf.IntSigned, 32),  // [4] second CU
		tInt(s.o("long"), 8, btf.IntSigned, 64), // [5]
		tArray(4, 4, 1),                         // [6] int[1]
		tArray(5, 4, 1),                         // [7] long[1]
		tStruct(btf.KindStruct, s.o("S"), 8, // [8]
			s.o("a"), 6, 0, s.o("b"), 7, 32),
	), s.data)
	spec := mustDecode(t, raw, nil)
	for _, later := range []bool{false, true} {
		want, _, err := dedupForced(spec, &Options{Libbpf17: later}, false)
		if err != nil {
			t.Fatal(err)
		}
		got, keyed, err := dedupForced(spec, &Options{Libbpf17: later}, true)
		if err != nil {
			t.Fatal(err)
		}
		if !keyed {
			t.Fatal("the index was not keyed by shape")
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("libbpf 1.7 semantics %v: keyed by shape, the output differs: %s", later, describeDiff(t, got, want))
		}
		out := mustDecode(t, got, nil)
		// 1.1 keeps both structs; 1.7 keeps one (and the long and the
		// second array, which the struct no longer refers to but the
		// reference pass keeps).
		wantTypes := map[bool]int{false: 6, true: 5}[later]
		if out.NumTypes() != wantTypes {
			t.Errorf("libbpf 1.7 semantics %v: %d types, want %d:\n%s", later, out.NumTypes(), wantTypes, dumpText(t, out))
		}
	}
}

// TestShapeAnonymousCycle checks shapes on a cycle of anonymous structs
// (crafted: C cannot write one) that two compilation units enter from
// different ends: each has S1 pointing to A and S2 pointing to B, with A
// and B pointing to each other, but the second lists S2 first, so the
// shape walk meets B before A there.
func TestShapeAnonymousCycle(t *testing.T) {
	libbpfDedup(t)
	s := newStrTab("a", "b", "S1", "S2")
	cu := func(first uint32, s1First bool) []uint32 {
		// Ids relative to first: S1, S2 (in the order asked), P (*A),
		// Q (*B), A, B.
		s1, s2 := first, first+1
		if !s1First {
			s1, s2 = s2, s1
		}
		p, q, a, b := first+2, first+3, first+4, first+5
		recs := make([][]uint32, 6)
		recs[s1-first] = tStruct(btf.KindStruct, s.o("S1"), 8, s.o("a"), p, 0)
		recs[s2-first] = tStruct(btf.KindStruct, s.o("S2"), 8, s.o("b"), q, 0)
		recs[2], recs[3] = tPtr(a), tPtr(b)
		recs[4] = tStruct(btf.KindStruct, 0, 8, s.o("a"), q, 0)
		recs[5] = tStruct(btf.KindStruct, 0, 8, s.o("b"), p, 0)
		return cat(recs...)
	}
	raw := rawBTF(cat(cu(1, true), cu(7, false)), s.data)
	spec := mustDecode(t, raw, nil)
	got, keyed, err := dedupForced(spec, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !keyed {
		t.Fatal("the index was not keyed by shape")
	}
	want, _, err := runLibbpf(t, nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("keyed by shape, the output differs from libbpf's: %s", describeDiff(t, got, want))
	}
	if n := mustDecode(t, got, nil).NumTypes(); n != 6 {
		t.Errorf("%d types, want 6 (one of each)", n)
	}
}

// TestShapeKeysKernel deduplicates the pre-dedup BTF of Debian's 6.1
// kernel with the index keyed by shape from the start, and compares with
// libbpf's output, byte for byte.
func TestShapeKeysKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("3.4 million types")
	}
	spec, err := btf.Decode(testdataXZ(t, prededupName), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, keyed, err := dedupForced(spec, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !keyed {
		t.Fatal("the index was not keyed by shape")
	}
	if want := testdataXZ(t, libbpfName); !bytes.Equal(got, want) {
		t.Fatalf("keyed by shape, the output differs from libbpf's: %s", describeDiff(t, got, want))
	}
}
