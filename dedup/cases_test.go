package dedup

import (
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// dedupCase is one hand-built input and the result libbpf 1.1 gives for
// it, as bpftool's raw dump of the output's own types (and, where the test
// is about strings, the output's string section).
type dedupCase struct {
	name     string
	base     []byte // raw base BTF for split cases, or nil
	raw      []byte
	want     string
	wantStrs string // when not empty
}

// runCases checks each case against its expected result and, where the
// reference tools are installed, against libbpf itself.
func runCases(t *testing.T, cases []dedupCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var base *btf.Spec
			if c.base != nil {
				var err error
				if base, err = btf.Decode(c.base, nil); err != nil {
					t.Fatal(err)
				}
			}
			spec, err := btf.Decode(c.raw, base)
			if err != nil {
				t.Fatal(err)
			}
			out, res, err := Dedup(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(dumpText(t, out))
			if want := strings.TrimSpace(c.want); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if c.wantStrs != "" && out.Strings() != c.wantStrs {
				t.Errorf("strings %q, want %q", out.Strings(), c.wantStrs)
			}
			if res.Before != spec.NumTypes() || res.After != out.NumTypes() {
				t.Errorf("Result counts %d -> %d, want %d -> %d", res.Before, res.After, spec.NumTypes(), out.NumTypes())
			}
			t.Run("libbpf", func(t *testing.T) { dedupBoth(t, c.base, c.raw) })
		})
	}
}
