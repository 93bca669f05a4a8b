package diff

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// nestedUnions returns a spec with levels of anonymous unions, each
// holding the one below twice, in a struct top; leaf is the size of the
// innermost int.
func nestedUnions(tb testing.TB, levels int, leaf uint32) *btf.Spec {
	tb.Helper()
	b := btf.NewBuilder(nil)
	t := b.AddInt("int", leaf, btf.IntSigned, 8*leaf)
	for range levels {
		t = b.AddUnion("", leaf, []btf.Member{{Name: "a", Type: t}, {Name: "b", Type: t}})
	}
	b.AddStruct("top", leaf, []btf.Member{{Name: "u", Type: t}})
	s, err := b.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// nestedProtos returns a spec with levels of function prototypes, each
// taking two pointers to the one below, and a typedef fn_t of a pointer to
// the last; ret is the name of the return type.
func nestedProtos(tb testing.TB, levels int, ret string) *btf.Spec {
	tb.Helper()
	b := btf.NewBuilder(nil)
	i := b.AddInt(ret, 4, btf.IntSigned, 32)
	p := b.AddFuncProto(i, nil)
	for range levels {
		ptr := b.AddPointer(p)
		p = b.AddFuncProto(i, []btf.Param{{Name: "a", Type: ptr}, {Name: "b", Type: ptr}})
	}
	b.AddTypedef("fn_t", b.AddPointer(p))
	s, err := b.Spec()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestCompareAdversarial checks that CompareChecked refuses, in well
// under two seconds, pairs whose comparison doubles with each level of
// nesting, and still compares the small ones.
func TestCompareAdversarial(t *testing.T) {
	cases := []struct {
		name       string
		a, b       *btf.Spec
		want       string
		wantChange int // members changed in top, or types changed in Compare's report
	}{
		{"anonymous unions used twice, 10 levels", nestedUnions(t, 10, 4), nestedUnions(t, 10, 8), "", 2047},
		{"anonymous unions used twice, 22 levels", nestedUnions(t, 22, 4), nestedUnions(t, 22, 8),
			`diff: type [24] STRUCT "top" (and [24] in B): comparing it takes more than 262144 steps (anonymous types are compared at every use): comparison too large`, 2},
		{"prototypes used twice, 40 levels", nestedProtos(t, 40, "int"), nestedProtos(t, 40, "long"),
			`diff: type [84] TYPEDEF "fn_t" (and [84] in B): comparing it takes more than 262144 steps (anonymous types are compared at every use): comparison too large`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r, err := CompareChecked(tc.a, tc.b)
			if el := time.Since(start); el > 1500*time.Millisecond {
				t.Errorf("took %v", el)
			}
			if tc.want != "" {
				if err == nil || err.Error() != tc.want || !errors.Is(err, ErrTooLarge) {
					t.Fatalf("got error %v, want %s", err, tc.want)
				}
				if r := Compare(tc.a, tc.b); len(r.Changed) != tc.wantChange {
					t.Errorf("Compare: got %d changed types, want %d (the last cut short)", len(r.Changed), tc.wantChange)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Changed) != 2 || len(r.Changed[1].Members) != tc.wantChange {
				t.Fatalf("got %d changed types, want int and top with %d members changed", len(r.Changed), tc.wantChange)
			}
		})
	}
}

// TestMaxStepsKernels measures the most steps the comparison of one pair
// of types of the testdata kernels takes, which MaxSteps must be far
// above (3,995 for 6.1 against 6.18).
func TestMaxStepsKernels(t *testing.T) {
	if testing.Short() {
		t.Skip("compares two kernels")
	}
	a, b := kernel(t, testutil.Kernels[0]), kernel(t, testutil.Kernels[1])
	_, bud, err := compareBudget(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("most steps for one pair: %d", bud.most)
	if bud.most > MaxSteps/50 {
		t.Errorf("a kernel pair took %d steps, within 50 times of MaxSteps", bud.most)
	}
}
