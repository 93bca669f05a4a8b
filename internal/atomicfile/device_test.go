package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// nsEnv, set in the environment of the test binary re-run by TestDevices,
// names the scratch directory of the run inside the mount namespace.
const nsEnv = "ATOMICFILE_TEST_NS_DIR"

// TestDevices writes to device nodes, a FIFO and links to them. It never
// touches the host's /dev: it re-runs itself under unshare -m, where it
// mounts a private tmpfs over a scratch directory and creates the nodes
// there with mknod.
func TestDevices(t *testing.T) {
	if dir := os.Getenv(nsEnv); dir != "" {
		testDevicesInNamespace(t, dir)
		return
	}
	unshare, err := exec.LookPath("unshare")
	if err == nil && os.Geteuid() != 0 {
		err = errors.New("not root")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot run in a mount namespace: %v", err)
		}
		t.Skipf("cannot run in a mount namespace: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(unshare, "-m", "--propagation", "private", os.Args[0], "-test.run=^TestDevices$", "-test.v")
	cmd.Env = append(os.Environ(), nsEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in the mount namespace: %v\n%s", err, out)
	}
	t.Logf("in the mount namespace:\n%s", out)
	assertEntries(t, dir)
}

func testDevicesInNamespace(t *testing.T, dir string) {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Fatalf("mount --make-rprivate /: %v", err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatalf("mounting a tmpfs on %s: %v", dir, err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	null, full, fifo := filepath.Join(dir, "null"), filepath.Join(dir, "full"), filepath.Join(dir, "fifo")
	for _, n := range []struct {
		path string
		mode uint32
		dev  int
	}{
		{null, syscall.S_IFCHR | 0o666, 1<<8 | 3},
		{full, syscall.S_IFCHR | 0o666, 1<<8 | 7},
		{fifo, syscall.S_IFIFO | 0o666, 0},
	} {
		if err := syscall.Mknod(n.path, n.mode, n.dev); err != nil {
			t.Fatalf("mknod %s: %v", n.path, err)
		}
	}
	os.Symlink("null", filepath.Join(dir, "stdout"))
	data := make([]byte, 1<<20)
	tests := []struct {
		path string
		want string
	}{
		{null, ""},
		{filepath.Join(dir, "stdout"), ""},
		{full, "write " + full + ": no space left on device"},
	}
	for _, tt := range tests {
		err := WriteFile(tt.path, data, 0o644)
		if got := errString(err); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.path, got, tt.want)
		}
	}
	// A FIFO is written in place, for its reader.
	got := make(chan int)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- -1
			return
		}
		n, _ := io.Copy(io.Discard, f)
		f.Close()
		got <- int(n)
	}()
	if err := WriteFile(fifo, data, 0o644); err != nil {
		t.Errorf("%s: %v", fifo, err)
	}
	if n := <-got; n != len(data) {
		t.Errorf("FIFO reader got %d bytes, want %d", n, len(data))
	}
	for _, n := range []struct {
		path string
		mode fs.FileMode
	}{{null, fs.ModeCharDevice}, {full, fs.ModeCharDevice}, {fifo, fs.ModeNamedPipe}, {filepath.Join(dir, "stdout"), fs.ModeSymlink}} {
		fi, err := os.Lstat(n.path)
		if err != nil || fi.Mode()&n.mode == 0 {
			t.Errorf("%s was replaced: %v %v", n.path, fi.Mode(), err)
		}
	}
	assertEntries(t, dir, "fifo", "full", "null", "stdout")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
