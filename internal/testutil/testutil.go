// Package testutil holds helpers shared by btfhub's tests: the real kernel
// BTF in testdata/, and the reference tools that differential tests run.
package testutil

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/ulikunitz/xz"
)

// Kernels lists the real kernel BTF files in testdata/kernels, without the
// .btf.xz suffix.
var Kernels = []string{"6.1.0-53-cloud-amd64", "6.18.44-fc-v595"}

// RepoRoot returns the repository's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	kernelMu    sync.Mutex
	kernelCache = map[string][]byte{}
)

// KernelBTF returns the raw BTF of testdata/kernels/<name>.btf.xz,
// decompressed once per test binary.
func KernelBTF(tb testing.TB, name string) []byte {
	tb.Helper()
	kernelMu.Lock()
	defer kernelMu.Unlock()
	if data, ok := kernelCache[name]; ok {
		return data
	}
	data, err := ReadXZ(filepath.Join(RepoRoot(), "testdata", "kernels", name+".btf.xz"))
	if err != nil {
		tb.Fatal(err)
	}
	kernelCache[name] = data
	return data
}

// KernelBTFFile writes the raw BTF of a testdata kernel to a file in a
// temporary directory and returns its path, for tests that run external
// tools.
func KernelBTFFile(tb testing.TB, name string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name+".btf")
	if err := os.WriteFile(path, KernelBTF(tb, name), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// ReadXZ returns the decompressed contents of an xz file.
func ReadXZ(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := xz.NewReader(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// InCI reports whether the tests run in CI (CI=true), where a missing
// reference tool or input is a failure rather than a reason to skip.
func InCI() bool { return os.Getenv("CI") != "" }

// RequireTool returns the path of a reference tool. When it is missing the
// test is skipped locally and fails in CI: `make test` installs the tools,
// so a missing one in CI is a broken setup, not a reason to pass.
func RequireTool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "reference tool %s is not installed (make test installs it)", name)
	}
	return path
}

// Missing skips the test with the reason, or fails it in CI.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if InCI() {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// XZ compresses data with the pure-Go xz encoder, failing tb on error.
func XZ(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
