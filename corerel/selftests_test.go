package corerel_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

// selftestCase is one entry of the test_cases[] table of the kernel's
// tools/testing/selftests/bpf/prog_tests/core_reloc.c.
type selftestCase struct {
	name     string // .case_name
	obj      string // .bpf_obj_file, such as "test_core_reloc_nesting.bpf.o"
	btfSrc   string // .btf_src_file, "" for NULL (the running kernel)
	prog     string // .prog_name, the program the selftest runs
	fails    bool   // .fails: loading the object must fail
	needsMod bool   // .needs_testmod: the target is bpf_testmod's BTF
}

var (
	reCaseString = regexp.MustCompile(`\.(case_name|bpf_obj_file|btf_src_file|prog_name)\s*=\s*((?:"[^"]*"\s*)+|NULL)`)
	reCaseTrue   = regexp.MustCompile(`\.(fails|needs_testmod)\s*=\s*true`)
	reStringLit  = regexp.MustCompile(`"([^"]*)"`)
)

// parseSelftestCases reads the test_cases[] table of core_reloc.c. The
// table is built with macros, so the file goes through clang's
// preprocessor first, without its #include lines (test_progs.h and the
// others are not fetched; the table's fields need none of their macros).
func parseSelftestCases(t *testing.T, clang, path string) []selftestCase {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#include") {
			kept = append(kept, line)
		}
	}
	cmd := exec.Command(clang, "-E", "-P", "-x", "c", "-")
	cmd.Stdin = strings.NewReader(strings.Join(kept, "\n"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("preprocessing %s: %v", path, err)
	}
	text := string(out)
	start := strings.Index(text, "test_cases[] = {")
	if start < 0 {
		t.Fatalf("%s: no test_cases[] table", path)
	}
	text = text[start+len("test_cases[] = {"):]
	var cases []selftestCase
	for _, elem := range topLevelBraces(text) {
		var c selftestCase
		for _, m := range reCaseString.FindAllStringSubmatch(elem, -1) {
			var s string
			for _, lit := range reStringLit.FindAllStringSubmatch(m[2], -1) {
				s += lit[1]
			}
			switch m[1] {
			case "case_name":
				c.name = s
			case "bpf_obj_file":
				c.obj = s
			case "btf_src_file":
				c.btfSrc = s
			case "prog_name":
				c.prog = s
			}
		}
		for _, m := range reCaseTrue.FindAllStringSubmatch(elem, -1) {
			switch m[1] {
			case "fails":
				c.fails = true
			case "needs_testmod":
				c.needsMod = true
			}
		}
		if c.name == "" || c.obj == "" {
			t.Fatalf("%s: test case without case_name or bpf_obj_file: %.200s", path, elem)
		}
		cases = append(cases, c)
	}
	return cases
}

// topLevelBraces returns the text of each {...} group at the top level of
// an initializer list, up to the list's closing brace.
func topLevelBraces(text string) []string {
	var groups []string
	depth, start, inString := 0, 0, false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case inString:
			if ch == '\\' {
				i++
			} else if ch == '"' {
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '{':
			if depth == 0 {
				start = i
			}
			depth++
		case ch == '}':
			if depth == 0 {
				return groups // the table's own closing brace
			}
			depth--
			if depth == 0 {
				groups = append(groups, text[start:i+1])
			}
		}
	}
	return groups
}

// selftestBuilder compiles the selftests' C files once each, remembering
// clang's error for the files clang 14 cannot build.
type selftestBuilder struct {
	clang, progs, inc, out string
	cpu                    string            // -mcpu: v3 for test_progs, v2 for test_progs-no_alu32
	objs                   map[string]string // object path by source
	errs                   map[string]string // compiler output by source
}

// flags returns clang's flags for a selftest file: those of the selftests'
// Makefile (BPF_CFLAGS, CLANG_CFLAGS and CLANG_BPF_BUILD_RULE or
// CLANG_NOALU32_BPF_BUILD_RULE) minus their include directories, as the
// programs need only libbpf's headers (/usr/include/bpf), the UAPI headers
// and core_reloc_types.h.
func (b *selftestBuilder) flags() []string {
	return []string{"-g", "-Werror", "-D__TARGET_ARCH_x86", "-mlittle-endian",
		"-I" + b.inc, "-I/usr/include/x86_64-linux-gnu", "-I" + b.progs,
		"-Wno-compare-distinct-pointer-types", "-O2", "-target", "bpf", "-mcpu=" + b.cpu}
}

// build compiles progs/<src> for the bpf target and returns the object's
// path, or clang's reason for refusing it.
func (b *selftestBuilder) build(src string) (string, string) {
	if o, ok := b.objs[src]; ok {
		return o, ""
	}
	if e, ok := b.errs[src]; ok {
		return "", e
	}
	out := filepath.Join(b.out, strings.TrimSuffix(src, ".c")+"."+b.cpu+".o")
	args := append(b.flags(), "-c", filepath.Join(b.progs, src), "-o", out)
	cmd := exec.Command(b.clang, args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.errs[src] = fmt.Sprintf("%v\n%s", err, msg)
		return "", b.errs[src]
	}
	if strings.HasPrefix(src, "test_core_reloc_") {
		if msg := b.fallback(src); msg != "" {
			b.errs[src] = msg
			return "", msg
		}
	}
	b.objs[src] = out
	return out, ""
}

var (
	reSkipped = regexp.MustCompile(`\bskip\s*=\s*(?:true|1)\b`) // stdbool.h makes true 1
	reGuard   = regexp.MustCompile(`(?m)^#if .*(__has_builtin|__clang_major__).*$`)
)

// fallback reports why a program compiles to its "data.skip = true"
// fallback, which the selftests take when the compiler lacks a builtin
// they use (such as __builtin_preserve_type_info's TYPE_MATCHES or
// 64-bit enum values, clang 15): "" when clang builds the real program.
func (b *selftestBuilder) fallback(src string) string {
	path := filepath.Join(b.progs, src)
	cmd := exec.Command(b.clang, append(b.flags(), "-E", "-P", path)...)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("preprocessing: %v", err)
	}
	if !reSkipped.Match(out) {
		return ""
	}
	text, _ := os.ReadFile(path)
	version, _ := exec.Command(b.clang, "--version").Output()
	first, _, _ := strings.Cut(string(version), "\n")
	return fmt.Sprintf("%s fails the guard %q: the object is the selftest's \"data.skip = true\" fallback",
		first, strings.Join(reGuard.FindAllString(string(text), -1), "; "))
}

// TestSelftests runs libbpf's own CO-RE selftests, the programs
// test_core_reloc_*.c of the kernel's tools/testing/selftests/bpf/progs
// and their targets btf__core_reloc_*.c, fetched from Debian's
// linux-source-6.1 by scripts/fetch-selftests.sh, through the differential
// check of TestCOREPrograms: every (program, target) pair of the test_cases[]
// table of prog_tests/core_reloc.c that clang 14 builds is relocated by
// corerel and by libbpf 1.1, and the decisions must agree. The cases the
// table marks as failing must fail here too: a relocation both refuse, or
// an instruction both poison in the program the selftest runs.
func TestSelftests(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(), "testdata", "cache", "selftests")
	if _, err := os.Stat(filepath.Join(dir, "VERSION")); err != nil {
		testutil.Missing(t, "libbpf's CO-RE selftests are not fetched (run scripts/fetch-selftests.sh): %v", err)
	}
	tool := corelog(t)
	clang := testutil.RequireTool(t, "clang")
	cases := parseSelftestCases(t, clang, filepath.Join(dir, "prog_tests", "core_reloc.c"))

	// glibc's stdint.h includes gnu/stubs-32.h on any target that is not
	// x86-64, and Debian installs it only with libc6-dev-i386. It only
	// declares which functions are stubs: an empty one does.
	inc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(inc, "gnu"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inc, "gnu", "stubs-32.h"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()

	// The cases with no btf_src_file relocate against the running kernel
	// in the selftest; here against every kernel we have. Their files
	// live in this test's temporary directory.
	var kernelNames, kernelPaths []string
	var kernelSpecs []*btf.Spec
	for _, c := range cases {
		if c.btfSrc == "" && !c.needsMod {
			kernelNames, kernelPaths, kernelSpecs = kernelTargets(t)
			break
		}
	}
	var compared, relocs, refused, poisoned, skipped int
	// The selftests run every object built twice: with -mcpu=v3 by
	// test_progs and with -mcpu=v2 by test_progs-no_alu32.
	for _, flavor := range []struct{ name, cpu string }{{"test_progs", "v3"}, {"test_progs-no_alu32", "v2"}} {
		b := &selftestBuilder{clang: clang, progs: filepath.Join(dir, "progs"), inc: inc, out: out,
			cpu: flavor.cpu, objs: map[string]string{}, errs: map[string]string{}}
		t.Run(flavor.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(strings.ReplaceAll(c.name, ":", "_"), func(t *testing.T) {
					if c.needsMod {
						skipped++
						t.Skipf("%s needs the bpf_testmod kernel module's BTF", c.obj)
					}
					src := strings.TrimSuffix(c.obj, ".bpf.o") + ".c"
					obj, msg := b.build(src)
					if msg != "" {
						skipped++
						t.Skipf("clang cannot build %s as the selftest means it: %s", src, msg)
					}
					var names, paths []string
					var specs []*btf.Spec
					if c.btfSrc == "" {
						names, paths, specs = kernelNames, kernelPaths, kernelSpecs
					} else {
						tsrc := strings.TrimSuffix(c.btfSrc, ".bpf.o") + ".c"
						tobj, msg := b.build(tsrc)
						if msg != "" {
							t.Fatalf("clang cannot build the target %s: %s", tsrc, msg)
						}
						spec, err := btf.LoadSpec(tobj, nil)
						if err != nil {
							t.Fatal(err)
						}
						names, paths, specs = []string{c.btfSrc}, []string{tobj}, []*btf.Spec{spec}
					}
					for i := range names {
						target, err := corerel.NewTarget(specs[i])
						if err != nil {
							t.Fatal(err)
						}
						n := compareWithLibbpf(t, tool, obj, paths[i], target)
						if t.Failed() {
							return
						}
						compared++
						relocs += n
						outcome := selftestOutcome(t, obj, target, c.prog)
						switch {
						case c.fails && outcome == "":
							t.Errorf("%s on %s: the selftest expects a failure; libbpf and corerel both relocate prog '%s' cleanly", c.obj, names[i], c.prog)
						case !c.fails && strings.HasPrefix(outcome, "refused"):
							t.Errorf("%s on %s: the selftest expects success; libbpf and corerel both %s", c.obj, names[i], outcome)
						case c.fails && strings.HasPrefix(outcome, "refused"):
							refused++
						case c.fails:
							poisoned++
						}
						t.Logf("%s on %s: %d relocations agree with libbpf; %s", c.obj, names[i], n, outcomeText(outcome))
					}
				})
			}
		})
	}
	t.Logf("%d selftest cases from %s, in 2 flavors: %d (program, target) pairs agree with libbpf (%d relocations); expected failures reproduced: %d refused, %d poisoned; %d cases skipped",
		len(cases), strings.TrimSpace(readFileString(filepath.Join(dir, "VERSION"))), compared, relocs, refused, poisoned, skipped)
	if compared == 0 {
		t.Error("no selftest case compared")
	}
}

// selftestOutcome relocates obj with corerel and says how the selftest's
// program fares: "" when it is relocated with no poisoned instruction,
// "refused ..." when the relocation fails, "poisoned ..." when an
// instruction of prog is poisoned. compareWithLibbpf has already checked
// that libbpf decides the same.
func selftestOutcome(t *testing.T, objPath string, target *corerel.Target, prog string) string {
	t.Helper()
	obj, err := corerel.OpenFile(objPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := corerel.Relocate(obj, target)
	if err != nil {
		var re *corerel.RelocationError
		if !errors.As(err, &re) {
			t.Fatalf("corerel: %v", err)
		}
		return fmt.Sprintf("refused prog '%s' relo #%d: %v", re.Program, re.Index, err)
	}
	var relos []string
	for _, r := range res.Relocations {
		if r.Poisoned && r.Program == prog {
			relos = append(relos, fmt.Sprintf("#%d (%s %s %q)", r.Index, r.Kind, r.LocalType, r.Access))
		}
	}
	if relos == nil {
		return ""
	}
	return fmt.Sprintf("poisoned in prog '%s': relo %s", prog, strings.Join(relos, ", "))
}

func outcomeText(outcome string) string {
	if outcome == "" {
		return "relocated"
	}
	return "both " + outcome
}

func readFileString(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// TestTopLevelBraces checks the initializer splitting that
// parseSelftestCases relies on: nested braces stay in their element, and
// braces inside string literals do not count.
func TestTopLevelBraces(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{` { .a = 1 }, { .b = { .c = 2 } }, };`, []string{`{ .a = 1 }`, `{ .b = { .c = 2 } }`}},
		{` { .s = "}{\"}" }, { .t = 1 } };`, []string{`{ .s = "}{\"}" }`, `{ .t = 1 }`}},
		{` };`, nil},
		{` { .unterminated = 1 `, nil},
	} {
		got := topLevelBraces(tc.text)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("topLevelBraces(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
