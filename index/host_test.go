package index

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadHostOSRelease checks ReadHost's os-release file: read through a
// link, refused without blocking when it is a FIFO, and refused when it
// is larger than 64 KiB.
func TestReadHostOSRelease(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "os-release")
	if err := os.WriteFile(file, []byte("ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("os-release", link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("#\n", 33<<10)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, err string }{
		{file, ""},
		{link, ""},
		{fifo, "reading os-release: " + fifo + ": not a regular file (a FIFO)"},
		{big, "reading os-release: " + big + ": 67584 bytes: larger than the limit (65536)"},
	} {
		h, err := ReadHost(HostSources{OSRelease: c.path, Release: "6.1.0-1-amd64", Machine: "x86_64"})
		if c.err == "" {
			if err != nil || h.ID != "debian" || h.VersionID != "12" || h.VersionCodename != "bookworm" {
				t.Errorf("%s: %+v, %v", c.path, h, err)
			}
			continue
		}
		if err == nil || err.Error() != c.err {
			t.Errorf("%s: error %v, want %q", c.path, err, c.err)
		}
	}
}
