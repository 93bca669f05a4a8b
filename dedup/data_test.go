package dedup

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

var (
	xzMu    sync.Mutex
	xzCache = map[string][]byte{}
)

// testdataXZ returns the decompressed contents of testdata/dedup/<name>.xz,
// once per test binary. The xz tool, when installed, is several times
// faster than the Go decoder on the 132 MB pre-dedup kernel.
func testdataXZ(tb testing.TB, name string) []byte {
	tb.Helper()
	xzMu.Lock()
	defer xzMu.Unlock()
	if data, ok := xzCache[name]; ok {
		return data
	}
	path := filepath.Join(testutil.RepoRoot(), "testdata", "dedup", name+".xz")
	var data []byte
	if xz, err := exec.LookPath("xz"); err == nil {
		var out bytes.Buffer
		cmd := exec.Command(xz, "-dc", "-T0", path)
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			tb.Fatalf("xz -dc %s: %v", path, err)
		}
		data = out.Bytes()
	} else {
		var err error
		if data, err = testutil.ReadXZ(path); err != nil {
			tb.Fatal(err)
		}
	}
	xzCache[name] = data
	return data
}

const (
	prededupName = "6.1.0-53-cloud-amd64.prededup.btf"
	libbpfName   = "6.1.0-53-cloud-amd64.libbpf-1.1.btf"
)
