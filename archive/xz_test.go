package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// tarball61SHA256 is the SHA-256 of TarballBytes(kernel61, its BTF): the
// bytes every host writes for that kernel. It changes only with the tar
// layout or the pure-Go xz encoder (github.com/ulikunitz/xz in go.mod);
// a change breaks the promise that a tree rewritten elsewhere is
// byte-identical, so it must be deliberate and said in the commit.
const tarball61SHA256 = "fcf736547685c9e0817bd9a5afc9c88fc298450c71a8eee8bc6632feda0c8767"

// TestTarballBytesIndependentOfHost writes the same kernel's tarball with
// the xz tool on PATH, with a fake xz on PATH that writes garbage, and
// with an empty PATH: the bytes are the same, and they are the pinned
// ones. Each reads back, through the xz tool and through the pure-Go
// decoder, to the same BTF.
func TestTarballBytesIndependentOfHost(t *testing.T) {
	raw := variant(t, kernel61, 0)
	xzPath := testutil.RequireTool(t, "xz")

	fake := t.TempDir()
	writeFile(t, fake, "xz", []byte("#!/bin/sh\necho not xz output\n"))
	if err := os.Chmod(filepath.Join(fake, "xz"), 0o755); err != nil {
		t.Fatal(err)
	}
	paths := []struct{ name, path string }{
		{"xz tool", filepath.Dir(xzPath)},
		{"fake xz", fake},
		{"empty PATH", ""},
	}
	var first []byte
	for _, p := range paths {
		t.Setenv("PATH", p.path)
		if _, err := exec.LookPath("xz"); (err == nil) != (p.path != "") {
			t.Fatalf("%s: LookPath(xz): %v", p.name, err)
		}
		got, err := TarballBytes(kernel61, raw)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if first == nil {
			first = got
			sum := sha256.Sum256(got)
			t.Logf("%d bytes of BTF, tarball %d bytes, sha256 %x", len(raw), len(got), sum)
			if h := hex.EncodeToString(sum[:]); h != tarball61SHA256 {
				t.Errorf("tarball sha256 %s, want %s", h, tarball61SHA256)
			}
		} else if !bytes.Equal(got, first) {
			t.Fatalf("%s: tarball of %d bytes differs from the one written with %s (%d bytes)", p.name, len(got), paths[0].name, len(first))
		}
	}

	// The container is the one `tar cJ` writes: CRC64 check (stream
	// flags 0x00 0x04), which the xz tool verifies.
	if !bytes.Equal(first[6:8], []byte{0x00, 0x04}) {
		t.Errorf("stream flags % x, want 00 04 (CRC64)", first[6:8])
	}
	xz := exec.Command(xzPath, "-t")
	xz.Stdin = bytes.NewReader(first)
	if out, err := xz.CombinedOutput(); err != nil {
		t.Fatalf("xz -t: %v: %s", err, out)
	}
	for _, p := range []struct{ name, path, env string }{
		{"xz tool", filepath.Dir(xzPath), ""},
		{"BTFHUB_XZ=go", filepath.Dir(xzPath), "go"},
		{"empty PATH", "", ""},
	} {
		t.Setenv("PATH", p.path)
		t.Setenv("BTFHUB_XZ", p.env)
		name, got, err := ReadTarball(bytes.NewReader(first), 0)
		if err != nil || name != kernel61+".btf" || !bytes.Equal(got, raw) {
			t.Fatalf("reading with %s: %q, %d bytes, %v", p.name, name, len(got), err)
		}
	}
}
