package atomicfile

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.btf")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new" {
		t.Fatalf("content %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.btf")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Fatalf("destination changed to %q", got)
	}
	assertEntries(t, dir, "out.btf")
}

// assertEntries checks that dir holds exactly the given names.
func assertEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s holds %q, want %q", dir, got, want)
	}
}

func TestWriteCancelled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.btf")
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled between writes: the next write fails.
	err := WriteContext(ctx, path, 0o644, func(w io.Writer) error {
		if _, err := w.Write([]byte("a")); err != nil {
			return err
		}
		cancel()
		_, err := w.Write([]byte("b"))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertEntries(t, dir)
	// Cancelled after the last write: no rename either.
	ctx, cancel = context.WithCancel(context.Background())
	err = WriteContext(ctx, path, 0o644, func(w io.Writer) error {
		_, err := w.Write([]byte("a"))
		cancel()
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertEntries(t, dir)
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("missing", filepath.Join(dir, "dangling"))
	tests := []struct {
		name string
		want string
		is   error
	}{
		{"sub", dir + "/sub: is a directory", ErrIsDir},
		{"dangling", dir + "/dangling: symbolic link to a missing file", ErrDanglingLink},
		{"nodir/out", "create " + dir + "/nodir/out: no such file or directory", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteFile(filepath.Join(dir, tt.name), []byte("x"), 0o644)
			if err == nil || err.Error() != tt.want || !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	assertEntries(t, dir, "dangling", "sub")
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.btf")
	os.WriteFile(real, []byte("old"), 0o644)
	os.Symlink("real.btf", filepath.Join(dir, "link"))
	os.Symlink("link", filepath.Join(dir, "link2"))
	if err := WriteFile(filepath.Join(dir, "link2"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"link", "link2"} {
		if fi, err := os.Lstat(filepath.Join(dir, l)); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symbolic link", l)
		}
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Fatalf("target holds %q", got)
	}
	assertEntries(t, dir, "link", "link2", "real.btf")
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	self := strconv.Itoa(os.Getpid())
	parent := strconv.Itoa(os.Getppid())
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleep.Process.Kill(); sleep.Wait() }()
	child := strconv.Itoa(sleep.Process.Pid)
	old := time.Now().Add(-time.Hour)
	files := []struct {
		name  string
		mtime time.Time
		stays bool
	}{
		{".out.btf.tmp-" + dead + "-123", time.Now(), false}, // owner gone
		{".out.btf.tmp-" + child + "-456", old, false},       // PID reused by a later process
		{".out.btf.tmp-" + self + "-789", time.Now(), true},  // ours: a write under way
		{".out.btf.tmp-" + parent + "-1", time.Now(), true},  // owner running
		{".out.btf.tmp-" + dead + "-12x", time.Now(), true},  // not the pattern
		{".out.btf.tmp-" + dead, time.Now(), true},           // not the pattern
		{".other.btf.tmp-" + dead + "-1", time.Now(), true},  // another target
		{"out.btf.tmp-" + dead + "-1", time.Now(), true},     // no dot
		{".out.btf.tmpx-" + dead + "-1", time.Now(), true},   // not the pattern
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		os.WriteFile(p, nil, 0o644)
		if !f.mtime.IsZero() {
			os.Chtimes(p, f.mtime, f.mtime)
		}
	}
	if err := WriteFile(filepath.Join(dir, "out.btf"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, f.name))
		if stays := err == nil; stays != f.stays {
			t.Errorf("%s: stays %v, want %v", f.name, stays, f.stays)
		}
	}
}

// deadPID returns a PID no process has.
func deadPID(t *testing.T) string {
	for pid := 4 << 20; pid > 1<<20; pid-- {
		if !running(pid) {
			return strconv.Itoa(pid)
		}
	}
	t.Fatal("no free PID")
	return ""
}

func TestTempPID(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		ok   bool
	}{
		{".a.tmp-12-34", 12, true},
		{".a.tmp-12-", 0, false},
		{".a.tmp--34", 0, false},
		{".a.tmp-0-34", 0, false},
		{".a.tmp-12-3-4", 0, false},
		{".a.tmp-99999999999999999999-1", 0, false},
		{".b.tmp-12-34", 0, false},
	}
	for _, tt := range tests {
		pid, ok := tempPID(tt.name, ".a.tmp-")
		if pid != tt.pid || ok != tt.ok {
			t.Errorf("tempPID(%q) = %d, %v; want %d, %v", tt.name, pid, ok, tt.pid, tt.ok)
		}
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.btf")
	err := Write(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("partial"))
		if len(temps.names) != 1 {
			t.Errorf("%d temporary files registered, want 1", len(temps.names))
		}
		RemoveTemps()
		assertEntries(t, dir)
		return nil
	})
	if err == nil {
		t.Fatal("write succeeded after RemoveTemps")
	}
	assertEntries(t, dir)
}
