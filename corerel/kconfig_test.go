package corerel_test

import (
	"bytes"
	"encoding/hex"
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

var reKconfig = regexp.MustCompile(`(?m)^corelog: kconfig ([0-9a-f]*)$`)

// TestKconfigLibbpf resolves the Kconfig externs of every libbpf-tools
// object from the running kernel's config and release, and compares the
// .kconfig data with the one libbpf 1.1 builds from the same config.
func TestKconfigLibbpf(t *testing.T) {
	tool := corelog(t)
	configPath, release := runningKernel(t)
	config, err := os.ReadFile(configPath)
	if err != nil {
		t.Fatal(err)
	}
	const sysfs = "/sys/kernel/btf/vmlinux"
	vmlinux, err := btf.LoadSpec(sysfs, nil)
	if err != nil {
		testutil.Missing(t, "no running kernel BTF: %v", err)
	}
	target, _ := corerel.NewTarget(vmlinux)
	n := 0
	for _, path := range testutil.LibbpfToolsObjectFiles(t) {
		obj, err := corerel.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := corerel.RelocateWithOptions(obj, target, &corerel.Options{Kconfig: config, Release: release})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if len(res.Externs()) == 0 {
			continue
		}
		out, err := exec.Command(tool, path, sysfs, configPath).Output()
		if err != nil {
			t.Fatalf("corelog: %v", err)
		}
		m := reKconfig.FindSubmatch(out)
		if m == nil {
			t.Errorf("%s: libbpf gave no .kconfig map", filepath.Base(path))
			continue
		}
		want, _ := hex.DecodeString(string(m[1]))
		if got := res.KconfigData(); !bytes.Equal(got, want) {
			var names []string
			for _, e := range res.Externs() {
				names = append(names, e.Name)
			}
			t.Errorf("%s: .kconfig data %x, libbpf %x (externs %s)", filepath.Base(path), got, want, strings.Join(names, ", "))
		}
		n++
	}
	t.Logf("%d objects with Kconfig externs agree with libbpf", n)
}

// TestKernelVersion checks LINUX_KERNEL_VERSION as libbpf computes it
// from a release.
func TestKernelVersion(t *testing.T) {
	for _, tc := range []struct {
		release string
		want    uint32
	}{
		{"6.1.0-53-cloud-amd64", 6<<16 | 1<<8},
		{"5.4.300", 5<<16 | 4<<8 | 255},
		{"4.19.12-gentoo", 4<<16 | 19<<8 | 12},
		{"6.1", 0},
		{"", 0},
		{"v6.1.0", 0},
	} {
		if got := corerel.KernelVersion(tc.release); got != tc.want {
			t.Errorf("KernelVersion(%q) = %#x, want %#x", tc.release, got, tc.want)
		}
	}
}
