package archive

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/btfhub/btfhub/internal/testutil"
	"github.com/btfhub/btfhub/pkgread"
)

// altEncoder is an AltEncoder that records how it was called: FindAlt
// finds the file whose bytes are want.
type altEncoder struct {
	want  []byte
	calls []string // "plain", or "alt:" and the path EncodeVmlinuxAlt found
}

func (*altEncoder) Name() string    { return "test" }
func (*altEncoder) Version() string { return "1" }

func (e *altEncoder) EncodeVmlinux(io.ReaderAt) ([]byte, error) {
	e.calls = append(e.calls, "plain")
	return []byte("raw"), nil
}

func (e *altEncoder) FindAlt(_ io.ReaderAt, _ string, alts map[string][]byte) string {
	for name, data := range alts {
		if bytes.Equal(data, e.want) {
			return name
		}
	}
	return ""
}

// AltPath names a file outside .dwz directories.
func (*altEncoder) AltPath(io.ReaderAt, string) string { return "usr/lib/debug/linked-alt" }

func (e *altEncoder) EncodeVmlinuxAlt(vmlinux *pkgread.Buffer, name string, alts map[string][]byte) ([]byte, error) {
	e.calls = append(e.calls, "alt:"+e.FindAlt(bytes.NewReader(vmlinux.Bytes()), name, alts))
	return []byte("raw"), nil
}

// plainEncoder is an Encoder without AltEncoder's methods.
type plainEncoder struct{ e *altEncoder }

func (p plainEncoder) Name() string                                { return p.e.Name() }
func (p plainEncoder) Version() string                             { return p.e.Version() }
func (p plainEncoder) EncodeVmlinux(r io.ReaderAt) ([]byte, error) { return p.e.EncodeVmlinux(r) }

// TestReadPackageAlt reads packages whose vmlinux (DWARF compressed with
// dwz -m, no .BTF) links to a supplementary file in a .dwz directory,
// before or after it in the stream: the encoder gets the file.
func TestReadPackageAlt(t *testing.T) {
	dwzm := filepath.Join(testutil.RepoRoot(), "fromdwarf", "testdata", "dwzm", "gnu")
	vmlinux, err := os.ReadFile(filepath.Join(dwzm, "a.debug"))
	if err != nil {
		t.Fatal(err)
	}
	alt, err := os.ReadFile(filepath.Join(dwzm, "common.dwz"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		vmlinuxPath = "usr/lib/debug/boot/vmlinux-1.0.0-test"
		before      = "usr/lib/debug/.dwz/common"    // sorts before the vmlinux
		after       = "usr/lib/debug/zz/.dwz/common" // and after it
		big         = "usr/lib/debug/zz/.dwz/a-big"  // after the vmlinux, before after
	)
	limits := pkgread.Limits{MaxEntry: int64(len(vmlinux) + len(alt) + 10)}
	for _, c := range []struct {
		name    string
		files   map[string][]byte
		plain   bool // the encoder is not an AltEncoder
		want    string
		wantErr error
	}{
		{name: "alt before", files: map[string][]byte{before: alt, vmlinuxPath: vmlinux, big: make([]byte, len(vmlinux)+20)}, want: "alt:" + before},
		{name: "alt after", files: map[string][]byte{vmlinuxPath: vmlinux, after: alt}, want: "alt:" + after},
		{name: "at the link's path", files: map[string][]byte{vmlinuxPath: vmlinux, "usr/lib/debug/linked-alt": alt}, want: "alt:usr/lib/debug/linked-alt"},
		{name: "other files", files: map[string][]byte{before: []byte("other"), vmlinuxPath: vmlinux, after: alt}, want: "alt:" + after},
		{name: "no alt", files: map[string][]byte{before: []byte("other"), vmlinuxPath: vmlinux}, want: "alt:"},
		{name: "no dwz files", files: map[string][]byte{vmlinuxPath: vmlinux}, want: "alt:"},
		{name: "plain encoder", files: map[string][]byte{before: alt, vmlinuxPath: vmlinux}, plain: true, want: "plain"},
		{name: "too large", files: map[string][]byte{vmlinuxPath: vmlinux, big: make([]byte, len(vmlinux)+20), after: alt}, wantErr: pkgread.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "kernel-test.deb", makeDeb(t, "kernel-test-debuginfo", c.files))
			ae := &altEncoder{want: alt}
			var enc Encoder = ae
			if c.plain {
				enc = plainEncoder{ae}
			}
			k, err := ReadInput(path, &InputOptions{Encoder: enc, Limits: limits})
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Release != "1.0.0-test" || k.Encoder != "test" || string(k.Raw) != "raw" {
				t.Errorf("kernel %q by %q: %q", k.Release, k.Encoder, k.Raw)
			}
			if len(ae.calls) != 1 || ae.calls[0] != c.want {
				t.Errorf("encoder calls %q, want %q", ae.calls, c.want)
			}
		})
	}
}
