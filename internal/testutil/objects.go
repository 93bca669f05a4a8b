package testutil

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/objects"
)

// LibbpfToolsBinary is one executable of Debian's libbpf-tools package and
// the BPF objects embedded in it.
type LibbpfToolsBinary struct {
	// Path is the executable's path, such as /usr/sbin/biolatency. Of
	// several paths to the same content, the first in sorted order.
	Path string
	// Objects are the BPF objects objects.FindFile found in it.
	Objects []objects.Object
}

var (
	libbpfToolsOnce sync.Once
	libbpfTools     []LibbpfToolsBinary
	libbpfToolsErr  string
)

// LibbpfTools returns the executables of Debian's libbpf-tools package,
// one per distinct content (many are links to the same binary), with the
// BPF objects embedded in each. The list comes from `dpkg -L libbpf-tools`
// and is read once per test binary. A binary with no object is returned
// with none, for the caller to fail on. When the package is not installed
// the test is skipped, or fails in CI.
func LibbpfTools(tb testing.TB) []LibbpfToolsBinary {
	tb.Helper()
	libbpfToolsOnce.Do(loadLibbpfTools)
	if libbpfToolsErr != "" {
		Missing(tb, "%s", libbpfToolsErr)
	}
	return libbpfTools
}

func loadLibbpfTools() {
	out, err := exec.Command("dpkg", "-L", "libbpf-tools").Output()
	if err != nil {
		libbpfToolsErr = "Debian package libbpf-tools is not installed (apt-get install libbpf-tools): " + err.Error()
		return
	}
	var paths []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if strings.Contains(p, "/sbin/") || strings.Contains(p, "/bin/") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	seen := map[[32]byte]bool{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			libbpfToolsErr = err.Error()
			return
		}
		sum := sha256.Sum256(data)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		objs, err := objects.FindFile(p)
		if err != nil {
			libbpfToolsErr = err.Error()
			return
		}
		libbpfTools = append(libbpfTools, LibbpfToolsBinary{Path: p, Objects: objs})
	}
	if len(libbpfTools) == 0 {
		libbpfToolsErr = "libbpf-tools lists no executables"
	}
}

// LibbpfToolsObjects returns every distinct BPF object embedded in the
// executables of Debian's libbpf-tools (see LibbpfTools), deduplicated by
// content, named uniquely and sorted by name.
func LibbpfToolsObjects(tb testing.TB) []objects.Object {
	tb.Helper()
	seen := map[[32]byte]bool{}
	names := map[string]bool{}
	var objs []objects.Object
	for _, b := range LibbpfTools(tb) {
		for _, o := range b.Objects {
			sum := sha256.Sum256(o.Data)
			if seen[sum] {
				continue
			}
			seen[sum] = true
			// Keep names unique across binaries, for Extract.
			stem := strings.TrimSuffix(o.Name, ".bpf.o")
			for k := 2; names[o.Name]; k++ {
				o.Name = stem + "-" + strconv.Itoa(k) + ".bpf.o"
			}
			names[o.Name] = true
			objs = append(objs, o)
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
	return objs
}

// LibbpfToolsObjectFiles writes the objects of LibbpfToolsObjects to a
// temporary directory, for tests that run external tools on them, and
// returns their paths.
func LibbpfToolsObjectFiles(tb testing.TB) []string {
	tb.Helper()
	objs := LibbpfToolsObjects(tb)
	paths, err := objects.Extract(objs, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return paths
}
