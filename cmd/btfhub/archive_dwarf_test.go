package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// TestArchiveAddFromDWARF adds an old-style kernel, a vmlinux with DWARF
// but no .BTF, to an archive: its BTF is encoded from the DWARF, as
// btfhub encode does, which is byte for byte what pahole 1.24 writes.
func TestArchiveAddFromDWARF(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a whole kernel")
	}
	vmlinux := filepath.Join(testutil.RepoRoot(), "benchmarks", "data", "vmlinux-6.1.0-53-cloud-amd64")
	if _, err := os.Stat(vmlinux); err != nil {
		testutil.Missing(t, "%v: run make testdata", err)
	}
	// Symbols of .text refer to .BTF, so it cannot be removed; renamed, it
	// is as good as absent.
	objcopy := testutil.RequireTool(t, "llvm-objcopy")
	dir := t.TempDir()
	stripped := filepath.Join(dir, "vmlinux-6.1.0-53-cloud-amd64")
	if out, err := exec.Command(objcopy, "--rename-section=.BTF=.BTF.hidden", vmlinux, stripped).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v: %s", err, out)
	}
	tree := filepath.Join(dir, "archive")
	debian12 := []string{"--distro", "debian", "--version", "12", "--arch", "x86_64"}
	got := addAndGet(t, tree, "6.1.0-53-cloud-amd64", stripped, debian12...)
	list, _, _ := run(t, "archive", "list", tree)
	if !strings.Contains(list, "6.1.0-53-cloud-amd64") {
		t.Fatalf("archive list:\n%s", list)
	}
	// What archive add stored is what btfhub encode writes for the file.
	encoded := filepath.Join(dir, "encoded.btf")
	if _, stderr, code := run(t, "encode", stripped, "-q", "-o", encoded); code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	if want, _ := os.ReadFile(encoded); !bytes.Equal(got, want) {
		t.Fatalf("archive get gives %d bytes, btfhub encode %d", len(got), len(want))
	}
	// The same vmlinux in a debug package: read out of the stream, held
	// outside the heap, with what encoding does not read given back.
	data, err := os.ReadFile(stripped)
	if err != nil {
		t.Fatal(err)
	}
	deb := filepath.Join(dir, "linux-image-6.1.0-53-cloud-amd64-dbg_test_amd64.deb")
	writeDeb(t, deb, []debFile{{"usr/lib/debug/boot/vmlinux-6.1.0-53-cloud-amd64", data}})
	data = nil
	if p := addAndGet(t, filepath.Join(dir, "archive-pkg"), "6.1.0-53-cloud-amd64", deb, debian12...); !bytes.Equal(p, got) {
		t.Fatalf("archive add of the package stored %d bytes, of the file %d", len(p), len(got))
	}
	// And that is pahole 1.24's encoding: pahole's default, as captured in
	// testdata/dedup, has no FLOAT kind, hence --features float here.
	noFloat := filepath.Join(dir, "nofloat.btf")
	if _, stderr, code := run(t, "encode", stripped, "-q", "--features", "float", "-o", noFloat); code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	pahole, err := testutil.ReadXZ(filepath.Join(testutil.RepoRoot(), "testdata", "dedup", "6.1.0-53-cloud-amd64.libbpf-1.1.btf.xz"))
	if err != nil {
		t.Fatal(err)
	}
	if nf, _ := os.ReadFile(noFloat); !bytes.Equal(nf, pahole) {
		t.Fatalf("encoding without floats (%d bytes) differs from pahole's (%d bytes)", len(nf), len(pahole))
	}
	cat, _ := os.ReadFile(filepath.Join(tree, "btfhub-catalogue.json"))
	if !bytes.Contains(cat, []byte("btfhub-fromdwarf")) {
		t.Errorf("catalogue does not name the DWARF encoder:\n%s", cat)
	}
}

// addAndGet adds input to the archive tree with archive add and the flags
// given, and returns the BTF that archive get then gives for release.
func addAndGet(t *testing.T, tree, release, input string, flags ...string) []byte {
	t.Helper()
	args := append(append([]string{"archive", "add", tree}, flags...), "-q", input)
	if _, stderr, code := run(t, args...); code != 0 {
		t.Fatalf("archive add %s: exit %d: %s", input, code, stderr)
	}
	out := filepath.Join(t.TempDir(), "got.btf")
	if _, stderr, code := run(t, "archive", "get", tree, "--release", release, "-o", out); code != 0 {
		t.Fatalf("archive get %s: exit %d: %s", release, code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
