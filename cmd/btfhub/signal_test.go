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
	obj := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "kinds-gcc-dwarf4.o")
	// Small inputs keep the commands that are not about output size
	// quick: BTF encoded without dedup for dedup, and two copies of it
	// as kernels for add and pack.
	prededup := filepath.Join(in, "prededup.btf")
	if _, stderr, code := run(t, "encode", "-q", "--no-dedup", obj, "-o", prededup); code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	small, err := os.ReadFile(prededup)
	if err != nil {
		t.Fatal(err)
	}
	var rawInputs []string
	for _, release := range []string{"1.0.0-a", "1.0.0-b"} {
		p := filepath.Join(in, release+".btf")
		os.WriteFile(p, small, 0o644)
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
					strings.HasSuffix(l, "1.0.0-a.btf.tar.xz") || strings.HasSuffix(l, ".lock"))
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

// TestInterruptExternal sends SIGINT from outside, with no hook, while
// commands read their input or dedup runs (whose passes check the
// context only between them).
func TestInterruptExternal(t *testing.T) {
	k0, k1 := kernelXZ(testutil.Kernels[0]), kernelXZ(testutil.Kernels[1])
	prededup := filepath.Join(testutil.RepoRoot(), "testdata", "dedup", testutil.Kernels[0]+".prededup.btf.xz")
	for _, args := range [][]string{
		{"diff", k0, k1, "-o", "OUT"},
		{"dedup", prededup, "-o", "OUT"},
		{"dump", "-f", "c", k0, "-o", "OUT"},
	} {
		for _, delay := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
			t.Run(args[0]+"/"+delay.String(), func(t *testing.T) {
				dir := t.TempDir()
				a := append([]string{}, args...)
				a[len(a)-1] = filepath.Join(dir, "out")
				cmd := exec.Command(btfhubBin, a...)
				ready := filepath.Join(t.TempDir(), "ready")
				cmd.Env = append(os.Environ(), "BTFHUB_TEST_READY="+ready)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// The delay counts from when btfhub handles signals: on a
				// loaded machine, starting the process alone can take
				// longer than the delay.
				for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
					if _, err := os.Stat(ready); err == nil {
						break
					}
					if time.Since(start) > 30*time.Second {
						cmd.Process.Kill()
						t.Fatal("btfhub did not install its signal handlers in 30 s")
					}
				}
				time.Sleep(delay)
				sent := time.Now()
				cmd.Process.Signal(os.Interrupt)
				err := cmd.Wait()
				took := time.Since(sent)
				if err == nil {
					// On a fast machine the command may finish first.
					t.Skipf("finished %v after the signal", took)
				}
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 || stderr.String() != "btfhub: interrupted\n" {
					t.Fatalf("%v, stderr %q; want exit 130 and %q", err, stderr.String(), "btfhub: interrupted\n")
				}
				if took > time.Second {
					t.Errorf("exited %v after the signal, want under a second", took)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("left behind: %v", entries)
				}
			})
		}
	}
}
