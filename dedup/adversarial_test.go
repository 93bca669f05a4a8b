package dedup

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/btf"
)

// nestAdversarial is valid BTF built to make deduplication slow: types
// whose equivalence checks walk far before they fail (issue "Hardening":
// valid but adversarial BTF).
type nestAdversarial struct {
	name  string
	build func(b *btf.Builder, n int)
}

// nestChain adds n anonymous structs or unions, each the only member of
// the one before, innermost an int, and a named struct "top" holding the
// outermost. Every level has the same signature, so libbpf compares each
// with all the levels before it, and each comparison walks down to the int.
func nestChain(b *btf.Builder, n int, k btf.Kind, array bool) {
	i := b.AddInt("int", 4, btf.IntSigned, 32)
	first := b.NextID()
	for lvl := range n {
		next := b.NextID() + 1
		if array {
			next++
		}
		if lvl == n-1 {
			next = i
		}
		m := []btf.Member{{Name: "a", Type: next}}
		if k == btf.KindUnion {
			b.AddUnion("", 4, m)
		} else {
			b.AddStruct("", 4, m)
		}
		if array && lvl < n-1 {
			b.AddArray(next, i, 1)
		}
	}
	b.AddStruct("top", 4, []btf.Member{{Name: "x", Type: first}})
}

var nestAdversarialCases = []nestAdversarial{
	{"nested anonymous structs", func(b *btf.Builder, n int) { nestChain(b, n, btf.KindStruct, false) }},
	{"nested anonymous structs, twice", func(b *btf.Builder, n int) {
		nestChain(b, n, btf.KindStruct, false)
		nestChain(b, n, btf.KindStruct, false)
	}},
	{"nested anonymous unions", func(b *btf.Builder, n int) { nestChain(b, n, btf.KindUnion, false) }},
	{"nested anonymous structs through arrays", func(b *btf.Builder, n int) { nestChain(b, n, btf.KindStruct, true) }},
}

func (c nestAdversarial) spec(tb testing.TB, n int) *btf.Spec {
	tb.Helper()
	b := btf.NewBuilder(nil)
	c.build(b, n)
	s, err := b.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// nestLevels is the depth of the nests of TestDedupNested: ten times
// what takes libbpf 1.1 16 s.
const nestLevels = 20_000

// TestDedupNested deduplicates each adversarial nest of nestLevels levels,
// through Dedup and through Stream (which hands it to Dedup past its
// budget), and checks what is kept: every level of a nest differs from the
// others, and the second copy of a nest is the first's.
func TestDedupNested(t *testing.T) {
	for _, c := range nestAdversarialCases {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec(t, nestLevels)
			out, res, err := Dedup(s, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := s.NumTypes()
			if strings.HasSuffix(c.name, "twice") {
				want /= 2
			}
			if res.After != want {
				t.Errorf("%d types -> %d, want %d", res.Before, res.After, want)
			}
			words, _ := s.RawTypes()
			_, sres, fallback := streamDedup(t, []int{len(words)}, words, s.Strings())
			if sres.After != res.After {
				t.Errorf("Stream: %d types, Dedup %d", sres.After, res.After)
			}
			t.Logf("%d types -> %d; Stream: %s", res.Before, out.NumTypes(), fallback)
		})
	}
}

// TestDedupNestedMatchesLibbpf checks the nests against libbpf 1.1 at a
// depth it deduplicates quickly, with the index keyed by shape from the
// start and as Dedup chooses.
func TestDedupNestedMatchesLibbpf(t *testing.T) {
	libbpfDedup(t)
	for _, c := range nestAdversarialCases {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec(t, 300)
			raw := s.Marshal(nil)
			want, _, err := runLibbpf(t, nil, raw)
			if err != nil {
				t.Fatal(err)
			}
			for _, force := range []bool{false, true} {
				got, _, err := dedupForced(s, nil, force)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("keyed by shape from the start %v: the output differs from libbpf's: %s", force, describeDiff(t, got, want))
				}
			}
		})
	}
}

// BenchmarkDedupNested times Dedup and libbpf 1.1 (benchmarks/libbpf/
// dedup.c, its btf__dedup call alone) on each nest of 2,000 levels, the
// depth at which libbpf was measured at 16 s.
func BenchmarkDedupNested(b *testing.B) {
	for _, c := range nestAdversarialCases {
		s := c.spec(b, 2000)
		b.Run(c.name+"/btfhub", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Dedup(s, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/libbpf", func(b *testing.B) {
			raw := s.Marshal(nil)
			var total time.Duration
			for b.Loop() {
				_, rep, err := runLibbpf(b, nil, raw)
				if err != nil {
					b.Fatal(err)
				}
				total += time.Duration(rep.DedupNs)
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "dedup-ns/op")
		})
	}
}
