package archive

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btfhub/btfhub/index"
)

const kernel61 = "6.1.0-53-cloud-amd64"

func TestAddGetVerify(t *testing.T) {
	in, dir := t.TempDir(), t.TempDir()
	raw0, raw1 := variant(t, kernel61, 0), variant(t, kernel61, 3)
	inputs := []string{
		writeFile(t, in, kernel61+".btf", raw0),
		writeFile(t, in, "vmlinux-x", vmlinuxELF(t, raw1, "6.1.0-54-cloud-amd64")),
		writeFile(t, in, "linux-image-6.1.0-55-cloud-amd64-dbg.deb", makeDeb(t, "linux-image-6.1.0-55-cloud-amd64-dbg",
			map[string][]byte{"./usr/lib/debug/boot/vmlinux-6.1.0-55-cloud-amd64": vmlinuxELF(t, variant(t, kernel61, 5), "wrong")})),
	}
	opt := AddOptions{Distro: "debian", Version: "12", Arch: "amd64", Jobs: 2}
	res, err := Add(dir, inputs, &opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != Added {
			t.Fatalf("%s: %v", r.Input, r.Outcome)
		}
	}
	// The layout is btfhub-archive's, with the release from the package
	// path, the ELF banner or the file name.
	for _, rel := range []string{kernel61, "6.1.0-54-cloud-amd64", "6.1.0-55-cloud-amd64"} {
		if _, err := os.Stat(filepath.Join(dir, "debian", "12", "x86_64", rel+".btf.tar.xz")); err != nil {
			t.Fatal(err)
		}
	}
	tr, _ := OpenTree(dir)
	entries, err := tr.Entries()
	if err != nil || len(entries) != 3 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	if e := entries[2]; e.Source != "linux-image-6.1.0-55-cloud-amd64-dbg_1.0_amd64" || e.Encoder != EncoderVmlinux || e.Types != 95057 {
		t.Fatalf("entry %+v", e)
	}
	e, err := FindOne(entries, Query{Release: "6.1.0-54-cloud-amd64", Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := tr.ReadBTF(e.Key())
	if err != nil || !bytes.Equal(got, raw1) {
		t.Fatalf("ReadBTF: %v (identical %v)", err, bytes.Equal(got, raw1))
	}
	if p, err := tr.Verify(); err != nil || len(p) != 0 {
		t.Fatalf("Verify: %v %v", p, err)
	}
	catalogue, _ := os.ReadFile(tr.CataloguePath())

	// Idempotent: a second run changes nothing and skips the package
	// without reading its payload.
	res, err = Add(dir, inputs, &opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != Unchanged {
			t.Fatalf("second run: %s: %v", r.Input, r.Outcome)
		}
	}
	if again, _ := os.ReadFile(tr.CataloguePath()); !bytes.Equal(again, catalogue) {
		t.Fatal("second run changed the catalogue")
	}

	// Different BTF under an existing name is a conflict, unless forced.
	other := writeFile(t, in, kernel61+".btf", raw1)
	if _, err := Add(dir, []string{other}, &opt); !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
	opt.Force = true
	if res, err := Add(dir, []string{other}, &opt); err != nil || res[0].Outcome != Replaced {
		t.Fatalf("forced: %v %v", res, err)
	}
}

func TestAddRejects(t *testing.T) {
	in, dir := t.TempDir(), t.TempDir()
	opt := AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}
	self, _ := os.Executable() // an ELF file without .BTF
	tests := []struct {
		name, msg string
		path      string
	}{
		{"no BTF", "no .BTF section; encoding from DWARF is not available yet", self},
		{"text", "not a package, an ELF file or raw BTF", writeFile(t, in, "x.btf", []byte("hello world"))},
		{"bad BTF", "BTF", writeFile(t, in, "y.btf", []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0})},
		{"corrupt deb", "malformed package", writeFile(t, in, "z.deb", makeDeb(t, "p", map[string][]byte{"a": []byte("a")})[:300])},
		{"bad release", "not usable as a file name", writeFile(t, in, "..btf", variant(t, kernel61, 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Add(dir, []string{tt.path}, &opt)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
	if _, err := Add(dir, nil, &AddOptions{Distro: "debian", Version: "../..", Arch: "x86_64"}); !errors.Is(err, index.ErrInvalid) {
		t.Fatalf("bad version: %v", err)
	}
	// Nothing was written but the lock and an empty tree.
	var files []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if !fi.IsDir() {
			files = append(files, filepath.Base(p))
		}
		return nil
	})
	if strings.Join(files, ",") != lockName {
		t.Fatalf("files left: %v", files)
	}
}

func TestVerifyReportsMismatches(t *testing.T) {
	in, dir := t.TempDir(), t.TempDir()
	var inputs []string
	for i, rel := range []string{"a", "b", "c", "d"} {
		inputs = append(inputs, writeFile(t, in, rel+".btf", variant(t, kernel61, i)))
	}
	if _, err := Add(dir, inputs, &AddOptions{Distro: "debian", Version: "12", Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Join(dir, "debian", "12", "x86_64")
	// a: different BTF in the tarball; b: missing; c: garbage; an extra
	// file not in the catalogue; d stays good.
	tb, _ := TarballBytes("a", variant(t, kernel61, 7))
	os.WriteFile(filepath.Join(leaf, "a.btf.tar.xz"), tb, 0o644)
	os.Remove(filepath.Join(leaf, "b.btf.tar.xz"))
	c, _ := os.ReadFile(filepath.Join(leaf, "c.btf.tar.xz"))
	c[len(c)/2] ^= 0xff
	os.WriteFile(filepath.Join(leaf, "c.btf.tar.xz"), c, 0o644)
	os.WriteFile(filepath.Join(leaf, "e.btf.tar.xz"), tb, 0o644)

	tr, _ := OpenTree(dir)
	problems, err := tr.Verify()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{"a.btf.tar.xz: corrupt archive file", "b.btf.tar.xz: ", "c.btf.tar.xz: ", "e.btf.tar.xz: not in the catalogue"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if len(problems) != 4 {
		t.Errorf("%d problems:\n%s", len(problems), text)
	}
}

func TestReadTarballRejects(t *testing.T) {
	btfData := smallBTF // a tarball holds whole BTF: its header is checked
	good := makeTarXZ(t, tarEntry{name: "r.btf", data: btfData})
	if name, raw, err := ReadTarball(bytes.NewReader(good), 0); err != nil || name != "r.btf" || !bytes.Equal(raw, btfData) {
		t.Fatalf("good tarball: %q %v", name, err)
	}
	tests := []struct {
		name string
		in   []byte
		max  int64
		want error
		msg  string
	}{
		{"absolute", makeTarXZ(t, tarEntry{name: "/etc/r.btf", data: btfData}), 0, ErrUnsafe, "absolute path"},
		{"dotdot", makeTarXZ(t, tarEntry{name: "../r.btf", data: btfData}), 0, ErrUnsafe, "has a \"..\" component"},
		{"dotdot inside", makeTarXZ(t, tarEntry{name: "a/../../r.btf", data: btfData}), 0, ErrUnsafe, "has a \"..\" component"},
		{"subdir", makeTarXZ(t, tarEntry{name: "a/r.btf", data: btfData}), 0, ErrUnsafe, "not a plain file name"},
		{"symlink", makeTarXZ(t, tarEntry{name: "r.btf", typ: '2', linkname: "/etc/passwd"}), 0, ErrUnsafe, "is a link"},
		{"hardlink", makeTarXZ(t, tarEntry{name: "r.btf", typ: '1', linkname: "/etc/shadow"}), 0, ErrUnsafe, "is a link"},
		{"device", makeTarXZ(t, tarEntry{name: "r.btf", typ: '3'}), 0, ErrUnsafe, "not a regular file"},
		{"two files", makeTarXZ(t, tarEntry{name: "r.btf", data: btfData}, tarEntry{name: "s.btf", data: btfData}), 0, ErrUnsafe, "holds one file"},
		{"not btf", makeTarXZ(t, tarEntry{name: "run.sh", data: btfData}), 0, ErrUnsafe, "<release>.btf"},
		{"too large", good, 44, ErrTooLarge, "45 bytes"},
		{"truncated xz", good[:len(good)-30], 0, ErrCorrupt, "xz"},
		{"corrupt xz", corrupt(good), 0, ErrCorrupt, ""},
		{"not xz", []byte("plain text"), 0, ErrCorrupt, "not an xz stream"},
		{"empty tar", makeTarXZ(t), 0, ErrCorrupt, "no file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadTarball(bytes.NewReader(tt.in), tt.max)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v with %q", err, tt.want, tt.msg)
			}
		})
	}
}

func corrupt(b []byte) []byte {
	c := bytes.Clone(b)
	for i := len(c) / 3; i < len(c)/3+16; i++ {
		c[i] ^= 0xa5
	}
	return c
}

// TestTarballFormat checks what btfhub-archive's tools expect of a
// tarball: one entry named <release>.btf, a regular file of mode 0644.
func TestTarballFormat(t *testing.T) {
	raw := variant(t, kernel61, 0)
	a, _ := TarballBytes("6.1.0-53-cloud-amd64", raw)
	b, _ := TarballBytes("6.1.0-53-cloud-amd64", raw)
	if !bytes.Equal(a, b) {
		t.Fatal("tarballs of the same BTF differ")
	}
	name, got, err := ReadTarball(bytes.NewReader(a), 0)
	if err != nil || name != "6.1.0-53-cloud-amd64.btf" || !bytes.Equal(got, raw) {
		t.Fatalf("%q %v", name, err)
	}
}
