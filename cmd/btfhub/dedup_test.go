package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/btfhub/btfhub/internal/testutil"
)

func dedupInput(name string) string {
	return filepath.Join(testutil.RepoRoot(), "testdata", "dedup", name)
}

func TestDedupCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("deduplicates 3.4 million types")
	}
	out := filepath.Join(t.TempDir(), "vmlinux.btf")
	_, stderr, code := run(t, "dedup", dedupInput("6.1.0-53-cloud-amd64.prededup.btf.xz"), "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "3404422 types, 132492898 bytes -> 94630 types, 4106878 bytes in ") {
		t.Errorf("summary %q", stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := testutil.ReadXZ(dedupInput("6.1.0-53-cloud-amd64.libbpf-1.1.btf.xz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("output differs from libbpf 1.1's btf__dedup")
	}
}

// TestDedupInterrupted sends SIGINT while dedup runs: it must fail and
// leave nothing behind, neither OUT nor a temporary file.
func TestDedupInterrupted(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "vmlinux.btf")
	cmd := exec.Command(btfhubBin, "dedup", dedupInput("6.1.0-53-cloud-amd64.prededup.btf.xz"), "-o", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("dedup succeeded despite SIGINT: %s", stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files left behind: %v", entries)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr %q does not say it was interrupted", stderr.String())
	}
}
