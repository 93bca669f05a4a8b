package corerel_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
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
	kconfigLoadOnce sync.Once
	kconfigLoadPath string
	kconfigLoadErr  string
)

// kconfigLoadTool builds testdata/kconfigload.c against Debian's
// libbpf-dev, once per test binary, and returns its path.
func kconfigLoadTool(t *testing.T) string {
	t.Helper()
	cc := testutil.RequireTool(t, "cc")
	if _, err := os.Stat("/usr/include/bpf/libbpf.h"); err != nil {
		testutil.Missing(t, "libbpf-dev is not installed: %v", err)
	}
	kconfigLoadOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kconfigload")
		if err != nil {
			kconfigLoadErr = err.Error()
			return
		}
		kconfigLoadPath = filepath.Join(dir, "kconfigload")
		src := filepath.Join(testutil.RepoRoot(), "corerel", "testdata", "kconfigload.c")
		if out, err := exec.Command(cc, "-O1", "-o", kconfigLoadPath, src, "-lbpf").CombinedOutput(); err != nil {
			kconfigLoadErr = fmt.Sprintf("building kconfigload: %v\n%s", err, out)
		}
	})
	if kconfigLoadErr != "" {
		t.Fatal(kconfigLoadErr)
	}
	return kconfigLoadPath
}

// loadRun is what kconfigload printed for one object.
type loadRun struct {
	log   string
	progs map[string]int // program name -> libbpf's load result, 0 when loaded and pinned
	maps  map[string]mapValue
}

// mapValue is an internal map's value as libbpf prepared it and as the
// kernel holds it (nil when the object did not load).
type mapValue struct{ initial, kernel []byte }

var (
	reLoadProg   = regexp.MustCompile(`^kconfigload: prog (\S+) load (-?\d+)$`)
	reLoadMap    = regexp.MustCompile(`^kconfigload: map (\S+) (initial|kernel) ([0-9a-f]*)$`)
	reKcfgExtern = regexp.MustCompile(`(?m)^libbpf: extern \(kcfg\) `)
)

// runKconfigLoad loads an object with kconfigload, pinning its programs
// under pindir, with a kernel config file unless kconfig is "".
func runKconfigLoad(t *testing.T, tool, obj, pindir, kconfig string) *loadRun {
	t.Helper()
	if err := os.MkdirAll(pindir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(pindir) })
	args := []string{obj, pindir}
	if kconfig != "" {
		args = append(args, kconfig)
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("kconfigload %s: %v\n%s", filepath.Base(obj), err, lastLines(out, 10))
	}
	r := &loadRun{log: string(out), progs: map[string]int{}, maps: map[string]mapValue{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := reLoadProg.FindStringSubmatch(sc.Text()); m != nil {
			r.progs[m[1]], _ = strconv.Atoi(m[2])
		} else if m := reLoadMap.FindStringSubmatch(sc.Text()); m != nil {
			v := r.maps[m[1]]
			b, _ := hex.DecodeString(m[3])
			if m[2] == "initial" {
				v.initial = b
			} else {
				v.kernel = b
			}
			r.maps[m[1]] = v
		}
	}
	return r
}

// dumpXlated returns the kernel's instructions of a pinned program, with
// map ids masked.
func dumpXlated(bpftool, pinned string) (string, error) {
	out, err := exec.Command(bpftool, "prog", "dump", "xlated", "pinned", pinned).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("bpftool prog dump xlated %s: %v\n%s", filepath.Base(pinned), err, out)
	}
	return reMapID.ReplaceAllString(string(out), "map[id:N]"), nil
}

// runningKernel returns the running kernel's config, written to a file,
// and release, as libbpf reads them.
func runningKernel(t *testing.T) (configPath, release string) {
	t.Helper()
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		testutil.Missing(t, "no /proc/config.gz: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	config, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/version_signature"); err == nil {
		t.Skip("Ubuntu kernel: libbpf takes the version from /proc/version_signature")
	}
	rel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	configPath = filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		t.Fatal(err)
	}
	return configPath, strings.TrimSpace(string(rel))
}

// TestKconfigWriteLive relocates every object with Kconfig externs (those
// of libbpf-tools with the running kernel's config, and the hand-built
// testdata/kconfig/externs.c with testdata/kconfig/config, also with an
// immediate in an extern's load) against the
// running kernel, writing the externs' values, and loads the output with
// libbpf 1.1. It checks that
//
//	(a) libbpf finds no extern to resolve in the output,
//	(b) the map libbpf creates for the written section holds exactly
//	    KconfigData, which is also the value of libbpf's own .kconfig map
//	    for the original, and the kernel holds that value,
//	(c) every program that loads from the original (libbpf resolving the
//	    externs and CO-RE itself) loads from the output, with the same
//	    instructions in the kernel (bpftool prog dump xlated, map ids
//	    masked).
func TestKconfigWriteLive(t *testing.T) {
	if testing.Short() {
		t.Skip("loads programs into the kernel")
	}
	bpftool := testutil.RequireTool(t, "bpftool")
	requireBPFFS(t)
	tool := kconfigLoadTool(t)
	vmlinux, err := btf.LoadSpec("/sys/kernel/btf/vmlinux", nil)
	if err != nil {
		testutil.Missing(t, "no running kernel BTF: %v", err)
	}
	target, err := corerel.NewTarget(vmlinux)
	if err != nil {
		t.Fatal(err)
	}
	hostConfig, release := runningKernel(t)
	testConfig, err := filepath.Abs(kconfigTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	type liveCase struct{ name, path, config string }
	var cases []liveCase
	for _, path := range testutil.LibbpfToolsObjectFiles(t) {
		obj, err := corerel.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := obj.BTF.TypeByName(".kconfig", btf.KindDatasec); err == nil {
			cases = append(cases, liveCase{strings.TrimSuffix(filepath.Base(path), ".bpf.o"), path, hostConfig})
		}
	}
	externs := buildKconfigObject(t)
	cases = append(cases, liveCase{"externs", externs, testConfig},
		liveCase{"externs_imm", withExternImm(t, externs), testConfig})
	tmp := t.TempDir()
	compared := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj, err := corerel.OpenFile(c.path)
			if err != nil {
				t.Fatal(err)
			}
			config, err := os.ReadFile(c.config)
			if err != nil {
				t.Fatal(err)
			}
			res, err := corerel.RelocateWithOptions(obj, target, &corerel.Options{Kconfig: config, Release: release})
			if err != nil {
				t.Fatal(err)
			}
			data, err := res.Object()
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, c.name+".kconfig.o")
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
			orig := runKconfigLoad(t, tool, c.path, filepath.Join(bpffs, "corerel_kconfig_orig_"+c.name), c.config)
			got := runKconfigLoad(t, tool, out, filepath.Join(bpffs, "corerel_kconfig_out_"+c.name), "")

			// (a) No extern left for libbpf.
			if !reKcfgExtern.MatchString(orig.log) {
				t.Error("libbpf finds no Kconfig extern in the original")
			}
			if m := reKcfgExtern.FindString(got.log); m != "" {
				t.Errorf("libbpf still finds Kconfig externs in the output:\n%s", grepLines(got.log, "extern (kcfg)"))
			}
			// (b) The written section's map holds KconfigData, which
			// is libbpf's .kconfig value for the original.
			want := res.KconfigData()
			var libbpfValue []byte
			for name, m := range orig.maps {
				if strings.HasSuffix(name, ".kconfig") {
					libbpfValue = m.initial
				}
			}
			if !bytes.Equal(libbpfValue, want) {
				t.Errorf("libbpf's .kconfig map for the original holds %x, the output's section %x", libbpfValue, want)
			}
			for name := range got.maps {
				if strings.HasSuffix(name, ".kconfig") && name != corerel.KconfigSection {
					t.Errorf("libbpf made a Kconfig map %s for the output", name)
				}
			}
			m, ok := got.maps[corerel.KconfigSection]
			switch {
			case !ok:
				t.Errorf("libbpf made no %s map for the output (maps: %v)", corerel.KconfigSection, mapNames(got.maps))
			case !bytes.Equal(m.initial, want):
				t.Errorf("%s map value %x, want %x", corerel.KconfigSection, m.initial, want)
			case m.kernel != nil && !bytes.Equal(m.kernel, want):
				t.Errorf("%s map in the kernel holds %x, want %x", corerel.KconfigSection, m.kernel, want)
			}
			// (c) The same programs, instruction for instruction.
			names := make([]string, 0, len(orig.progs))
			for n := range orig.progs {
				names = append(names, n)
			}
			sort.Strings(names)
			n := 0
			for _, p := range names {
				if orig.progs[p] != 0 {
					t.Logf("program %s of the original does not load on this kernel (%d); the output's: %d", p, orig.progs[p], got.progs[p])
					continue
				}
				if e, ok := got.progs[p]; !ok || e != 0 {
					t.Errorf("program %s loads from the original but not from the output (%d, found %v)", p, e, ok)
					continue
				}
				a, err := dumpXlated(bpftool, filepath.Join(bpffs, "corerel_kconfig_orig_"+c.name, p))
				if err != nil {
					t.Fatal(err)
				}
				b, err := dumpXlated(bpftool, filepath.Join(bpffs, "corerel_kconfig_out_"+c.name, p))
				if err != nil {
					t.Fatal(err)
				}
				if a != b {
					t.Errorf("program %s: xlated instructions differ\nlibbpf:\n%s\ncorerel:\n%s", p, a, b)
				}
				n++
			}
			if n == 0 {
				t.Skipf("no program of the original loads on this kernel (libbpf results %v): (c) not checked", orig.progs)
			}
			t.Logf("%d programs identical, %d-byte %s: %x", n, len(want), corerel.KconfigSection, want)
			compared++
		})
	}
	t.Logf("%d of %d objects with Kconfig externs loaded identically", compared, len(cases))
	if compared == 0 {
		t.Error("no object compared")
	}
}

// withExternImm writes a copy of the hand-built object whose first 64-bit
// load of an extern has the immediate 4, which clang never emits but
// libbpf 1.1 ignores for an extern (and would add for data).
func withExternImm(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	code := f.Section("socket")
	for off := code.Offset; off < code.Offset+code.Size; off += corerel.InsnSize {
		if data[off] == 0x18 {
			data[off+4] = 4
			out := filepath.Join(t.TempDir(), "externs_imm.o")
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatal("no 64-bit load in externs.c's program")
	return ""
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func mapNames(m map[string]mapValue) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
