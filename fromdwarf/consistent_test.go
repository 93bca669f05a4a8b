package fromdwarf

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/testutil"
)

// funcNames returns the names of the FUNCs of s, sorted, with repeats.
func funcNames(tb testing.TB, s *btf.Spec) []string {
	tb.Helper()
	var names []string
	for t := range s.Types() {
		if t.Kind() == btf.KindFunc {
			names = append(names, t.Name())
		}
	}
	slices.Sort(names)
	return names
}

// linkTwoUnits compiles srcA and srcB with gcc into one shared object: two
// CUs, each defining the static function f, called from an exported
// function so that it stays.
func linkTwoUnits(t *testing.T, srcA, srcB string) string {
	t.Helper()
	gcc := testutil.RequireTool(t, "gcc")
	dir := t.TempDir()
	var args []string
	for i, src := range []string{srcA, srcB} {
		p := filepath.Join(dir, string(rune('a'+i))+".c")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out := filepath.Join(dir, "two.so")
	args = append([]string{"-g", "-O0", "-shared", "-fPIC", "-o", out}, args...)
	if msg, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return out
}

// TestConsistentFuncs builds a static function f in two CUs with
// prototypes that differ in one way or another: Options.ConsistentFuncs
// drops f when they differ in a way the rule counts, and without the
// option the first CU's f is kept, as in pahole 1.24.
func TestConsistentFuncs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a, b   string // f's definition in each CU
		decls  string // declarations both CUs need
		keep   bool
		reason string
	}{
		{name: "same", a: "static int f(int a, long b) { return a + b; }", b: "static int f(int a, long b) { return a - b; }", keep: true},
		{name: "param_count", a: "static int f(int a) { return a; }", b: "static int f(int a, int b) { return a + b; }"},
		{name: "param_type", a: "static int f(int a) { return a; }", b: "static int f(long a) { return a; }"},
		{name: "param_name", a: "static int f(int a) { return a; }", b: "static int f(int b) { return b + 1; }", keep: true,
			reason: "parameter names do not count (pahole proto__get: no_parm_names)"},
		{name: "qualifiers", a: "static int f(const int *a) { return *a; }", b: "static int f(int *volatile a) { return *a; }", keep: true,
			reason: "qualifiers do not count (proto__get: skip_emitting_modifier)"},
		{name: "return_type", a: "static int f(int a) { return a; }", b: "static long f(int a) { return a; }"},
		{name: "void_return", a: "static void f(int a) { (void)a; }", b: "static void f(long a) { (void)a; }",
			reason: "pahole 1.25 and 1.26 keep it: both return types have index 0 in their CU"},
		{name: "no_params_return", a: "static int f(void) { return 1; }", b: "static long f(void) { return 2; }",
			reason: "pahole 1.25 and 1.26 keep it: they compare no types when there are no parameters"},
		{name: "typedef", decls: "typedef int myint;", a: "static int f(myint a) { return a; }", b: "static int f(int a) { return a; }"},
		{name: "struct_decl_vs_def", a: "struct s; static int f(struct s *p) { return p != 0; }",
			b: "struct s { int x; }; static int f(struct s *p) { return p->x; }", keep: true,
			reason: "a declared and a defined struct spell the same"},
		{name: "struct_names", a: "struct s1 { int x; }; static int f(struct s1 *p) { return p->x; }",
			b: "struct s2 { int x; }; static int f(struct s2 *p) { return p->x; }"},
		{name: "variadic", a: "static int f(int a, ...) { return a; }", b: "static int f(int a) { return a; }",
			reason: "pahole counts ... as no parameter but spells it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unit := func(def, caller string) string {
				return tc.decls + "\n" + def + "\nlong " + caller + "(void) { f(" + callArgs(def) + "); return 0; }\n"
			}
			so := linkTwoUnits(t, unit(tc.a, "call_a"), unit(tc.b, "call_b"))
			for _, consistent := range []bool{false, true} {
				s, st, err := EncodeFile(so, &Options{ConsistentFuncs: consistent})
				if err != nil {
					t.Fatal(err)
				}
				got := funcNames(t, s)
				n := 0
				for _, f := range got {
					if f == "f" {
						n++
					}
				}
				want := 1
				if consistent && !tc.keep {
					want = 0
				}
				if n != want {
					t.Errorf("ConsistentFuncs=%v: %d FUNCs f, want %d (%s); FUNCs: %v", consistent, n, want, tc.reason, got)
				}
				if !slices.Contains(got, "call_a") || !slices.Contains(got, "call_b") {
					t.Errorf("ConsistentFuncs=%v: FUNCs %v, want call_a and call_b too", consistent, got)
				}
				if wantDropped := 1 - want; consistent && st.InconsistentFuncs != wantDropped {
					t.Errorf("Stats.InconsistentFuncs = %d, want %d", st.InconsistentFuncs, wantDropped)
				}
				// The FUNCs added last refer to valid prototypes.
				if err := s.Validate(); err != nil {
					t.Errorf("ConsistentFuncs=%v: %v", consistent, err)
				}
			}
		})
	}
}

// callArgs returns zeros for the parameters of the definition of f in def.
func callArgs(def string) string {
	_, params, _ := strings.Cut(def, "f(")
	params, _, _ = strings.Cut(params, ")")
	if params == "void" {
		return ""
	}
	n := 0
	for p := range strings.SplitSeq(params, ",") {
		if strings.TrimSpace(p) != "..." {
			n++
		}
	}
	return strings.TrimSuffix(strings.Repeat("0, ", n), ", ")
}

// paholeSkipped reads testdata/pahole-1.26-inconsistent-6.1.0-53.txt: the
// functions pahole 1.26 drops from the 6.1 vmlinux, by reason.
func paholeSkipped(t *testing.T) map[string]string {
	f, err := os.Open("testdata/pahole-1.26-inconsistent-6.1.0-53.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		reason, name, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		m[name] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestVmlinuxConsistentFuncs encodes the 6.1 vmlinux with and without
// Options.ConsistentFuncs and compares the FUNCs dropped with those pahole
// 1.26 drops. go test -short skips it.
func TestVmlinuxConsistentFuncs(t *testing.T) {
	skipShort(t)
	p := benchData(t, "vmlinux-"+kernelRelease)
	def, _, err := EncodeFile(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	one, st, err := EncodeFile(p, &Options{ConsistentFuncs: true, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	many, _, err := EncodeFile(p, &Options{ConsistentFuncs: true, Jobs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Marshal(nil), many.Marshal(nil)) {
		t.Error("Jobs=1 and Jobs=5 give different BTF")
	}
	all, kept := funcNames(t, def), funcNames(t, one)
	var dropped []string
	for _, name := range all {
		if _, found := slices.BinarySearch(kept, name); !found {
			dropped = append(dropped, name)
		}
	}
	t.Logf("FUNCs: %d by default, %d with ConsistentFuncs (%d dropped)", len(all), len(kept), len(dropped))
	if st.InconsistentFuncs != len(dropped) || len(all)-len(kept) != len(dropped) {
		t.Errorf("Stats.InconsistentFuncs = %d, %d FUNCs fewer, %d names dropped", st.InconsistentFuncs, len(all)-len(kept), len(dropped))
	}

	// The other kinds do not change; FUNC_PROTOs only used by the
	// dropped FUNCs may go.
	a, b := kindCounts(def), kindCounts(one)
	for k := btf.KindInt; k <= btf.MaxKind; k++ {
		if k != btf.KindFunc && k != btf.KindFuncProto && a[k] != b[k] {
			t.Errorf("%s: %d by default, %d with ConsistentFuncs", k, a[k], b[k])
		}
	}

	// pahole 1.26 drops 78 functions. 7 of them only for the registers
	// their parameters are in, which we do not check; 16 functions it
	// keeps because their return types have the same index in both CUs'
	// type tables (always so for void), and native_save_fl because it
	// has no parameters (void in one CU, unsigned long in the other),
	// though their prototypes differ: we drop those.
	regOnly := []string{"aa_compute_fperms", "build_open_how", "cpuset_mems_allowed", "dmar_alloc_hwirq",
		"find_cpio_data", "ip_rt_update_pmtu", "rtc_ktime_to_tm"}
	paholeKept := []string{"__aa_path_perm", "blk_rq_map_user_io", "bpf_sock_is_valid_access",
		"check_and_free_fields", "elf_load", "find_next_bit", "io_serial_out", "irq_domain_alloc_descs",
		"kmem_cache_release", "mem32_serial_out", "mod_lruvec_page_state", "native_save_fl", "rc_normalize",
		"rcu_nocb_unlock_irqrestore", "sf_markstate", "sf_setstate", "unsolicited_report_interval"}
	ref := paholeSkipped(t)
	want := slices.Clone(paholeKept)
	for name, reason := range ref {
		if slices.Contains(regOnly, name) {
			if reason != "unexpected_reg" {
				t.Errorf("%s: pahole's reason is %s, not unexpected_reg", name, reason)
			}
			continue
		}
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(dropped, want) {
		for _, name := range dropped {
			if !slices.Contains(want, name) {
				t.Errorf("dropped %s, which pahole 1.26 keeps", name)
			}
		}
		for _, name := range want {
			if !slices.Contains(dropped, name) {
				t.Errorf("kept %s, which pahole 1.26 drops (%s)", name, ref[name])
			}
		}
	}
}
