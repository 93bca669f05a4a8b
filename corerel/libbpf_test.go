package corerel_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

var (
	corelogOnce sync.Once
	corelogPath string
	corelogErr  string
)

// corelog builds testdata/corelog.c against Debian's libbpf-dev once per
// test binary and returns its path.
func corelog(t *testing.T) string {
	t.Helper()
	cc := testutil.RequireTool(t, "cc")
	if _, err := os.Stat("/usr/include/bpf/libbpf.h"); err != nil {
		testutil.Missing(t, "libbpf-dev is not installed: %v", err)
	}
	corelogOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corelog")
		if err != nil {
			corelogErr = err.Error()
			return
		}
		corelogPath = filepath.Join(dir, "corelog")
		out, err := exec.Command(cc, "-O1", "-o", corelogPath, filepath.Join("testdata", "corelog.c"), "-lbpf").CombinedOutput()
		if err != nil {
			corelogErr = fmt.Sprintf("building corelog: %v\n%s", err, out)
		}
	})
	if corelogErr != "" {
		t.Fatal(corelogErr)
	}
	return corelogPath
}

// libbpfRelo is one relocation decision read from libbpf's debug log.
type libbpfRelo struct {
	insn     int
	poisoned bool
	value    uint64
	memSize  uint32
}

type reloKey struct {
	prog string
	relo int
}

var (
	rePatched = regexp.MustCompile(`^(?:libbpf: )?prog '([^']+)': relo #(\d+): patched insn #(\d+) \(([A-Z0-9/]+)\) (imm|off|imm64|mem_sz) (\d+) -> (\d+)$`)
	rePoison  = regexp.MustCompile(`^(?:libbpf: )?prog '([^']+)': relo #(\d+): substituting insn #(\d+) w/ invalid insn$`)
	reProgram = regexp.MustCompile(`^(?:libbpf: )?sec '([^']+)': found program '([^']+)' at insn offset (\d+) \(\d+ bytes\), code size (\d+) insns`)
	reFailed  = regexp.MustCompile(`^(?:libbpf: )?prog '([^']+)': relo #(\d+): failed to (relocate|patch insn)`)
)

// libbpfLog runs corelog on an object and target and returns libbpf's
// decisions, and the relocation it failed on, if any.
func libbpfLog(t *testing.T, tool, obj, target string) (map[reloKey]libbpfRelo, *reloKey, string, []string) {
	t.Helper()
	out, err := exec.Command(tool, obj, target).Output()
	if err != nil {
		t.Fatalf("corelog %s %s: %v\n%s", obj, target, err, out)
	}
	got := map[reloKey]libbpfRelo{}
	var failed *reloKey
	var progs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := rePatched.FindStringSubmatch(line); m != nil {
			k := reloKey{m[1], atoi(m[2])}
			r := got[k]
			r.insn = atoi(m[3])
			v, _ := strconv.ParseUint(m[7], 10, 64)
			if m[5] == "mem_sz" {
				r.memSize = uint32(v)
			} else {
				r.value = v
			}
			got[k] = r
		} else if m := rePoison.FindStringSubmatch(line); m != nil {
			k := reloKey{m[1], atoi(m[2])}
			insn := atoi(m[3])
			r, seen := got[k]
			// A poisoned ldimm64 logs its second half first.
			if !seen || insn < r.insn {
				r.insn = insn
			}
			r.poisoned = true
			got[k] = r
		} else if m := reProgram.FindStringSubmatch(line); m != nil {
			progs = append(progs, fmt.Sprintf("%s %s %s %s", m[1], m[2], m[3], m[4]))
		} else if m := reFailed.FindStringSubmatch(line); m != nil && failed == nil {
			failed = &reloKey{m[1], atoi(m[2])}
		}
	}
	return got, failed, string(out), progs
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
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
	want, failed, log, progs := libbpfLog(t, tool, objPath, targetPath)
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
			t.Fatalf("libbpf failed on prog '%s' relo #%d, corerel: %v", failed.prog, failed.relo, err)
		}
		if re.Program != failed.prog || re.Index != failed.relo {
			t.Errorf("libbpf failed on prog '%s' relo #%d, corerel on: %v", failed.prog, failed.relo, err)
		} else {
			t.Logf("libbpf and corerel both refuse prog '%s' relo #%d: %v", failed.prog, failed.relo, err)
		}
		return 0
	}
	if err != nil {
		t.Fatalf("corerel: %v (libbpf succeeded)", err)
	}
	n := 0
	for _, rel := range res.Relocations {
		k := reloKey{rel.Program, rel.Index}
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
		got := libbpfRelo{insn: rel.Insn, poisoned: rel.Poisoned, value: rel.Value, memSize: rel.MemSize}
		if rel.Poisoned {
			got.value = 0
		}
		if got != w {
			t.Errorf("prog '%s' relo #%d (%s %s %q): corerel %+v, libbpf %+v", rel.Program, rel.Index, rel.Kind, rel.LocalType, rel.Access, got, w)
		}
	}
	for k, w := range want {
		t.Errorf("prog '%s' relo #%d: libbpf patched insn #%d, corerel did not", k.prog, k.relo, w.insn)
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
