// Package libbpflog runs libbpf 1.1 (Debian's libbpf-dev) on a BPF object
// with a target BTF as its btf_custom_path, and reads the CO-RE relocation
// decisions from libbpf's debug log, for differential tests.
//
// The helper program, testdata/corelog.c, is built once per test binary.
// It opens the object with btf_custom_path set, turns off every map's
// autocreate, loads it, and prints libbpf's debug log: CO-RE relocation
// happens before the kernel sees the programs, so the log holds every
// decision even when the load then fails.
package libbpflog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

var (
	toolOnce sync.Once
	toolPath string
	toolErr  string
)

// Tool builds testdata/corelog.c against Debian's libbpf-dev once per
// test binary and returns its path. It skips the test (fails it in CI)
// when cc or libbpf-dev is missing.
func Tool(tb testing.TB) string {
	tb.Helper()
	cc := testutil.RequireTool(tb, "cc")
	if _, err := os.Stat("/usr/include/bpf/libbpf.h"); err != nil {
		testutil.Missing(tb, "libbpf-dev is not installed: %v", err)
	}
	toolOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corelog")
		if err != nil {
			toolErr = err.Error()
			return
		}
		toolPath = filepath.Join(dir, "corelog")
		src := filepath.Join(testutil.RepoRoot(), "internal", "libbpflog", "testdata", "corelog.c")
		out, err := exec.Command(cc, "-O1", "-o", toolPath, src, "-lbpf").CombinedOutput()
		if err != nil {
			toolErr = fmt.Sprintf("building corelog: %v\n%s", err, out)
		}
	})
	if toolErr != "" {
		tb.Fatal(toolErr)
	}
	return toolPath
}

// Key names a relocation as libbpf's log does: "prog 'PROG': relo #N".
type Key struct {
	Prog string
	Relo int
}

// Relo is one relocation decision read from libbpf's log.
type Relo struct {
	Insn     int    // the patched instruction, from the program's start
	Poisoned bool   // the instruction was replaced by an invalid one
	Value    uint64 // the value written (0 when poisoned)
	MemSize  uint32 // the new size of a load or store, 0 when unchanged
}

// Log is what one run of libbpf decided.
type Log struct {
	// Relos holds every relocation libbpf patched or poisoned.
	Relos map[Key]Relo
	// Failed is the relocation libbpf stopped on, nil when none.
	Failed *Key
	// Programs lists the programs libbpf found, each as "SECTION NAME
	// OFFSET SIZE", in the order it found them.
	Programs []string
	// Text is the whole log.
	Text string
}

// The patterns allow leading blanks: libbpf 1.1 ends some warnings with
// "\n " (src/relo_core.c, bpf_core_calc_relo_insn, "error matching
// candidate"), which indents the next line of the log.
var (
	rePatched = regexp.MustCompile(`^\s*(?:libbpf: )?prog '([^']+)': relo #(\d+): patched insn #(\d+) \(([A-Z0-9/]+)\) (imm|off|imm64|mem_sz) (\d+) -> (\d+)$`)
	rePoison  = regexp.MustCompile(`^\s*(?:libbpf: )?prog '([^']+)': relo #(\d+): substituting insn #(\d+) w/ invalid insn$`)
	reProgram = regexp.MustCompile(`^\s*(?:libbpf: )?sec '([^']+)': found program '([^']+)' at insn offset (\d+) \(\d+ bytes\), code size (\d+) insns`)
	reFailed  = regexp.MustCompile(`^\s*(?:libbpf: )?prog '([^']+)': relo #(\d+): failed to (relocate|patch insn)`)
)

// Run runs the tool built by Tool on an object with target as its
// btf_custom_path (and a kconfig file, when given) and parses the log.
func Run(tb testing.TB, tool, obj, target string, kconfig ...string) *Log {
	tb.Helper()
	args := append([]string{obj, target}, kconfig...)
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		tb.Fatalf("corelog %s %s: %v\n%s", obj, target, err, out)
	}
	return Parse(out)
}

// Parse reads libbpf's debug log.
func Parse(out []byte) *Log {
	l := &Log{Relos: map[Key]Relo{}, Text: string(out)}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := rePatched.FindStringSubmatch(line); m != nil {
			k := Key{m[1], atoi(m[2])}
			r := l.Relos[k]
			r.Insn = atoi(m[3])
			v, _ := strconv.ParseUint(m[7], 10, 64)
			if m[5] == "mem_sz" {
				r.MemSize = uint32(v)
			} else {
				r.Value = v
			}
			l.Relos[k] = r
		} else if m := rePoison.FindStringSubmatch(line); m != nil {
			k := Key{m[1], atoi(m[2])}
			insn := atoi(m[3])
			r, seen := l.Relos[k]
			// A poisoned ldimm64 logs its second half first.
			if !seen || insn < r.Insn {
				r.Insn = insn
			}
			r.Poisoned = true
			l.Relos[k] = r
		} else if m := reProgram.FindStringSubmatch(line); m != nil {
			l.Programs = append(l.Programs, fmt.Sprintf("%s %s %s %s", m[1], m[2], m[3], m[4]))
		} else if m := reFailed.FindStringSubmatch(line); m != nil && l.Failed == nil {
			l.Failed = &Key{m[1], atoi(m[2])}
		}
	}
	return l
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
