package corerel_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// clangBPF compiles a C file of testdata/core into a BPF object with BTF.
func clangBPF(t *testing.T, clang, src, dir string) string {
	t.Helper()
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c")+".o")
	cmd := exec.Command(clang, "-g", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang %s: %v\n%s", src, err, msg)
	}
	return out
}

// TestCOREPrograms builds testdata/core/prog.c, which uses every
// relocation kind clang 14 emits, and relocates it against each target
// layout of testdata/core/target_*.c, with corerel and with libbpf. The
// decisions must agree, and the targets libbpf refuses (ambiguous flavors)
// must be refused at the same relocation.
func TestCOREPrograms(t *testing.T) {
	tool := corelog(t)
	clang := testutil.RequireTool(t, "clang")
	dir := t.TempDir()
	prog := clangBPF(t, clang, filepath.Join("testdata", "core", "prog.c"), dir)
	targets, err := filepath.Glob(filepath.Join("testdata", "core", "target_*.c"))
	if err != nil || len(targets) == 0 {
		t.Fatalf("no targets: %v", err)
	}
	for _, src := range targets {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(src), "target_"), ".c")
		t.Run(name, func(t *testing.T) {
			tobj := clangBPF(t, clang, src, dir)
			spec, err := btf.LoadSpec(tobj, nil)
			if err != nil {
				t.Fatal(err)
			}
			target, err := corerel.NewTarget(spec)
			if err != nil {
				t.Fatal(err)
			}
			n := compareWithLibbpf(t, tool, prog, tobj, target)
			t.Logf("%d relocations agree with libbpf", n)
		})
	}
}
