package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// runRelocate runs the relocate command in process.
func runRelocate(args ...string) error {
	cmd := newRelocateCommand()
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}

// TestRelocateCommand relocates a libbpf-tools object against a testdata
// kernel, writing the report and the relocated object, and checks both.
func TestRelocateCommand(t *testing.T) {
	var objPath string
	for _, p := range testutil.LibbpfToolsObjectFiles(t) {
		if filepath.Base(p) == "biolatency.bpf.o" {
			objPath = p
		}
	}
	if objPath == "" {
		t.Skip("no biolatency.bpf.o in libbpf-tools")
	}
	target := testutil.KernelBTFFile(t, testutil.Kernels[0])
	dir := t.TempDir()
	out, report := filepath.Join(dir, "out.o"), filepath.Join(dir, "report.json")
	if err := runRelocate(objPath, "--target", target, "-o", out, "--report", report); err != nil {
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
