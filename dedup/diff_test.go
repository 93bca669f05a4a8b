package dedup

import (
	"fmt"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// describeDiff names the first type or string where two raw BTF blobs
// differ, for failure messages.
func describeDiff(t *testing.T, got, want []byte) string {
	t.Helper()
	g, err := btf.Decode(got, nil)
	if err != nil {
		return fmt.Sprintf("ours does not decode: %v", err)
	}
	w, err := btf.Decode(want, nil)
	if err != nil {
		return fmt.Sprintf("reference does not decode: %v", err)
	}
	return diffSpecs(g, w)
}

func diffSpecs(g, w *btf.Spec) string {
	msg := fmt.Sprintf("%d types, %d bytes of strings; want %d types, %d bytes of strings",
		g.NumTypes(), g.StringsSize(), w.NumTypes(), w.StringsSize())
	n := min(g.NumTypes(), w.NumTypes())
	for i := range n {
		id := g.FirstID() + btf.TypeID(i)
		a, b := g.RawType(id), w.RawType(id)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			ta, _ := g.Type(id)
			tb, _ := w.Type(id)
			return fmt.Sprintf("%s; first difference at type [%d]: got %s %q %v, want %s %q %v",
				msg, id, ta.Kind(), ta.Name(), a, tb.Kind(), tb.Name(), b)
		}
	}
	gs, ws := g.Strings(), w.Strings()
	for i := range min(len(gs), len(ws)) {
		if gs[i] != ws[i] {
			return fmt.Sprintf("%s; strings differ at offset %d", msg, i)
		}
	}
	return msg
}
