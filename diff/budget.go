package diff

import (
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// ErrTooLarge means that comparing a pair of types would pass MaxSteps.
var ErrTooLarge = errors.New("comparison too large")

// MaxSteps bounds the work of comparing one pair of types: the members
// compared, anonymous members included, and the types spelled out in their
// descriptions. Anonymous structs and unions are compared at every use,
// and prototypes spelled out in full, so BTF where each level of nesting
// is used twice doubles the work per level. The largest pair of the
// kernels in testdata/kernels takes 3,995 steps
// (TestMaxStepsKernels); the limit is 65 times that.
const MaxSteps = 1 << 18

// budget counts the steps of the comparison of one pair of types.
type budget struct {
	n    int
	ida  btf.TypeID // the pair being compared
	idb  btf.TypeID
	err  error     // set when a pair passes MaxSteps
	a    *btf.Spec // A, to name the type in the error
	most int       // the most steps a finished pair took, for the tests
}

// step charges one step and reports whether the budget allows it; a nil
// budget always does.
func (bud *budget) step() bool {
	if bud == nil {
		return true
	}
	if bud.n++; bud.n <= MaxSteps {
		return true
	}
	if bud.err == nil {
		t, _ := bud.a.Type(bud.ida)
		bud.err = fmt.Errorf("diff: type [%d] %s %q (and [%d] in B): comparing it takes more than %d steps (anonymous types are compared at every use): %w",
			bud.ida, t.Kind(), t.Name(), bud.idb, MaxSteps, ErrTooLarge)
	}
	return false
}

// start resets the budget for the comparison of types ida of A and idb
// of B.
func (bud *budget) start(ida, idb btf.TypeID) {
	bud.most = max(bud.most, bud.n)
	bud.n, bud.ida, bud.idb = 0, ida, idb
}

func (sd *side) size(id btf.TypeID) uint64 { return size(sd.s, id) }
