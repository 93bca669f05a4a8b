package decode

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/btfhub/btfhub/internal/testutil"
)

// Input is one benchmark input: a raw BTF file that scripts/bench-data.sh
// decompresses from testdata/ into benchmarks/data/.
type Input struct {
	// Name is the file's name in benchmarks/data/.
	Name string
	// XZ is the compressed original, relative to testdata/.
	XZ string
	// Types is the number of types the file holds, not counting void.
	Types int
}

// The inputs of the decode benchmarks.
var (
	// Kernel61 is the vmlinux BTF of Debian 12's kernel 6.1.0-53-cloud-amd64.
	Kernel61 = Input{
		Name:  "6.1.0-53-cloud-amd64.btf",
		XZ:    "kernels/6.1.0-53-cloud-amd64.btf.xz",
		Types: 95057,
	}
	// Prededup61 is the BTF that pahole 1.24 hands to libbpf's btf__dedup
	// for that kernel: 132 MB, before deduplication.
	Prededup61 = Input{
		Name:  "6.1.0-53-cloud-amd64.prededup.btf",
		XZ:    "dedup/6.1.0-53-cloud-amd64.prededup.btf.xz",
		Types: 3404422,
	}
)

// ErrNoData means an input has not been prepared in benchmarks/data/.
var ErrNoData = errors.New("benchmark input missing: run scripts/bench-data.sh (make bench-data)")

// DataDir returns the directory that holds the prepared inputs,
// benchmarks/data/ in the repository.
func DataDir() string { return filepath.Join(testutil.RepoRoot(), "benchmarks", "data") }

// Path returns the path of the prepared input in benchmarks/data/. It
// wraps ErrNoData when scripts/bench-data.sh has not made it.
func (in Input) Path() (string, error) {
	path := filepath.Join(DataDir(), in.Name)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: %w", path, ErrNoData)
		}
		return "", err
	}
	return path, nil
}

// Bytes returns the raw BTF of the input: the prepared file when there is
// one, else the decompressed original from testdata/.
func (in Input) Bytes() ([]byte, error) {
	if path, err := in.Path(); err == nil {
		return os.ReadFile(path)
	}
	xzPath := filepath.Join(testutil.RepoRoot(), "testdata", in.XZ)
	data, err := testutil.ReadXZ(xzPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", xzPath, err)
	}
	return data, nil
}
