package archive

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// TestHelperAdd is not a test: it is the child process of the tests
// below, running Add as a separate btfhub process would. With
// BTFHUB_HELPER_KILL=point:n it kills itself with SIGKILL the n-th time
// commit reaches the hook point (see testHook); point:n:temp first leaves
// a half-written temporary tarball, as a writer killed inside WriteFile
// does.
func TestHelperAdd(t *testing.T) {
	dir := os.Getenv("BTFHUB_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if kill := os.Getenv("BTFHUB_HELPER_KILL"); kill != "" {
		point, n, temp, err := parseKill(kill)
		if err != nil {
			t.Fatal(err)
		}
		var seen atomic.Int32
		testHook = func(p, rel string) {
			if p != point || int(seen.Add(1)) != n {
				return
			}
			if temp {
				name := filepath.Join(dir, filepath.FromSlash(rel))
				tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp-0123456789ab")
				if err := os.WriteFile(tmp, []byte("\xfd7zXZ\x00 half a tarball"), 0o644); err != nil {
					t.Error(err)
				}
			}
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	inputs := strings.Split(os.Getenv("BTFHUB_HELPER_INPUTS"), ",")
	if _, err := Add(dir, inputs, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64", Jobs: 2}); err != nil {
		t.Fatal(err)
	}
}

// parseKill parses point:n or point:n:temp.
func parseKill(s string) (point string, n int, temp bool, err error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || (len(parts) == 3 && parts[2] != "temp") {
		return "", 0, false, fmt.Errorf("kill point %q: want point:n[:temp]", s)
	}
	switch parts[0] {
	case hookBeforeTarball, hookBeforeCatalogue, hookAfterCatalogue:
	default:
		return "", 0, false, fmt.Errorf("kill point %q: no hook %q", s, parts[0])
	}
	n, err = strconv.Atoi(parts[1])
	if err != nil || n < 1 {
		return "", 0, false, fmt.Errorf("kill point %q: bad count", s)
	}
	return parts[0], n, len(parts) == 3, nil
}

func helper(t *testing.T, dir string, inputs []string, kill string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAdd$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BTFHUB_HELPER_DIR="+dir, "BTFHUB_HELPER_INPUTS="+strings.Join(inputs, ","), "BTFHUB_HELPER_KILL="+kill)
	return cmd
}

func helperInputs(t *testing.T, n int) []string {
	in := t.TempDir()
	var inputs []string
	for i := 0; i < n; i++ {
		inputs = append(inputs, writeFile(t, in, "6.1.0-"+string(rune('a'+i))+".btf", variant(t, kernel61, i)))
	}
	return inputs
}

// openTree opens the tree in dir, failing the test on error.
func openTree(t *testing.T, dir string) *Tree {
	t.Helper()
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// tempFiles lists the temporary files (.<name>.tmp-*) under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var temps []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(d.Name(), ".tmp-") {
			temps = append(temps, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return temps
}

// checkComplete verifies the tree against its catalogue and that it
// holds every input.
func checkComplete(t *testing.T, dir string, n int) {
	t.Helper()
	tr := openTree(t, dir)
	problems, err := tr.Verify()
	if err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	c, err := tr.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != n {
		t.Fatalf("%d entries, want %d", len(c.Entries), n)
	}
	if temps := tempFiles(t, dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

// TestConcurrentAdd runs two add processes on one tree at once, with
// overlapping inputs: the tree ends up complete and consistent.
func TestConcurrentAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	inputs := helperInputs(t, 4)
	dir := t.TempDir()
	a := helper(t, dir, inputs[:3], "")
	b := helper(t, dir, inputs[1:], "")
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err != nil {
		t.Fatal("first add:", err)
	}
	if err := b.Wait(); err != nil {
		t.Fatal("second add:", err)
	}
	checkComplete(t, dir, 4)
}

// TestKilledAdd kills add processes with SIGKILL at each point of a
// commit: before a tarball (with and without a half-written temporary
// file), between a tarball and its catalogue entry, and after the entry
// with the lock held. Commits are serialised by the lock, so the n-th
// time a point is reached n-1 kernels are committed, and what the tree
// holds after the kill is known exactly. No partial file is ever visible,
// and the next run completes the work, adding only what is not listed.
func TestKilledAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	inputs := helperInputs(t, 3)
	for _, tt := range []struct {
		kill              string
		tarballs, entries int
		temp              bool
	}{
		{kill: "before-tarball:1"},
		{kill: "before-tarball:2:temp", tarballs: 1, entries: 1, temp: true},
		{kill: "before-catalogue:1", tarballs: 1},
		{kill: "before-catalogue:3", tarballs: 3, entries: 2},
		{kill: "after-catalogue:1", tarballs: 1, entries: 1},
		{kill: "after-catalogue:3", tarballs: 3, entries: 3},
	} {
		t.Run(tt.kill, func(t *testing.T) {
			dir := t.TempDir()
			out, err := helper(t, dir, inputs, tt.kill).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the helper was not killed at %s: %v\n%s", tt.kill, err, out)
			}
			// Every visible tarball is whole: it reads back, whether or not
			// the catalogue lists it yet.
			tr := openTree(t, dir)
			found, err := tr.scan()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range found {
				if _, err := tr.readTarball(e.Key()); err != nil {
					t.Fatalf("after kill: %v", err)
				}
			}
			c, err := tr.Catalogue()
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != tt.tarballs || len(c.Entries) != tt.entries {
				t.Fatalf("after kill: %d tarballs, %d catalogue entries; want %d, %d", len(found), len(c.Entries), tt.tarballs, tt.entries)
			}
			if temps := tempFiles(t, dir); (len(temps) != 0) != tt.temp {
				t.Fatalf("after kill: temporary files %v", temps)
			}
			res, err := Add(dir, inputs, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"})
			if err != nil {
				t.Fatal(err)
			}
			added := 0
			for _, r := range res {
				if r.Outcome == Added {
					added++
				}
			}
			if added != len(inputs)-tt.entries {
				t.Errorf("the next run added %d kernels, want %d", added, len(inputs)-tt.entries)
			}
			checkComplete(t, dir, len(inputs))
		})
	}
}
