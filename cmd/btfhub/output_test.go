package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestOutputPaths checks what -o does with links, directories and the
// temporary files of killed runs (see package atomicfile).
func TestOutputPaths(t *testing.T) {
	dir := t.TempDir()
	in := testutil.KernelBTFFile(t, testutil.Kernels[0])
	raw := testutil.KernelBTF(t, testutil.Kernels[0])
	real := filepath.Join(dir, "real.btf")
	os.WriteFile(real, []byte("old"), 0o644)
	os.Symlink("real.btf", filepath.Join(dir, "link"))
	os.Symlink("missing", filepath.Join(dir, "dangling"))
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	// A temporary file of a killed run (PID 2^22+1 is above Linux's
	// largest), and one of another target.
	stale := filepath.Join(dir, ".real.btf.tmp-4194305-1")
	other := filepath.Join(dir, ".other.tmp-4194305-1")
	os.WriteFile(stale, nil, 0o644)
	os.WriteFile(other, nil, 0o644)

	tests := []struct {
		out    string
		code   int
		stderr string
	}{
		{"link", 0, ""},
		{"sub", 1, "btfhub: " + filepath.Join(dir, "sub") + ": is a directory\n"},
		{"dangling", 1, "btfhub: " + filepath.Join(dir, "dangling") + ": symbolic link to a missing file\n"},
		{"nodir/out", 1, "btfhub: create " + filepath.Join(dir, "nodir/out") + ": no such file or directory\n"},
	}
	for _, tt := range tests {
		_, stderr, code := run(t, "convert", in, "-o", filepath.Join(dir, tt.out))
		if code != tt.code || stderr != tt.stderr {
			t.Errorf("-o %s: exit %d, stderr %q; want exit %d, stderr %q", tt.out, code, stderr, tt.code, tt.stderr)
		}
	}
	if fi, err := os.Lstat(filepath.Join(dir, "link")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if got, _ := os.ReadFile(real); string(got) != string(raw) {
		t.Error("the link's target was not written")
	}
	if _, err := os.Lstat(stale); err == nil {
		t.Error("the killed run's temporary file is still there")
	}
	if _, err := os.Lstat(other); err != nil {
		t.Error("another target's temporary file was removed")
	}
}
