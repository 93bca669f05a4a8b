package dedup

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// TestEpochAfter checks epochAfter against the table's simulation of
// libbpf's hashmap growth.
func TestEpochAfter(t *testing.T) {
	tab := newTable(16)
	for n := 0; n <= 100000; n++ {
		if got := epochAfter(n); got != tab.epoch {
			t.Fatalf("epochAfter(%d) = %d, the table has grown %d times", n, got, tab.epoch)
		}
		tab.add(uint64(n%7), uint32(n+1))
	}
}

// TestOrderAt checks that orderAt, given the number of earlier insertions,
// gives the order a table's cursor gives.
func TestOrderAt(t *testing.T) {
	for _, offset := range []int{0, 1, 2, 3, 5, 11, 100, 3071, 3072, 6000} {
		r := rand.New(rand.NewPCG(uint64(offset), 2))
		whole, part := newTable(16), newTable(16)
		for i := range offset {
			whole.add(uint64(1000+i), 1)
		}
		for n := range 3000 {
			key := uint64(r.IntN(4))
			whole.add(key, uint32(n+2))
			part.add(key, uint32(n+2))
			if r.IntN(10) > 0 {
				continue
			}
			for k := range uint64(4) {
				var want []uint32
				for c := whole.lookup(k); ; {
					id, ok := c.next()
					if !ok {
						break
					}
					want = append(want, id)
				}
				if got := part.orderAt(k, part.sz, offset); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("offset %d, after %d insertions, key %d: order %v, want %v", offset, n+1, k, got, want)
				}
			}
		}
	}
}

var ambiguousStreams int

// streamDedup runs a Stream over batches (each the type section up to
// there, each processed before the next is added) and returns its output
// and why it fell back to Dedup, if it did.
func streamDedup(t *testing.T, batches []int, words []uint32, strs string) (*btf.Spec, *Result, string) {
	t.Helper()
	s := NewStream(0)
	for _, end := range batches {
		s.Add(words[:end])
		s.wg.Wait()
	}
	s.Add(words)
	spec, err := btf.NewSpecFromRaw(words, strs, nil, binary.LittleEndian, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, res, err := s.Finish(spec, nil)
	if len(s.ambiguous) > 0 && s.fallback == "" {
		ambiguousStreams++
	}
	if err != nil {
		t.Fatal(err)
	}
	return out, res, s.fallback
}

func sameAsDedup(t *testing.T, words []uint32, strs string, out *btf.Spec, res *Result) {
	t.Helper()
	spec, err := btf.NewSpecFromRaw(words, strs, nil, binary.LittleEndian, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, wantRes, err := Dedup(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Marshal(nil), want.Marshal(nil)) {
		t.Fatalf("stream output differs from Dedup's: %d types, want %d", out.NumTypes(), want.NumTypes())
	}
	if fmt.Sprint(res.Mapping) != fmt.Sprint(wantRes.Mapping) || res.Before != wantRes.Before || res.After != wantRes.After {
		t.Fatal("stream result differs from Dedup's")
	}
}

// TestStreamRandom streams generated programs one compilation unit at a
// time and compares with Dedup.
func TestStreamRandom(t *testing.T) {
	streamed := 0
	const seeds = 200
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 3))
		maxStructs, maxCUs := 6, 8
		if seed%10 == 9 {
			maxStructs, maxCUs = 40, 80
		}
		u := newUniverse(r, maxStructs)
		st := &genStrTab{data: "\x00", off: map[string]uint32{"": 0}}
		var words []uint32
		var batches []int
		next := uint32(1)
		for range 2 + r.IntN(maxCUs) {
			var w []uint32
			w, next = genCUs(r, u, st, next, 1)
			words = append(words, w...)
			if r.IntN(4) > 0 { // sometimes two units in one batch
				batches = append(batches, len(words))
			}
		}
		out, res, fallback := streamDedup(t, batches, words, st.data)
		sameAsDedup(t, words, st.data, out, res)
		if fallback == "" {
			streamed++
		} else {
			t.Logf("seed %d: %s", seed, fallback)
		}
	}
	t.Logf("%d streamed with ambiguities", ambiguousStreams)
	if streamed < seeds*9/10 {
		t.Errorf("only %d of %d programs deduplicated as streamed", streamed, seeds)
	}
}

// TestStreamFallback checks the cases the stream cannot take: a batch that
// refers to a later one, and two offsets of the same string.
func TestStreamFallback(t *testing.T) {
	strs := "\x00int\x00s\x00m\x00int\x00"
	intA := tInt(1, 4, btf.IntSigned, 32)
	ptr := tPtr(3) // to the struct, in the second batch
	st := append(tStruct(btf.KindStruct, 5, 8), 7, 1, 0)
	st[1] = info(btf.KindStruct, false, 1)
	words := append(append(append([]uint32(nil), intA...), ptr...), st...)
	out, res, fallback := streamDedup(t, []int{len(intA) + len(ptr)}, words, strs)
	if !strings.Contains(fallback, "a reference to a later batch") {
		t.Errorf("a reference to a later batch: fell back %q", fallback)
	}
	sameAsDedup(t, words, strs, out, res)

	// Two INTs named "int" at two offsets.
	intB := tInt(9, 4, btf.IntSigned, 32)
	words = append(append([]uint32(nil), intA...), intB...)
	out, res, fallback = streamDedup(t, []int{len(intA)}, words, strs)
	if fallback != "two string offsets hold the same string" {
		t.Errorf("two offsets of one string: fell back %q", fallback)
	}
	sameAsDedup(t, words, strs, out, res)
	if out.NumTypes() != 1 {
		t.Errorf("%d types, want 1", out.NumTypes())
	}
}

// refsOf calls f with every type id record w refers to.
func refsOf(w []uint32, f func(uint32)) {
	switch kindOf(w[1]) {
	case kPtr, kTypedef, kVolatile, kConst, kRestrict, kFunc, kTypeTag, kVar, kDeclTag:
		f(w[2])
	case kArray:
		f(w[3])
		f(w[4])
	case kStruct, kUnion:
		for j := 4; j < len(w); j += 3 {
			f(w[j])
		}
	case kFuncProto:
		f(w[2])
		for j := 4; j < len(w); j += 2 {
			f(w[j])
		}
	case kDatasec:
		for j := 3; j < len(w); j += 3 {
			f(w[j])
		}
	}
}

// TestStreamKernel streams the pre-dedup kernel BTF (what pahole handed to
// libbpf) in batches of at least 1000 types, cut where no type refers past
// the cut, as fromdwarf hands compilation units over, and compares with
// libbpf's output. The stream must not fall back to Dedup.
func TestStreamKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("3.4 million types")
	}
	spec, err := btf.Decode(testdataXZ(t, prededupName), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := testdataXZ(t, libbpfName)
	words, offs := spec.RawTypes()
	var batches []int
	maxRef, last := uint32(0), 0
	for i := 0; i+1 < len(offs); i++ {
		id := uint32(i + 1)
		refsOf(words[offs[i]:offs[i+1]], func(r uint32) { maxRef = max(maxRef, r) })
		if maxRef <= id && i+1-last >= 1000 {
			batches = append(batches, int(offs[i+1]))
			last = i + 1
		}
	}
	t.Logf("%d batches", len(batches))
	s := NewStream(spec.NumTypes())
	for _, end := range batches {
		s.Add(words[:end])
	}
	s.Add(words)
	out, res, err := s.Finish(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.fallback != "" {
		t.Errorf("fell back to Dedup: %s", s.fallback)
	}
	if res.Before != 3404422 || res.After != 94630 {
		t.Errorf("types: %d -> %d, want 3404422 -> 94630", res.Before, res.After)
	}
	if got := out.Marshal(nil); !bytes.Equal(got, want) {
		t.Fatalf("output differs from libbpf's: %s", describeDiff(t, got, want))
	}
}

// TestStreamEdges: an empty spec, a spec other than the one added, and one
// with a base all give Dedup's result.
func TestStreamEdges(t *testing.T) {
	empty, err := btf.NewSpecFromRaw(nil, "\x00", nil, binary.LittleEndian, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := NewStream(0).Finish(empty, nil)
	if err != nil || out.NumTypes() != 0 {
		t.Fatalf("empty spec: %v, %v", out, err)
	}

	words := tInt(1, 4, btf.IntSigned, 32)
	other, err := btf.NewSpecFromRaw(append([]uint32(nil), words...), "\x00int\x00", nil, binary.LittleEndian, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStream(0)
	s.Add(words)
	if out, _, err = s.Finish(other, nil); err != nil || out.NumTypes() != 1 {
		t.Fatalf("other spec: %v, %v", out, err)
	}
	if s.Fallback() == "" {
		t.Error("a spec other than the one added did not make the stream fall back")
	}

	split, err := btf.NewSpecFromRaw(tInt(1, 4, btf.IntSigned, 32), "int\x00", other, binary.LittleEndian, 0)
	if err != nil {
		t.Fatal(err)
	}
	s = NewStream(0)
	w, _ := split.RawTypes()
	s.Add(w)
	out, _, err = s.Finish(split, nil)
	if err != nil || out.NumTypes() != 0 {
		t.Fatalf("split spec: %d types, %v; want its INT deduplicated into the base", out.NumTypes(), err)
	}
	if s.Fallback() == "" {
		t.Error("a split spec did not make the stream fall back")
	}
}
