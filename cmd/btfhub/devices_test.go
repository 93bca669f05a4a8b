package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// nsBinEnv, in the environment of the test binary that TestOutputDevices
// runs in a mount namespace, names the btfhub binary to run there.
const nsBinEnv = "BTFHUB_TEST_NS_BIN"

// TestOutputDevices runs btfhub with -o naming /dev/null, /dev/full and
// /dev/stdout (a link to /proc/self/fd/1), as root: btfhub must write to
// them in place, never rename a file over them. It never touches the
// host's /dev: it re-runs itself under unshare -m, mounts a tmpfs over
// /dev in that namespace and makes the nodes there.
func TestOutputDevices(t *testing.T) {
	if os.Getenv(nsBinEnv) != "" {
		outputDevicesInNamespace(t)
		return
	}
	unshare, err := exec.LookPath("unshare")
	if err == nil && os.Geteuid() != 0 {
		err = os.ErrPermission
	}
	if err != nil {
		testutil.Missing(t, "cannot run in a mount namespace: %v", err)
	}
	cmd := exec.Command(unshare, "-m", "--propagation", "private", os.Args[0], "-test.run=^TestOutputDevices$", "-test.v")
	cmd.Env = append(os.Environ(), nsBinEnv+"="+btfhubBin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in the mount namespace: %v\n%s", err, out)
	}
	t.Logf("in the mount namespace:\n%s", out)
}

func outputDevicesInNamespace(t *testing.T) {
	if err := syscall.Mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatalf("mounting a tmpfs on /dev: %v", err)
	}
	defer syscall.Unmount("/dev", syscall.MNT_DETACH)
	for _, n := range []struct {
		path string
		dev  int
	}{{"/dev/null", 1<<8 | 3}, {"/dev/full", 1<<8 | 7}} {
		if err := syscall.Mknod(n.path, syscall.S_IFCHR|0o666, n.dev); err != nil {
			t.Fatalf("mknod %s: %v", n.path, err)
		}
	}
	if err := os.Symlink("/proc/self/fd/1", "/dev/stdout"); err != nil {
		t.Fatal(err)
	}
	k := kernelXZ(testutil.Kernels[0])
	want, _, code := run(t, "dump", "-f", "c", k)
	if code != 0 || len(want) == 0 {
		t.Fatalf("dump to standard output: exit %d", code)
	}
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"convert", k, "-o", "/dev/null"}, 0, "", ""},
		{[]string{"dump", "-f", "c", k, "-o", "/dev/null"}, 0, "", ""},
		{[]string{"convert", k, "-o", "/dev/full"}, 1, "", "btfhub: write /dev/full: no space left on device\n"},
		{[]string{"dump", "-f", "c", k, "-o", "/dev/stdout"}, 0, want, ""},
	} {
		stdout, stderr, code := run(t, c.args...)
		if code != c.code || stdout != c.stdout || stderr != c.stderr {
			t.Errorf("btfhub %s: exit %d, %d bytes out, stderr %q; want exit %d, %d bytes, %q",
				strings.Join(c.args, " "), code, len(stdout), stderr, c.code, len(c.stdout), c.stderr)
		}
	}
	for _, n := range []struct {
		path string
		mode os.FileMode
	}{{"/dev/null", os.ModeCharDevice}, {"/dev/full", os.ModeCharDevice}, {"/dev/stdout", os.ModeSymlink}} {
		fi, err := os.Lstat(n.path)
		if err != nil || fi.Mode()&n.mode == 0 {
			t.Errorf("%s was replaced: %v, %v", n.path, fi.Mode(), err)
		}
	}
	entries, err := os.ReadDir("/dev")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"full", "null", "stdout"}) {
		t.Errorf("/dev holds %v, want only full, null and stdout", names)
	}
}
