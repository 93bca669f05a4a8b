package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// runRelocate runs the relocate command in process.
func runRelocate(args ...string) error {
	_, err := runRelocateStderr(args...)
	return err
}

// runRelocateStderr runs the relocate command in process and returns what
// it wrote to standard error.
func runRelocateStderr(args ...string) (string, error) {
	cmd := newRelocateCommand()
	cmd.SetArgs(args)
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return stderr.String(), err
}

// libbpfToolsObject returns the path of one libbpf-tools object, skipping
// the test when it is not there (failing it in CI).
func libbpfToolsObject(t *testing.T, name string) string {
	t.Helper()
	for _, p := range testutil.LibbpfToolsObjectFiles(t) {
		if filepath.Base(p) == name {
			return p
		}
	}
	testutil.Missing(t, "no %s in libbpf-tools (a different version of the Debian package?)", name)
	return ""
}

// TestRelocateCommand relocates a libbpf-tools object against a testdata
// kernel, writing the report and the relocated object, and checks both.
func TestRelocateCommand(t *testing.T) {
	objPath := libbpfToolsObject(t, "biolatency.bpf.o")
	target := testutil.KernelBTFFile(t, testutil.Kernels[0])
	dir := t.TempDir()
	out, report := filepath.Join(dir, "out.o"), filepath.Join(dir, "report.json")
	if err := runRelocate(objPath, "--target", target, "--release", testutil.Kernels[0], "-o", out, "--report", report); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var line struct {
			Program  *string `json:"program"`
			Section  *string `json:"section"`
			Insn     *int    `json:"insn"`
			Kind     *string `json:"kind"`
			Type     *string `json:"type"`
			Access   *string `json:"access"`
			Poisoned *bool   `json:"poisoned"`
			Value    *uint64 `json:"value"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line.Program == nil || line.Section == nil || line.Insn == nil || line.Kind == nil || line.Type == nil || line.Access == nil || line.Poisoned == nil {
			t.Errorf("incomplete line %s", sc.Bytes())
		}
		if line.Poisoned != nil && *line.Poisoned != (line.Value == nil) {
			t.Errorf("value must be null exactly when poisoned: %s", sc.Bytes())
		}
		n++
	}
	if n == 0 {
		t.Error("empty report")
	}
	obj, err := corerel.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Ext != nil && len(obj.Ext.CORERelos) != 0 {
		t.Error("relocated object has CO-RE records")
	}

	var ue *usageError
	if err := runRelocate(objPath); !errors.As(err, &ue) {
		t.Errorf("without --target: %v, want a usage error", err)
	}
	if err := runRelocate(target, "--target", target); err == nil {
		t.Error("relocating a BTF file as an object succeeded")
	}
}

// TestRelocateKconfig checks how relocate handles Kconfig externs:
// biolatency.bpf.o reads LINUX_KERNEL_VERSION. With -o the value is
// written into the output (--release is then needed), --keep-kconfig
// leaves the extern to the loader, and an output with written values
// cannot be relocated again.
func TestRelocateKconfig(t *testing.T) {
	objPath := libbpfToolsObject(t, "biolatency.bpf.o")
	target := testutil.KernelBTFFile(t, testutil.Kernels[0])
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	sections := func(t *testing.T, p string) (kconfigSec bool, undef []string) {
		t.Helper()
		f, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		syms, err := f.Symbols()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range syms {
			if s.Section == elf.SHN_UNDEF && s.Name != "" {
				undef = append(undef, s.Name)
			}
		}
		return f.Section(corerel.KconfigSection) != nil, undef
	}

	// Without the release, -o fails and says what to give.
	err := runRelocate(objPath, "--target", target, "-o", path("none.o"))
	if !errors.Is(err, corerel.ErrKconfig) || !strings.Contains(err.Error(), "--release") || !strings.Contains(err.Error(), "--keep-kconfig") {
		t.Errorf("without --release: %v", err)
	}
	if _, err := os.Stat(path("none.o")); err == nil {
		t.Error("output written despite the error")
	}
	// A report alone needs no release.
	if err := runRelocate(objPath, "--target", target, "--report", path("report.json")); err != nil {
		t.Errorf("--report without --release: %v", err)
	}

	// Written: the section is there and no extern is left.
	if err := runRelocate(objPath, "--target", target, "--release", "5.4.0-42-generic", "-o", path("written.o")); err != nil {
		t.Fatal(err)
	}
	if sec, undef := sections(t, path("written.o")); !sec || len(undef) != 0 {
		t.Errorf("written: %s section %v, undefined symbols %v", corerel.KconfigSection, sec, undef)
	}
	err = runRelocate(path("written.o"), "--target", target, "--release", "5.4.0-42-generic", "-o", path("again.o"))
	if !errors.Is(err, corerel.ErrRelocated) {
		t.Errorf("relocating the output again: %v, want ErrRelocated", err)
	}

	// Kept: the extern is left, and the output can be relocated again
	// (it has no CO-RE records left) to write it.
	if err := runRelocate(objPath, "--target", target, "--keep-kconfig", "-o", path("kept.o")); err != nil {
		t.Fatal(err)
	}
	if sec, undef := sections(t, path("kept.o")); sec || strings.Join(undef, ",") != "LINUX_KERNEL_VERSION" {
		t.Errorf("kept: %s section %v, undefined symbols %v", corerel.KconfigSection, sec, undef)
	}
	stderr, err := runRelocateStderr(path("kept.o"), "--target", target, "--keep-kconfig", "-o", path("kept2.o"))
	if err != nil || !strings.Contains(stderr, "is a copy of it") {
		t.Errorf("relocating a kept output again: %v, stderr %q", err, stderr)
	}
	if err := runRelocate(path("kept.o"), "--target", target, "--release", "5.4.0-42-generic", "-o", path("kept_written.o")); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path("written.o"))
	b, _ := os.ReadFile(path("kept_written.o"))
	if !bytes.Equal(a, b) {
		t.Error("writing the Kconfig values of a kept output differs from writing them at once")
	}

	var ue *usageError
	if err := runRelocate(objPath, "--target", target, "--keep-kconfig", "--release", "5.4.0", "-o", path("x.o")); !errors.As(err, &ue) {
		t.Errorf("--keep-kconfig with --release: %v, want a usage error", err)
	}
}
