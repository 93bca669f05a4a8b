package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

var btfhubBin string

func TestMain(m *testing.M) {
	if bin := os.Getenv(nsBinEnv); bin != "" {
		// TestOutputDevices, re-run in a mount namespace.
		btfhubBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "btfhub-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	btfhubBin = filepath.Join(dir, "btfhub")
	// The btfhubtest tag compiles in the interruption points of
	// testhook.go, which do nothing unless BTFHUB_TEST_HOOK is set.
	if out, err := exec.Command("go", "build", "-tags", "btfhubtest", "-o", btfhubBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building btfhub: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs btfhub and returns its standard output, standard error and
// exit status.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(btfhubBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func kernelXZ(name string) string {
	return filepath.Join(testutil.RepoRoot(), "testdata", "kernels", name+".btf.xz")
}

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.btf")
	good := testutil.KernelBTF(t, testutil.Kernels[0])
	os.WriteFile(corrupt, good[:len(good)/2], 0o644)
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"dump"}, 2, "btfhub: btfhub dump: accepts 1 argument(s), received 0\n"},
		{[]string{"dump", "--bogus", "x"}, 2, "btfhub: btfhub dump: unknown flag: --bogus\n"},
		{[]string{"dump", "--format", "xml", corrupt}, 2, "btfhub: dump: unknown --format \"xml\" (want raw, json or c)\n"},
		{[]string{"frobnicate"}, 2, "btfhub: unknown command \"frobnicate\" for \"btfhub\"\n"},
		{[]string{"convert", corrupt}, 2, "btfhub: convert: -o OUT is required\n"},
		{[]string{"stats", filepath.Join(dir, "missing.btf")}, 1, "btfhub: open " + filepath.Join(dir, "missing.btf") + ": no such file or directory\n"},
		{[]string{"stats", corrupt}, 1, "btfhub: " + corrupt + ": btf: offset 0x8: type section at 0+2421444 past the end of the data (2056415 bytes after the header)\n"},
		{[]string{"dump", corrupt, "--base", corrupt}, 1, "btfhub: base: " + corrupt + ": btf: offset 0x8: type section at 0+2421444 past the end of the data (2056415 bytes after the header)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != tt.code || stderr != tt.stderr {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

func TestDumpMatchesLibrary(t *testing.T) {
	name := testutil.Kernels[0]
	stdout, stderr, code := run(t, "dump", kernelXZ(name))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s, err := btf.Decode(testutil.KernelBTF(t, name), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := btf.WriteText(&want, s); err != nil {
		t.Fatal(err)
	}
	if stdout != want.String() {
		t.Fatal("dump output differs from btf.WriteText")
	}
}

func TestStatsJSON(t *testing.T) {
	stdout, stderr, code := run(t, "stats", "--json", kernelXZ(testutil.Kernels[0]))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var st btf.Stats
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	// The data README gives these figures for the 6.1 kernel.
	if st.Types != 95057 || st.TotalBytes != 4112879 {
		t.Errorf("types %d, bytes %d; want 95057, 4112879", st.Types, st.TotalBytes)
	}
	sum := 0
	for _, n := range st.ByKind {
		sum += n
	}
	if sum != st.Types {
		t.Errorf("kinds add up to %d, want %d", sum, st.Types)
	}
}

func TestConvertRoundTrip(t *testing.T) {
	dir := t.TempDir()
	name := testutil.Kernels[0]
	raw := testutil.KernelBTFFile(t, name)
	be := filepath.Join(dir, "be.btf")
	back := filepath.Join(dir, "back.btf")
	elfOut := filepath.Join(dir, "vmlinux")
	for _, args := range [][]string{
		{"convert", raw, "--endian", "big", "-o", be},
		{"convert", be, "--endian", "little", "-o", back},
		{"convert", be, "--to", "elf", "--endian", "little", "-o", elfOut},
	} {
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	orig := testutil.KernelBTF(t, name)
	beData, _ := os.ReadFile(be)
	if bytes.Equal(beData, orig) || len(beData) != len(orig) {
		t.Fatal("big-endian output is not a byte-swapped copy")
	}
	backData, _ := os.ReadFile(back)
	if !bytes.Equal(backData, orig) {
		t.Fatal("little -> big -> little is not identical")
	}
	want, _, _ := run(t, "dump", raw)
	got, stderr, code := run(t, "dump", elfOut)
	if code != 0 || got != want {
		t.Fatalf("dump of the ELF output differs from the raw input's (exit %d: %s)", code, stderr)
	}
}

func TestFailedWriteLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.btf")
	good := testutil.KernelBTF(t, testutil.Kernels[0])
	corrupt := filepath.Join(dir, "corrupt.btf")
	os.WriteFile(corrupt, good[:1000], 0o644)
	if _, _, code := run(t, "convert", corrupt, "-o", out); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the output directory: %v", entries)
	}
}

func TestDiffJSON(t *testing.T) {
	a, b := kernelXZ(testutil.Kernels[0]), kernelXZ(testutil.Kernels[1])
	stdout, stderr, code := run(t, "diff", "--json", a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var report struct {
		A, B    string
		Added   []struct{ Kind, Name string }
		Changed []struct{ Kind, Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatal(err)
	}
	if report.A != a || report.B != b || len(report.Added) == 0 {
		t.Fatalf("report names %q %q with %d added", report.A, report.B, len(report.Added))
	}
	found := false
	for _, c := range report.Changed {
		found = found || c.Kind == "struct" && c.Name == "task_struct"
	}
	if !found {
		t.Error("task_struct is not among the changed types between 6.1 and 6.18")
	}
	same, _, code := run(t, "diff", a, a)
	if code != 0 || strings.Count(same, "\n") > 3 {
		t.Errorf("diff of a kernel with itself: exit %d, output %q", code, same)
	}
}

func TestDumpC(t *testing.T) {
	out := filepath.Join(t.TempDir(), "vmlinux.h")
	if _, stderr, code := run(t, "dump", "--format", "c", "-o", out, kernelXZ(testutil.Kernels[0])); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#ifndef __VMLINUX_H__", "struct task_struct {", "preserve_access_index"} {
		if !bytes.Contains(h, []byte(want)) {
			t.Errorf("header lacks %q", want)
		}
	}
}
