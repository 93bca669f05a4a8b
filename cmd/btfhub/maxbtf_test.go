package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestMaxBTF checks the archive commands' --max-btf: a kernel's BTF
// larger than it is refused with the sizes named, a bound above 1G is a
// usage error, and the default reads real kernels.
func TestMaxBTF(t *testing.T) {
	dir := t.TempDir()
	rel := testutil.Kernels[0]
	in := filepath.Join(dir, rel+".btf.xz")
	data, err := os.ReadFile(kernelXZ(rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(dir, "tree")
	if _, stderr, code := run(t, "archive", "add", tree, "--distro", "debian", "--version", "12", "--arch", "x86_64", "-q", in); code != 0 {
		t.Fatalf("archive add: exit %d: %s", code, stderr)
	}
	tarball := filepath.Join(tree, "debian", "12", "x86_64", rel+".btf.tar.xz")
	for _, c := range []struct {
		max    string
		code   int
		stderr string
	}{
		{"", 0, ""},
		{"64M", 0, ""},
		{"1M", 1, "btfhub: " + tarball + ": " + rel + ".btf: 4112879 bytes: larger than the limit (1048576)\n"},
		{"4112878", 1, "btfhub: " + tarball + ": " + rel + ".btf: 4112879 bytes: larger than the limit (4112878)\n"},
		{"2G", 2, "want a size from 1 to 1073741824 bytes"},
		{"0", 2, "want a size from 1 to 1073741824 bytes"},
		{"12X", 2, "want a size from 1 to 1073741824 bytes"},
	} {
		args := []string{"archive", "get", tree, "--release", rel, "-o", filepath.Join(dir, "out.btf")}
		if c.max != "" {
			args = append(args, "--max-btf", c.max)
		}
		_, stderr, code := run(t, args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) || (c.stderr == "") != (stderr == "") {
			t.Errorf("--max-btf %q: exit %d, stderr %q; want exit %d, %q", c.max, code, stderr, c.code, c.stderr)
		}
	}
}
