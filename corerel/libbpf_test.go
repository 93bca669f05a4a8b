package corerel_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/libbpflog"
	"github.com/btfhub/btfhub/internal/testutil"
)

// corelog returns the libbpf log helper, built once per test binary.
func corelog(t *testing.T) string {
	t.Helper()
	return libbpflog.Tool(t)
}

// compareWithLibbpf relocates one object against a target with corerel and
// with libbpf, and reports every difference. It returns the number of
// relocations compared.
func compareWithLibbpf(t *testing.T, tool, objPath, targetPath string, target *corerel.Target) int {
	t.Helper()
	obj, err := corerel.OpenFile(objPath)
	if err != nil {
		t.Fatal(err)
	}
	l := libbpflog.Run(t, tool, objPath, targetPath)
	want, failed, log, progs := l.Relos, l.Failed, l.Text, l.Programs
	// The programs libbpf found, in the order it found them (symbol
	// order), against ours.
	var ours []string
	for _, p := range obj.Programs {
		ours = append(ours, fmt.Sprintf("%s %s %d %d", p.Section, p.Name, p.Offset, len(p.Insns)))
	}
	sort.Strings(ours)
	sort.Strings(progs)
	if strings.Join(ours, "\n") != strings.Join(progs, "\n") {
		t.Errorf("programs:\n%s\nlibbpf found:\n%s", strings.Join(ours, "\n"), strings.Join(progs, "\n"))
	}
	res, err := corerel.Relocate(obj, target)
	if failed != nil {
		var re *corerel.RelocationError
		if !errors.As(err, &re) {
			t.Fatalf("libbpf failed on prog '%s' relo #%d, corerel: %v", failed.Prog, failed.Relo, err)
		}
		if re.Program != failed.Prog || re.Index != failed.Relo {
			t.Errorf("libbpf failed on prog '%s' relo #%d, corerel on: %v", failed.Prog, failed.Relo, err)
		} else {
			t.Logf("libbpf and corerel both refuse prog '%s' relo #%d: %v", failed.Prog, failed.Relo, err)
		}
		return 0
	}
	if err != nil {
		t.Fatalf("corerel: %v (libbpf succeeded)", err)
	}
	n := 0
	for _, rel := range res.Relocations {
		k := libbpflog.Key{Prog: rel.Program, Relo: rel.Index}
		w, ok := want[k]
		if !ok {
			obj := obj.Program(rel.Program)
			if obj != nil && !obj.Autoload {
				continue // libbpf leaves "?" programs alone
			}
			t.Errorf("prog '%s' relo #%d: corerel relocated insn #%d, libbpf logged nothing", rel.Program, rel.Index, rel.Insn)
			continue
		}
		delete(want, k)
		n++
		got := libbpflog.Relo{Insn: rel.Insn, Poisoned: rel.Poisoned, Value: rel.Value, MemSize: rel.MemSize}
		if rel.Poisoned {
			got.Value = 0
		}
		if got != w {
			t.Errorf("prog '%s' relo #%d (%s %s %q): corerel %+v, libbpf %+v", rel.Program, rel.Index, rel.Kind, rel.LocalType, rel.Access, got, w)
		}
	}
	for k, w := range want {
		t.Errorf("prog '%s' relo #%d: libbpf patched insn #%d, corerel did not", k.Prog, k.Relo, w.Insn)
	}
	if t.Failed() && testing.Verbose() {
		t.Log(log)
	}
	return n
}

// kernelTargets returns the targets of the differential tests: the
// testdata kernels and the running kernel's BTF, with their file paths.
func kernelTargets(t *testing.T) (names, paths []string, specs []*btf.Spec) {
	for _, k := range testutil.Kernels {
		p := testutil.KernelBTFFile(t, k)
		s, err := btf.LoadSpec(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		names, paths, specs = append(names, k), append(paths, p), append(specs, s)
	}
	const sysfs = "/sys/kernel/btf/vmlinux"
	if s, err := btf.LoadSpec(sysfs, nil); err == nil {
		names, paths, specs = append(names, "sysfs"), append(paths, sysfs), append(specs, s)
	} else {
		t.Logf("no running kernel BTF: %v", err)
	}
	return names, paths, specs
}

// TestLibbpfTools checks every relocation of every object of Debian's
// libbpf-tools against libbpf 1.1's own decision, on each kernel.
func TestLibbpfTools(t *testing.T) {
	tool := corelog(t)
	objs := testutil.LibbpfToolsObjectFiles(t)
	names, paths, specs := kernelTargets(t)
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			target, err := corerel.NewTarget(specs[i])
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			total := 0
			for _, o := range objs {
				t.Run(filepath.Base(o), func(t *testing.T) {
					n := compareWithLibbpf(t, tool, o, paths[i], target)
					mu.Lock()
					total += n
					mu.Unlock()
				})
			}
			t.Logf("%s: %d relocations agree with libbpf over %d objects", name, total, len(objs))
			if total == 0 {
				t.Error("no relocation compared")
			}
		})
	}
}
