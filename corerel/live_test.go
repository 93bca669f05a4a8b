package corerel_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/corerel"
	"github.com/btfhub/btfhub/internal/testutil"
)

const bpffs = "/sys/fs/bpf"

// requireBPFFS mounts bpffs when it is missing, and skips the test (fails
// it in CI) when the kernel refuses bpf() or the mount.
func requireBPFFS(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(t, "loading programs needs root")
	}
	out, _ := os.ReadFile("/proc/mounts")
	if !bytes.Contains(out, []byte(" "+bpffs+" bpf ")) {
		if msg, err := exec.Command("mount", "-t", "bpf", "bpf", bpffs).CombinedOutput(); err != nil {
			testutil.Missing(t, "cannot mount bpffs: %v: %s", err, msg)
		}
	}
}

var reMapID = regexp.MustCompile(`map\[id:\d+\]`)

// loadAndDump loads every program of an object with bpftool, pinning them
// under dir, and returns the xlated dump of each, by program name, with
// map ids masked.
func loadAndDump(t *testing.T, bpftool, obj, dir string) (map[string]string, error) {
	t.Helper()
	t.Cleanup(func() { os.RemoveAll(dir) })
	if out, err := exec.Command(bpftool, "prog", "loadall", obj, dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("bpftool prog loadall %s: %v\n%s", filepath.Base(obj), err, lastLines(out, 5))
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	dumps := map[string]string{}
	for _, e := range ents {
		out, err := exec.Command(bpftool, "prog", "dump", "xlated", "pinned", filepath.Join(dir, e.Name())).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("bpftool prog dump xlated %s: %v\n%s", e.Name(), err, out)
		}
		dumps[e.Name()] = reMapID.ReplaceAllString(string(out), "map[id:N]")
	}
	return dumps, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestLiveKernel relocates each libbpf-tools object against the running
// kernel's BTF, loads the result with bpftool (whose libbpf then has no
// CO-RE work left), loads the original with libbpf doing the CO-RE, and
// compares the instructions the kernel holds for the two.
func TestLiveKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("loads programs into the kernel")
	}
	bpftool := testutil.RequireTool(t, "bpftool")
	requireBPFFS(t)
	vmlinux, err := btf.LoadSpec("/sys/kernel/btf/vmlinux", nil)
	if err != nil {
		testutil.Missing(t, "no running kernel BTF: %v", err)
	}
	target, err := corerel.NewTarget(vmlinux)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	compared, skipped := 0, 0
	for _, path := range testutil.LibbpfToolsObjectFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".bpf.o")
		t.Run(name, func(t *testing.T) {
			obj, err := corerel.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := corerel.Relocate(obj, target)
			if err != nil {
				t.Fatal(err)
			}
			data, err := res.Object()
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, name+".relocated.o")
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
			// The relocated object has no CO-RE records left.
			if o2, err := corerel.OpenFile(out); err != nil {
				t.Fatal(err)
			} else if o2.Ext != nil && len(o2.Ext.CORERelos) != 0 {
				t.Fatalf("relocated object still has %d CO-RE sections", len(o2.Ext.CORERelos))
			}
			want, err := loadAndDump(t, bpftool, path, filepath.Join(bpffs, "corerel_test_orig_"+name))
			if err != nil {
				// Some tools set map sizes or attach targets at run
				// time: without them the original does not load either.
				t.Logf("original does not load, skipping: %v", err)
				skipped++
				return
			}
			got, err := loadAndDump(t, bpftool, out, filepath.Join(bpffs, "corerel_test_out_"+name))
			if err != nil {
				t.Fatalf("the original loads but the relocated object does not: %v", err)
			}
			if len(got) != len(want) {
				t.Errorf("%d programs loaded from the relocated object, %d from the original", len(got), len(want))
			}
			names := make([]string, 0, len(want))
			for n := range want {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if got[n] != want[n] {
					t.Errorf("program %s: xlated instructions differ\nlibbpf:\n%s\ncorerel:\n%s", n, want[n], got[n])
				}
			}
			compared++
		})
	}
	t.Logf("%d objects loaded identically, %d skipped because the original does not load", compared, skipped)
	if compared == 0 {
		t.Error("no object compared")
	}
	_ = errors.New
}
