package pkgread

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
)

// xzModes are the ways an xz stream can be decoded: through the xz tool,
// in Go because BTFHUB_XZ=go, and in Go because no xz is on PATH.
func xzModes(t *testing.T) []struct{ name, path, env, tool string } {
	xzPath := testutil.RequireTool(t, "xz")
	dir := filepath.Dir(xzPath)
	return []struct{ name, path, env, tool string }{
		{"xz tool", dir, "", xzPath},
		{"BTFHUB_XZ=go", dir, "go", ""},
		{"no xz on PATH", "", "", ""},
	}
}

// TestXZDecodersAgree decompresses the same streams through the xz tool
// and the pure-Go decoder: the bytes are identical, and corrupt or
// truncated streams fail with ErrFormat either way.
func TestXZDecodersAgree(t *testing.T) {
	kernel, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "testdata", "kernels", "6.1.0-53-cloud-amd64.btf.xz"))
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 256<<10)
	rand.NewChaCha8([32]byte{7}).Read(noise)
	text := bytes.Repeat([]byte("struct task_struct *current;\n"), 10000)
	mixed := append(append(bytes.Clone(text), noise...), text...)
	toolXZ := func(data []byte) []byte {
		cmd := exec.Command(testutil.RequireTool(t, "xz"), "-6", "-T1", "-c")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	streams := []struct {
		name string
		data []byte
	}{
		{"testdata kernel", kernel},
		{"pure-Go encoder", xzBytes(t, mixed)},
		{"xz tool", toolXZ(mixed)},
		{"empty", xzBytes(t, nil)},
	}
	modes := xzModes(t)
	for _, s := range streams {
		var want []byte
		for i, m := range modes {
			t.Setenv("PATH", m.path)
			t.Setenv(xzEnv, m.env)
			if got := xzTool(); got != m.tool {
				t.Fatalf("%s: xzTool() = %q, want %q", m.name, got, m.tool)
			}
			got := decompressAll(t, s.data)
			if got == nil {
				t.Fatalf("%s, %s: decompressed to nothing", s.name, m.name)
			}
			if i == 0 {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Fatalf("%s: %d bytes with %s, %d with %s", s.name, len(got), m.name, len(want), modes[0].name)
			}
		}
		t.Logf("%s: %d bytes compressed, %d decompressed, identical through %d decoders", s.name, len(s.data), len(want), len(modes))
	}

	bad := xzBytes(t, mixed)
	corrupt := bytes.Clone(bad)
	for i := len(corrupt) / 2; i < len(corrupt)/2+32; i++ {
		corrupt[i] ^= 0xa5
	}
	for _, s := range []struct {
		name string
		data []byte
	}{{"truncated", bad[:len(bad)-40]}, {"corrupt", corrupt}} {
		for _, m := range modes {
			t.Setenv("PATH", m.path)
			t.Setenv(xzEnv, m.env)
			r, closer, err := NewDecompressor(bytes.NewReader(s.data))
			if err == nil {
				_, err = io.Copy(io.Discard, r)
				closer()
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("%s stream through %s: %v, want ErrFormat", s.name, m.name, err)
			}
		}
	}
}

// decompressAll reads data through NewDecompressor; nil data decompresses
// to an empty, non-nil slice.
func decompressAll(t *testing.T, data []byte) []byte {
	t.Helper()
	r, closer, err := NewDecompressor(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer closer()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if out == nil {
		out = []byte{}
	}
	return out
}
