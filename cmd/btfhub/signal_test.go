package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestInterrupt stops each long command with SIGINT or SIGTERM at several
// points (see testHook) and checks that it exits within a second with
// "btfhub: interrupted", status 130 or 143, and leaves no output and no
// temporary file.
func TestInterrupt(t *testing.T) {
	in := t.TempDir()
	k0, k1 := kernelXZ(testutil.Kernels[0]), kernelXZ(testutil.Kernels[1])
	prededup := filepath.Join(testutil.RepoRoot(), "testdata", "dedup", testutil.Kernels[0]+".prededup.btf.xz")
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	// Raw BTF inputs for add, and a tree for pack.
	var rawInputs []string
	for _, name := range testutil.Kernels[:2] {
		p := filepath.Join(in, name+".btf")
		os.WriteFile(p, testutil.KernelBTF(t, name), 0o644)
		rawInputs = append(rawInputs, p)
	}
	tree := filepath.Join(in, "tree")
	addArgs := []string{"archive", "add", tree, "--distro", "debian", "--version", "12", "--arch", "amd64", "-q", "-j", "1"}
	if _, stderr, code := run(t, append(addArgs, rawInputs...)...); code != 0 {
		t.Fatalf("archive add: exit %d: %s", code, stderr)
	}

	tests := []struct {
		stage string
		args  []string // OUT stands for the output path
	}{
		{"dump.loaded", []string{"dump", "-f", "json", k0, "-o", "OUT"}},
		{"dump.writing", []string{"dump", "-f", "json", k0, "-o", "OUT"}},
		{"dump.writing:TERM", []string{"dump", "-f", "c", k0, "-o", "OUT"}},
		{"diff.loaded", []string{"diff", k0, k1, "-o", "OUT"}},
		{"diff.compared", []string{"diff", "--json", k0, k1, "-o", "OUT"}},
		{"diff.writing", []string{"diff", k0, k1, "-o", "OUT"}},
		{"dedup.loaded", []string{"dedup", prededup, "-o", "OUT"}},
		{"dedup.deduped:TERM", []string{"dedup", prededup, "-o", "OUT"}},
		{"encode.start", []string{"encode", "-q", obj, "-o", "OUT"}},
		{"encode.encoded", []string{"encode", "-q", obj, "-o", "OUT"}},
		{"pack.opened", []string{"archive", "pack", tree, "-o", "OUT"}},
		{"pack.writing", []string{"archive", "pack", tree, "-o", "OUT"}},
		{"add.start", append(append([]string{}, addArgs[:2]...), append([]string{"OUT"}, append(addArgs[3:], rawInputs...)...)...)},
		{"add.progress", append(append([]string{}, addArgs[:2]...), append([]string{"OUT"}, append(addArgs[3:], rawInputs...)...)...)},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			args := append([]string{}, tt.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = out
				}
			}
			stamp := filepath.Join(t.TempDir(), "hook-time")
			cmd := exec.Command(btfhubBin, args...)
			cmd.Env = append(os.Environ(), "BTFHUB_TEST_HOOK="+tt.stage, "BTFHUB_TEST_HOOK_TIME="+stamp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			end := time.Now()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			want := 130
			if strings.HasSuffix(tt.stage, ":TERM") {
				want = 143
			}
			if code != want || stderr.String() != "btfhub: interrupted\n" {
				t.Fatalf("exit %d, stderr %q; want exit %d, stderr %q", code, stderr.String(), want, "btfhub: interrupted\n")
			}
			data, err := os.ReadFile(stamp)
			if err != nil {
				t.Fatalf("the hook did not run: %v", err)
			}
			ns, _ := strconv.ParseInt(string(data), 10, 64)
			if took := end.Sub(time.Unix(0, ns)); took > time.Second {
				t.Errorf("exited %v after the signal, want under a second", took)
			}
			// Nothing is left: no output, no temporary file; for add, no
			// entry beyond the first input's and no temporary file in the
			// tree.
			var left []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					left = append(left, rel)
				}
				return nil
			})
			var bad []string
			for _, l := range left {
				keep := tt.stage == "add.progress" && (strings.HasSuffix(l, "btfhub-catalogue.json") ||
					strings.HasSuffix(l, testutil.Kernels[0]+".btf.tar.xz") || strings.HasSuffix(l, ".lock"))
				if !keep {
					bad = append(bad, l)
				}
			}
			if len(bad) > 0 {
				t.Errorf("left behind: %q", bad)
			}
		})
	}
}
