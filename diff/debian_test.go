package diff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/pkgread"
)

// debianKernel reads the .BTF of the vmlinux in Debian's debug package of
// a release, fetched into testdata/cache/debs by scripts/fetch-debs.sh.
func debianKernel(t *testing.T, release string) *btf.Spec {
	t.Helper()
	debs, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "cache", "debs", "linux-image-"+release+"-dbg_*.deb"))
	if len(debs) == 0 {
		testutil.Missing(t, "no linux-image-%s-dbg package in testdata/cache/debs (run scripts/fetch-debs.sh %s)", release, release)
	}
	f, err := os.Open(debs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := pkgread.ReadVmlinux(f, debs[0], pkgread.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := btf.LoadSpecFromReader(bytes.NewReader(k.ELF), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCompareDebianUpdates diffs two builds of Debian 12's cloud kernel,
// 6.1.0-47 (6.1.170) and 6.1.0-53 (6.1.187): a stable update, where a
// kernel developer expects a short, readable list.
func TestCompareDebianUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("reads two 280 MB packages")
	}
	a := debianKernel(t, "6.1.0-47-cloud-amd64")
	b := debianKernel(t, "6.1.0-53-cloud-amd64")
	r := Compare(a, b)
	checkStructs(t, a, b, r)
	if r.Empty() {
		t.Fatal("no differences between 6.1.170 and 6.1.187")
	}
	// A stable update changes little: most types are the same.
	if n := len(r.Added) + len(r.Removed) + len(r.Changed); n > a.NumTypes()/20 {
		t.Errorf("%d differences between two stable builds of %d types", n, a.NumTypes())
	}
	var text, js bytes.Buffer
	if err := WriteText(&text, r, "6.1.0-47-cloud-amd64", "6.1.0-53-cloud-amd64"); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, r, "6.1.0-47-cloud-amd64", "6.1.0-53-cloud-amd64"); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Added, Removed, Changed []json.RawMessage }
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("JSON does not decode: %v", err)
	}
	if len(doc.Added) != len(r.Added) || len(doc.Removed) != len(r.Removed) || len(doc.Changed) != len(r.Changed) {
		t.Errorf("JSON lists %d/%d/%d, report %d/%d/%d", len(doc.Added), len(doc.Removed), len(doc.Changed),
			len(r.Added), len(r.Removed), len(r.Changed))
	}
	lines := strings.Split(text.String(), "\n")
	t.Logf("%d added, %d removed, %d changed; %d lines of text", len(r.Added), len(r.Removed), len(r.Changed), len(lines))
	for i, l := range lines[:min(len(lines), 40)] {
		t.Logf("%3d %s", i+1, l)
	}
}
