package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
)

// TestDedupRecursiveTypedef: input with Go's `type T *T`, twice, which
// libbpf 1.1 cannot deduplicate, is deduplicated as libbpf 1.7 does (see
// dedup.Options.Libbpf17), and the command says so.
func TestDedupRecursiveTypedef(t *testing.T) {
	b := btf.NewBuilder(nil)
	for range 2 {
		td := b.NextID()
		b.AddTypedef("T", td+1)
		b.AddPointer(td)
		b.AddStruct("s", 8, []btf.Member{{Name: "a", Type: td}})
	}
	in, err := b.SpecWith(&btf.DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inPath, outPath := filepath.Join(dir, "in.btf"), filepath.Join(dir, "out.btf")
	if err := os.WriteFile(inPath, in.Marshal(nil), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "dedup", inPath, "-o", outPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "libbpf 1.7") || !strings.Contains(stderr, "6 types") || !strings.Contains(stderr, "-> 3 types") {
		t.Errorf("stderr %q", stderr)
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := btf.DecodeWith(data, nil, &btf.DecodeOptions{AllowReferenceLoops: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.NumTypes() != 3 || out.CheckReferenceLoops() == nil {
		t.Errorf("output has %d types, loop check %v; want 3 types and the loop", out.NumTypes(), out.CheckReferenceLoops())
	}
}
