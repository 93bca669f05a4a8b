package archive

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/btfhub/btfhub/index"
	"github.com/btfhub/btfhub/internal/capped"
)

// smallBTF is raw BTF of one int type, for trees whose content does not
// matter.
var smallBTF = []byte{
	0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0,
	1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 32, 0, 0, 0,
	0, 'i', 'n', 't', 0,
}

// linkOut makes dir/name a symbolic link to a fresh directory outside,
// which it returns.
func linkOut(t *testing.T, dir, name string) string {
	t.Helper()
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return out
}

// empty fails the test when dir holds anything.
func empty(t *testing.T, dir string) {
	t.Helper()
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Fatalf("written outside the tree: %s holds %s", dir, ents[0].Name())
	}
}

func TestSymlinksInTree(t *testing.T) {
	in := t.TempDir()
	input := writeFile(t, in, "6.1.0-1-amd64.btf", smallBTF)
	opt := AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}

	// archive add into a tree whose distro directory is a link.
	dir := t.TempDir()
	out := linkOut(t, dir, "debian")
	_, err := Add(dir, []string{input}, &opt)
	want := input + ": " + dir + "/debian: is or goes through a symbolic link"
	if err == nil || err.Error() != want {
		t.Errorf("add, debian a link: err = %v, want %q", err, want)
	}
	empty(t, out)

	// archive add into a tree whose lock file is a link.
	dir = t.TempDir()
	outLock := filepath.Join(t.TempDir(), "lock")
	if err := os.Symlink(outLock, filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	_, err = Add(dir, []string{input}, &opt)
	want = "locking archive: " + dir + "/.btfhub.lock: is or goes through a symbolic link"
	if err == nil || err.Error() != want {
		t.Errorf("add, lock a link: err = %v, want %q", err, want)
	}
	if _, err := os.Lstat(outLock); err == nil {
		t.Error("the lock's target was created")
	}

	// unpack and merge into a tree with a linked arch directory.
	src := t.TempDir()
	if _, err := Add(src, []string{input}, &opt); err != nil {
		t.Fatal(err)
	}
	srcTree, _ := OpenTree(src)
	for _, c := range []struct {
		name string
		run  func(dst string) error
	}{
		{"unpack", func(dst string) error { return Unpack(srcTree, dst) }},
		{"merge", func(dst string) error { _, err := Merge(dst, []string{src}, false); return err }},
	} {
		dst := t.TempDir()
		out := linkOut(t, dst, "debian/12/x86_64")
		err := c.run(dst)
		want := dst + "/debian/12/x86_64: is or goes through a symbolic link"
		if c.name == "merge" {
			want = src + ": " + want
		}
		if err == nil || err.Error() != want || !errors.Is(err, ErrUnsafe) && c.name == "" {
			t.Errorf("%s: err = %v, want %q", c.name, err, want)
		}
		empty(t, out)
	}

	// Reading: a tarball reached through a link is refused.
	dir = t.TempDir()
	linkOut(t, dir, "debian")
	tr := &Tree{Dir: dir}
	k := index.Key{Distro: "debian", Version: "12", Arch: "x86_64", Release: "6.1.0-1-amd64"}
	_, err = tr.ReadBTF(k)
	want = "unsafe archive entry: " + dir + "/debian/12/x86_64/6.1.0-1-amd64.btf.tar.xz: is or goes through a symbolic link"
	if err == nil || err.Error() != want {
		t.Errorf("ReadBTF through a link: err = %v, want %q", err, want)
	}
}

func TestHostileCatalogue(t *testing.T) {
	dir := t.TempDir()
	tr := &Tree{Dir: dir}
	cat := filepath.Join(dir, index.FileName)
	for _, c := range []struct {
		name string
		make func() error
		want string
	}{
		{"link to /dev/zero", func() error { return os.Symlink("/dev/zero", cat) },
			"bad catalogue: " + cat + ": is or goes through a symbolic link"},
		{"FIFO", func() error { return syscall.Mkfifo(cat, 0o644) },
			"bad catalogue: " + cat + ": not a regular file (a FIFO)"},
		{"too large", func() error {
			if err := os.WriteFile(cat, nil, 0o644); err != nil {
				return err
			}
			return os.Truncate(cat, 1<<40)
		}, "bad catalogue: " + cat + ": 1099511627776 bytes: larger than the limit (67108864)"},
	} {
		os.Remove(cat)
		if err := c.make(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for _, op := range []func() error{
			func() error { _, err := tr.Entries(); return err },
			func() error { _, err := tr.Verify(); return err },
			func() error { _, err := Merge(t.TempDir(), []string{dir}, false); return err },
			func() error {
				_, err := Add(dir, nil, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"})
				return err
			},
		} {
			err := op()
			if err == nil || !strings.HasSuffix(err.Error(), c.want) || !errors.Is(err, index.ErrCatalogue) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
			}
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
	}
}

func TestTarballNotBTF(t *testing.T) {
	// A tree without a catalogue, as a btfhub-archive clone is: what a
	// tarball holds must be BTF.
	dir := t.TempDir()
	k := index.Key{Distro: "debian", Version: "12", Arch: "x86_64", Release: "6.1.0-1-amd64"}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"zeros", make([]byte, 1<<20), "6.1.0-1-amd64.btf: corrupt archive file: btf: offset 0x0: bad magic 0x0000"},
		{"short", smallBTF[:10], "6.1.0-1-amd64.btf: corrupt archive file: btf: offset 0x0: truncated header: 10 bytes, need 24"},
		{"size mismatch", append(append([]byte(nil), smallBTF...), 0), "6.1.0-1-amd64.btf: corrupt archive file: the BTF header declares 45 bytes, the entry has 46"},
	} {
		tarball, err := TarballBytes(k.Release, c.data)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(k.Path()))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, tarball, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = (&Tree{Dir: dir}).ReadBTF(k)
		if want := p + ": " + c.want; err == nil || err.Error() != want || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want %q", c.name, err, want)
		}
	}
}

func TestProblemCap(t *testing.T) {
	l := newProblemList()
	for range MaxProblems + 7 {
		l.Add(Problem{"x", errors.New("bad")})
	}
	got := l.result()
	if len(got) != MaxProblems+1 || got[MaxProblems].String() != "...: and 7 more problems" {
		t.Fatalf("%d problems, last %v", len(got), got[len(got)-1])
	}
	e := newErrorList()
	for range MaxProblems + 3 {
		e.Add(errors.New("bad"))
	}
	msg := capped.Join(e, "errors").Error()
	if lines := strings.Split(msg, "\n"); len(lines) != MaxProblems+1 || lines[MaxProblems] != "and 3 more errors" {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
