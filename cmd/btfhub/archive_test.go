package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/spf13/cobra"
)

// runCmd runs a command in-process (the root command is the lead's to
// register), returning its standard output and error.
func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestArchiveCommands(t *testing.T) {
	in, dir := t.TempDir(), filepath.Join(t.TempDir(), "archive")
	raw := testutil.KernelBTF(t, "6.1.0-53-cloud-amd64")
	input := filepath.Join(in, "6.1.0-53-cloud-amd64.btf")
	os.WriteFile(input, raw, 0o644)

	if _, err := runCmd(t, newArchiveCommand(), "add", dir, input, "--distro", "debian", "--version", "12"); err == nil {
		t.Fatal("add without --arch succeeded")
	} else if ue := (*usageError)(nil); !errors.As(err, &ue) {
		t.Fatalf("missing flag is not a usage error: %v", err)
	}
	out, err := runCmd(t, newArchiveCommand(), "add", dir, input, "--distro", "debian", "--version", "12", "--arch", "amd64")
	if err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	out, err = runCmd(t, newArchiveCommand(), "list", dir, "--json")
	var entries []index.Entry
	if err != nil || json.Unmarshal([]byte(out), &entries) != nil || len(entries) != 1 || entries[0].Types != 95057 {
		t.Fatalf("list: %v\n%s", err, out)
	}
	pack := filepath.Join(t.TempDir(), "a.pack")
	if out, err := runCmd(t, newArchiveCommand(), "pack", dir, "-o", pack); err != nil {
		t.Fatalf("pack: %v\n%s", err, out)
	}
	for _, src := range []string{dir, pack} {
		got := filepath.Join(t.TempDir(), "out.btf")
		if out, err := runCmd(t, newArchiveCommand(), "get", src, "--release", "6.1.0-53-cloud-amd64", "--arch", "aarch64", "-o", got); err == nil {
			t.Fatalf("get with the wrong arch succeeded: %s", out)
		}
		if out, err := runCmd(t, newArchiveCommand(), "get", src, "--release", "6.1.0-53-cloud-amd64", "-o", got); err != nil {
			t.Fatalf("get %s: %v\n%s", src, err, out)
		}
		if b, _ := os.ReadFile(got); !bytes.Equal(b, raw) {
			t.Fatalf("get from %s: different bytes", src)
		}
		if out, err := runCmd(t, newArchiveCommand(), "verify", src); err != nil || !strings.Contains(out, "1 entries verified") {
			t.Fatalf("verify %s: %v\n%s", src, err, out)
		}
	}
	unpacked := filepath.Join(t.TempDir(), "unpacked")
	if out, err := runCmd(t, newArchiveCommand(), "unpack", pack, "-o", unpacked); err != nil {
		t.Fatalf("unpack: %v\n%s", err, out)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	if out, err := runCmd(t, newArchiveCommand(), "merge", merged, dir, unpacked); err != nil || !strings.Contains(out, "1 entries merged") {
		t.Fatalf("merge: %v\n%s", err, out)
	}

	// host, on a simulated machine without sysfs BTF.
	osr := filepath.Join(in, "os-release")
	os.WriteFile(osr, []byte("ID=debian\nVERSION_ID=\"12\"\n"), 0o644)
	t.Setenv("BTFHUB_SYSFS_BTF", filepath.Join(in, "none"))
	t.Setenv("BTFHUB_OS_RELEASE", osr)
	t.Setenv("BTFHUB_UNAME_RELEASE", "6.1.0-53-cloud-amd64")
	t.Setenv("BTFHUB_UNAME_MACHINE", "x86_64")
	elf := filepath.Join(in, "vmlinux")
	out, err = runCmd(t, newHostCommand(), "--archive", pack, "-o", elf, "--to", "elf")
	if err != nil || !strings.Contains(out, "debian/12/x86_64/6.1.0-53-cloud-amd64") {
		t.Fatalf("host: %v\n%s", err, out)
	}
	if s, err := loadSpec(elf, ""); err != nil || s.NumTypes() != 95057 {
		t.Fatalf("host's ELF output: %v", err)
	}
}
