package dedup

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// A generator of BTF that looks like many compilation units of one
// program: the same structs, unions, enums and typedefs, each CU holding
// the part it uses, some structs only as FWDs, in its own order, sometimes
// with a type repeated. It stresses what a fixed case cannot: long chains
// of FWD resolution, many equivalent candidates, and their order.

// universe is the program's source: struct i has members of these kinds.
type universe struct {
	structs [][]member // per struct, its members
	unions  []bool     // whether struct i is a union
	enums   int
}

type member struct {
	kind   int // 0 int, 1 pointer to struct, 2 array of int, 3 typedef'd int, 4 enum, 5 embedded struct, 6 const pointer to struct, 7 func pointer
	target int // struct or enum index
}

func newUniverse(r *rand.Rand, maxStructs int) *universe {
	u := &universe{enums: 1 + r.IntN(3)}
	n := 2 + r.IntN(maxStructs)
	for i := range n {
		var ms []member
		for range 1 + r.IntN(4) {
			m := member{kind: r.IntN(8), target: r.IntN(n)}
			if m.kind == 5 {
				if i == 0 {
					m.kind = 0
				} else {
					m.target = r.IntN(i) // embed only earlier structs: no cycle by value
				}
			}
			if m.kind == 4 {
				m.target = r.IntN(u.enums)
			}
			ms = append(ms, m)
		}
		u.structs = append(u.structs, ms)
		u.unions = append(u.unions, r.IntN(5) == 0)
	}
	return u
}

// cuNode is one type of a CU before ids are assigned; the words that
// refer to other types are filled in by patches.
type cuNode struct {
	rec []uint32
}

type cuBuilder struct {
	u       *universe
	r       *rand.Rand
	st      *genStrTab
	nodes   []cuNode
	patches []patch
	full    map[int]bool // structs this CU defines in full
	sIdx    map[int]int  // struct -> node
	eIdx    map[int]int  // enum -> node
	intIdx  int
	fixed   map[string]int
}

func (b *cuBuilder) add(rec []uint32) int {
	b.nodes = append(b.nodes, cuNode{rec: rec})
	return len(b.nodes) - 1
}

func (b *cuBuilder) name(s string) uint32 {
	if _, ok := b.st.off[s]; !ok {
		b.st.off[s] = uint32(b.st.base + len(b.st.data))
		b.st.data += s + "\x00"
	}
	return b.st.off[s]
}

func (b *cuBuilder) intType() int {
	if b.intIdx < 0 {
		b.intIdx = b.add(tInt(b.name("int"), 4, btf.IntSigned, 32))
	}
	return b.intIdx
}

// once returns the node for key, building it the first time; with
// probability 1/6 it builds a second, identical copy, as compilers do.
func (b *cuBuilder) once(key string, mk func() int) int {
	if i, ok := b.fixed[key]; ok {
		if b.r.IntN(6) == 0 {
			return mk()
		}
		return i
	}
	i := mk()
	b.fixed[key] = i
	return i
}

func (b *cuBuilder) enumType(e int) int {
	if i, ok := b.eIdx[e]; ok {
		return i
	}
	var i int
	if b.r.IntN(4) == 0 {
		i = b.add(tEnum(b.name(fmt.Sprintf("e%d", e)), 4)) // enum fwd
	} else {
		i = b.add(tEnum(b.name(fmt.Sprintf("e%d", e)), 4, b.name(fmt.Sprintf("E%d_A", e)), 0, b.name(fmt.Sprintf("E%d_B", e)), uint32(e+1)))
	}
	b.eIdx[e] = i
	return i
}

// structType returns the node of struct s: a definition if the CU defines
// it, else a FWD.
func (b *cuBuilder) structType(s int) int {
	if i, ok := b.sIdx[s]; ok {
		return i
	}
	name := b.name(fmt.Sprintf("s%d", s))
	if !b.full[s] {
		i := b.add(tFwd(name, b.u.unions[s]))
		b.sIdx[s] = i
		return i
	}
	k := btf.KindStruct
	if b.u.unions[s] {
		k = btf.KindUnion
	}
	ms := b.u.structs[s]
	rec := tStruct(k, name, uint32(8*len(ms)))
	i := b.add(nil)
	b.sIdx[s] = i
	for j, m := range ms {
		off := uint32(64 * j)
		if b.u.unions[s] {
			off = 0
		}
		var t int
		switch m.kind {
		case 0:
			t = b.intType()
		case 1:
			t = b.once(fmt.Sprintf("p%d", m.target), func() int { return b.add(tPtr(0)) })
			b.patchLater(t, 2, b.structType(m.target))
		case 2:
			it := b.intType()
			t = b.once("arr", func() int { return b.add(tArray(0, 0, 4)) })
			b.patchLater(t, 3, it)
			b.patchLater(t, 4, it)
		case 3:
			it := b.intType()
			t = b.once("td", func() int { return b.add(tRef(btf.KindTypedef, b.name("myint"), 0)) })
			b.patchLater(t, 2, it)
		case 4:
			t = b.enumType(m.target)
		case 5:
			b.full[m.target] = true
			t = b.structType(m.target)
		case 6:
			p := b.once(fmt.Sprintf("p%d", m.target), func() int { return b.add(tPtr(0)) })
			b.patchLater(p, 2, b.structType(m.target))
			t = b.once(fmt.Sprintf("cp%d", m.target), func() int { return b.add(tRef(btf.KindConst, 0, 0)) })
			b.patchLater(t, 2, p)
		case 7:
			it := b.intType()
			p := b.once(fmt.Sprintf("p%d", m.target), func() int { return b.add(tPtr(0)) })
			b.patchLater(p, 2, b.structType(m.target))
			fp := b.once(fmt.Sprintf("fp%d", m.target), func() int { return b.add(tProto(0, b.name("arg"), 0)) })
			b.patchLater(fp, 2, it)
			b.patchLater(fp, 4, p)
			t = b.once(fmt.Sprintf("pfp%d", m.target), func() int { return b.add(tPtr(0)) })
			b.patchLater(t, 2, fp)
		}
		rec = append(rec, b.name(fmt.Sprintf("m%d", j)), 0, off)
		b.patchLater(i, 3+3*j+1, t)
	}
	rec[1] = info(k, false, len(ms))
	b.nodes[i].rec = rec
	return i
}

type patch struct{ node, word, to int }

func (b *cuBuilder) patchLater(node, word, to int) {
	b.patches = append(b.patches, patch{node: node, word: word, to: to})
}

// emit lays out the nodes in a random order from id first and returns
// their words.
func (b *cuBuilder) emit(first uint32) []uint32 {
	order := b.r.Perm(len(b.nodes))
	id := make([]uint32, len(b.nodes))
	for pos, n := range order {
		id[n] = first + uint32(pos)
	}
	for _, p := range b.patches {
		b.nodes[p.node].rec[p.word] = id[p.to]
	}
	var w []uint32
	for _, n := range order {
		w = append(w, b.nodes[n].rec...)
	}
	return w
}

// genStrTab is a string section under construction, possibly for split BTF
// (base is the size of the base's strings).
type genStrTab struct {
	data string
	off  map[string]uint32
	base int
}

// genCUs appends ncu compilation units of u from id first.
func genCUs(r *rand.Rand, u *universe, st *genStrTab, first uint32, ncu int) ([]uint32, uint32) {
	var words []uint32
	for range ncu {
		b := &cuBuilder{u: u, r: r, st: st, full: map[int]bool{}, sIdx: map[int]int{}, eIdx: map[int]int{}, intIdx: -1, fixed: map[string]int{}}
		for s := range u.structs {
			if r.IntN(3) > 0 {
				b.full[s] = true
			}
		}
		for s := range u.structs {
			if r.IntN(2) == 0 {
				b.structType(s)
			}
		}
		if len(b.nodes) == 0 {
			b.intType()
		}
		w := b.emit(first)
		words = append(words, w...)
		first += uint32(len(b.nodes))
	}
	return words, first
}

// TestRandomDifferential checks generated programs, whole and split,
// against libbpf.
func TestRandomDifferential(t *testing.T) {
	libbpfDedup(t)
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 1))
		// Mostly small programs, whose results are easy to debug, and
		// every tenth a large one, whose index grows many times.
		maxStructs, maxCUs := 6, 6
		if seed%10 == 9 {
			maxStructs, maxCUs = 40, 60
		}
		u := newUniverse(r, maxStructs)
		st := &genStrTab{data: "\x00", off: map[string]uint32{"": 0}}
		words, next := genCUs(r, u, st, 1, 2+r.IntN(maxCUs))
		raw := rawBTF(words, st.data)
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			out := dedupBoth(t, nil, raw)
			in := mustDecode(t, raw, nil)
			t.Logf("%d types -> %d", in.NumTypes(), out.NumTypes())
		})
		// The same program's later CUs as split BTF over the first ones.
		sst := &genStrTab{off: map[string]uint32{"": 0}, base: len(st.data)}
		swords, _ := genCUs(r, u, sst, next, 1+r.IntN(maxCUs))
		split := rawBTF(swords, sst.data)
		t.Run(fmt.Sprintf("seed %d split", seed), func(t *testing.T) { dedupBoth(t, raw, split) })
	}
}
