package index

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigCatalogue is a catalogue of n valid, sorted entries.
func bigCatalogue(t *testing.T, n int) []byte {
	t.Helper()
	c := &Catalogue{Entries: make([]Entry, n)}
	for i := range c.Entries {
		c.Entries[i] = Entry{Distro: "debian", Version: "12", Arch: "x86_64", Release: fmt.Sprintf("6.1.%07d", i),
			XXH64: "0123456789abcdef", RawSize: 1, Types: 1, Encoder: "vmlinux"}
	}
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadFileHostile(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxCatalogue+1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{link, "bad catalogue: " + link + ": is or goes through a symbolic link"},
		{fifo, "bad catalogue: " + fifo + ": not a regular file (a FIFO)"},
		{"/dev/zero", "bad catalogue: /dev/zero: not a regular file (a character device)"},
		{dir, "bad catalogue: " + dir + ": not a regular file (a directory)"},
		{big, "bad catalogue: " + big + ": 67108865 bytes: larger than the limit (67108864)"},
	} {
		start := time.Now()
		_, err := ReadFile(c.path)
		if err == nil || err.Error() != c.want || !errors.Is(err, ErrCatalogue) {
			t.Errorf("%s: err = %v, want %q", c.path, err, c.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", c.path, d)
		}
	}
}

func TestReadStreamBounds(t *testing.T) {
	maxEntries, maxCatalogue = 1000, 1<<20
	defer func() { maxEntries, maxCatalogue = MaxEntries, MaxCatalogue }()
	for _, c := range []struct {
		name string
		r    func() *bytes.Reader
		want string
	}{
		{"endless zeros", func() *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{' '}, 1<<21)) },
			"bad catalogue: more than 1048576 bytes"},
		{"too many entries", func() *bytes.Reader { return bytes.NewReader(bigCatalogue(t, 1001)) },
			"bad catalogue: more than 1000 entries"},
		{"not an object", func() *bytes.Reader { return bytes.NewReader([]byte(`[1]`)) },
			"bad catalogue: at byte 1: got [, want \"{\""},
		{"entries not an array", func() *bytes.Reader {
			return bytes.NewReader([]byte(`{"format":"btfhub-catalogue","entries":{}}`))
		}, "bad catalogue: at byte 40: \"entries\": not an array"},
		{"field twice", func() *bytes.Reader {
			return bytes.NewReader([]byte(`{"version":2,"version":2}`))
		}, "bad catalogue: at byte 22: field \"version\" twice"},
		{"trailing data", func() *bytes.Reader {
			return bytes.NewReader([]byte(`{"format":"btfhub-catalogue"} {}`))
		}, "bad catalogue: at byte 31: data after the catalogue object"},
	} {
		_, err := Read(c.r())
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// The largest catalogue allowed reads.
	c, err := Read(bytes.NewReader(bigCatalogue(t, 1000)))
	if err != nil || len(c.Entries) != 1000 {
		t.Fatalf("%d entries: %v", len(c.Entries), err)
	}
	if &c.Entries[0].Distro == &c.Entries[1].Distro || !strings.EqualFold(c.Entries[1].Distro, "debian") {
		t.Fatal("entries share storage")
	}
}
