package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// DebBTF extracts the .BTF section of the vmlinux of release from a
// Debian kernel debug package with Debian's own tools (dpkg-deb, tar,
// objcopy), independently of btfhub's package reader. It may be called
// from any goroutine once the tools were found (RequireTool) on the
// test's.
func DebBTF(tb testing.TB, deb, release string) ([]byte, error) {
	tb.Helper()
	dpkg := RequireTool(tb, "dpkg-deb")
	objcopy := RequireTool(tb, "objcopy")
	dir := tb.TempDir()
	vmlinux := filepath.Join(dir, "vmlinux")
	cmd := exec.Command("sh", "-c", `"$1" --fsys-tarfile "$2" | tar -xO "./usr/lib/debug/boot/vmlinux-$3" > "$4"`, "sh", dpkg, deb, release, vmlinux)
	if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "Broken pipe") {
		return nil, fmt.Errorf("extracting the vmlinux of %s: %v\n%s", deb, err, out)
	}
	out := filepath.Join(dir, "btf")
	if b, err := exec.Command(objcopy, "-O", "binary", "--only-section=.BTF", vmlinux, out).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("objcopy %s: %v\n%s", vmlinux, err, b)
	}
	os.Remove(vmlinux)
	return os.ReadFile(out)
}
