package archive

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperAdd is not a test: it is the child process of the tests
// below, running Add as a separate btfhub process would.
func TestHelperAdd(t *testing.T) {
	dir := os.Getenv("BTFHUB_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if os.Getenv("BTFHUB_HELPER_KILL") == "before-catalogue" {
		testHookBeforeCatalogue = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	}
	inputs := strings.Split(os.Getenv("BTFHUB_HELPER_INPUTS"), ",")
	if _, err := Add(dir, inputs, AddOptions{Distro: "debian", Version: "12", Arch: "x86_64", Jobs: 2}); err != nil {
		t.Fatal(err)
	}
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

// checkComplete verifies the tree against its catalogue and that it
// holds every input.
func checkComplete(t *testing.T, dir string, n int) {
	t.Helper()
	tr, _ := OpenTree(dir)
	problems, err := tr.Verify()
	if err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	c, _ := tr.Catalogue()
	if len(c.Entries) != n {
		t.Fatalf("%d entries, want %d", len(c.Entries), n)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
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

// TestKilledAdd kills add processes at several points: between a
// tarball and its catalogue entry, and at arbitrary times. No partial file
// is ever visible, and the next run completes the work.
func TestKilledAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	inputs := helperInputs(t, 3)
	for _, kill := range []string{"before-catalogue", "50ms", "400ms", "1500ms"} {
		t.Run(kill, func(t *testing.T) {
			dir := t.TempDir()
			cmd := helper(t, dir, inputs, kill)
			if d, err := time.ParseDuration(kill); err == nil {
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(d)
				cmd.Process.Kill()
				cmd.Wait()
			} else if err := cmd.Run(); err == nil {
				t.Fatal("the helper was not killed")
			}
			// Every visible tarball is whole: it reads back, whether or not
			// the catalogue lists it yet.
			tr, _ := OpenTree(dir)
			found, _ := tr.scan()
			for _, e := range found {
				if _, err := tr.readTarball(e.Key()); err != nil {
					t.Fatalf("after kill: %v", err)
				}
			}
			t.Logf("killed at %s: %d tarballs in place", kill, len(found))
			if _, err := Add(dir, inputs, AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}); err != nil {
				t.Fatal(err)
			}
			checkComplete(t, dir, len(inputs))
		})
	}
}
