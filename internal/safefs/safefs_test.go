//go:build linux

package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree makes a root with a regular file, a directory, links out of it
// and a FIFO.
func tree(t *testing.T) (root, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644))
	must(os.Mkdir(filepath.Join(root, "d"), 0o755))
	must(os.WriteFile(filepath.Join(root, "d", "f"), []byte("hello"), 0o644))
	must(os.Symlink(outside, filepath.Join(root, "out")))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "d", "link")))
	must(os.Symlink("/dev/zero", filepath.Join(root, "zero")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))
	return root, outside
}

func TestRoot(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		useOpenat2 = !fallback
		root, outside := tree(t)
		r, err := OpenRoot(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			rel, want string
			is        error
		}{
			{"d/f", "", nil},
			{"out/secret", root + "/out: is or goes through a symbolic link", ErrSymlink},
			{"d/link", root + "/d/link: is or goes through a symbolic link", ErrSymlink},
			{"zero", root + "/zero: is or goes through a symbolic link", ErrSymlink},
			{"fifo", root + "/fifo: not a regular file (a FIFO)", ErrNotRegular},
			{"d", root + "/d: not a regular file (a directory)", ErrNotRegular},
			{"../x", "../x: escapes the root", ErrEscapes},
			{"/etc/passwd", "/etc/passwd: escapes the root", ErrEscapes},
			{"d/missing", "open " + root + "/d/missing: no such file or directory", fs.ErrNotExist},
		} {
			_, err := r.ReadFile(c.rel, 100)
			if c.want == "" {
				if err != nil {
					t.Errorf("fallback=%v %s: %v", fallback, c.rel, err)
				}
				continue
			}
			if c.rel == "out/secret" && !fallback {
				// openat2 names the whole path.
				c.want = root + "/out/secret: is or goes through a symbolic link"
			}
			if err == nil || err.Error() != c.want || !errors.Is(err, c.is) {
				t.Errorf("fallback=%v %s: err = %v, want %q", fallback, c.rel, err, c.want)
			}
		}
		if _, err := r.ReadFile("d/f", 3); err == nil || err.Error() != root+"/d/f: 5 bytes: larger than the limit (3)" {
			t.Errorf("bound: %v", err)
		}
		// Writers.
		if err := r.MkdirAll("out/x", 0o755); !errors.Is(err, ErrSymlink) {
			t.Errorf("fallback=%v MkdirAll through a link: %v", fallback, err)
		}
		if err := r.WriteFile("out/new", []byte("x"), 0o644); !errors.Is(err, ErrSymlink) {
			t.Errorf("fallback=%v WriteFile through a link: %v", fallback, err)
		}
		if err := r.WriteFile("d/link", []byte("x"), 0o644); err == nil || err.Error() != root+"/d/link: is or goes through a symbolic link" {
			t.Errorf("fallback=%v WriteFile over a link: %v", fallback, err)
		}
		if _, err := r.OpenLock("zero", 0o644); !errors.Is(err, ErrSymlink) {
			t.Errorf("fallback=%v OpenLock of a link: %v", fallback, err)
		}
		if err := r.MkdirAll("a/b/c", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteFile("a/b/c/f", []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := r.ReadFile("a/b/c/f", 0); err != nil || string(got) != "new" {
			t.Fatalf("read back %q %v", got, err)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 1 {
			t.Fatalf("fallback=%v: wrote outside the root: %v", fallback, ents)
		}
		r.Close()
	}
	useOpenat2 = true
}

func TestOpenFile(t *testing.T) {
	root, _ := tree(t)
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "/dev/zero: not a regular file (a character device)"},
		{filepath.Join(root, "fifo"), root + "/fifo: not a regular file (a FIFO)"},
		{filepath.Join(root, "zero"), root + "/zero: is or goes through a symbolic link"},
	} {
		if _, err := ReadFile(c.path, 0); err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v, want %q", c.path, err, c.want)
		}
	}
}

// TestOpenInput checks that OpenInput follows a link to a regular file,
// and refuses a FIFO, directly or through a link, without blocking.
func TestOpenInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"to-file": "file", "to-fifo": "fifo"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ name, err string }{
		{"file", ""},
		{"to-file", ""},
		{"fifo", "not a regular file (a FIFO)"},
		{"to-fifo", "not a regular file (a FIFO)"},
		{"missing", "no such file or directory"},
	} {
		p := filepath.Join(dir, c.name)
		data, err := ReadInput(p, 0)
		switch {
		case c.err == "" && (err != nil || string(data) != "data"):
			t.Errorf("%s: %q, %v", c.name, data, err)
		case c.err != "" && (err == nil || !strings.HasSuffix(err.Error(), c.err) || !strings.Contains(err.Error(), p)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		}
	}
	if _, err := ReadInput(file, 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("4 bytes, limit 3: %v", err)
	}
}
