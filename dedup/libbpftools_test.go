package dedup

import (
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// TestLibbpfToolsObjects deduplicates the .BTF of every CO-RE object
// embedded in Debian's libbpf-tools, one by one and all of them appended
// into one spec (as libbpf's btf__add_btf would merge them), and requires
// libbpf 1.1's bytes each time.
func TestLibbpfToolsObjects(t *testing.T) {
	paths := testutil.LibbpfToolsObjectFiles(t)
	merged := btf.NewBuilder(nil)
	for _, path := range paths {
		spec, err := btf.LoadSpec(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := merged.AddSpec(spec); err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			dedupBoth(t, nil, spec.Marshal(nil))
		})
	}
	all, err := merged.Spec()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("all appended", func(t *testing.T) {
		out := dedupBoth(t, nil, all.Marshal(nil))
		if out.NumTypes() >= all.NumTypes()/2 {
			t.Errorf("%d objects' %d types deduplicated only to %d", len(paths), all.NumTypes(), out.NumTypes())
		}
		t.Logf("%d objects: %d types -> %d", len(paths), all.NumTypes(), out.NumTypes())
	})
}
