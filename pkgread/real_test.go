package pkgread

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// TestRealDeb reads Debian's debug package of the testdata kernel (fetched
// by scripts/fetch-debs.sh) as a stream, and checks that its vmlinux's .BTF
// is the testdata kernel's BTF.
func TestRealDeb(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 280 MB package")
	}
	const rel = "6.1.0-53-cloud-amd64"
	debs, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "testdata", "cache", "debs", "linux-image-"+rel+"-dbg_*.deb"))
	if len(debs) == 0 {
		testutil.Missing(t, "no linux-image-%s-dbg package in testdata/cache/debs (run scripts/fetch-debs.sh %s)", rel, rel)
	}
	f, err := os.Open(debs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := ReadVmlinux(f, debs[0], Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Release != rel || k.Source != "linux-image-"+rel+"-dbg_6.1.187-1_amd64" {
		t.Fatalf("release %q source %q", k.Release, k.Source)
	}
	sec, err := btf.ReadELFSection(bytes.NewReader(k.ELF), btf.SectionBTF)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sec, testutil.KernelBTF(t, rel)) {
		t.Fatal(".BTF of the packaged vmlinux differs from testdata")
	}
}
