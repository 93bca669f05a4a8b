package archive

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestDiagTmp(t *testing.T) {
	files, _ := filepath.Glob("/tmp/btfs/*cloud*.btf")
	sort.Strings(files)
	g := newGroupWriter()
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		nrec, nstr, ngid := len(g.recIDs), len(g.strs), len(g.gids)
		p, err := g.add(raw)
		z, _ := compressBlob(p)
		t.Logf("%s: err %v, new records %d, new strings %d, new gids %d, payload %d z %d", filepath.Base(f), err, len(g.recIDs)-nrec, len(g.strs)-nstr, len(g.gids)-ngid, len(p), len(z))
	}
	z, _ := compressBlob(g.shared())
	t.Logf("shared %d", len(z))
}
