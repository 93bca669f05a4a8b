package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchiveAddPackageAlt adds packages whose vmlinux has no .BTF and
// DWARF compressed with dwz -m, as SUSE ships them, to an archive: the
// supplementary file is read from the package, before or after the
// vmlinux in the stream, and the archived BTF is what btfhub encode writes
// for the package. Without the file in the package, add fails naming the
// link.
func TestArchiveAddPackageAlt(t *testing.T) {
	leap := []string{"--distro", "opensuse-leap", "--version", "15.6", "--arch", "x86_64"}
	deb, _, _, root := dwzPackage(t, false, "-M", "/nowhere/common")
	dir := t.TempDir()
	// The same files with the supplementary file last in the stream
	// (dpkg-deb puts usr/lib/debug/.dwz first).
	var files []debFile
	for _, name := range []string{"usr/lib/debug/boot/vmlinux-1.0.0-test", "usr/lib/debug/lib/modules/1.0.0-test/kernel/b.ko", "usr/lib/debug/.dwz/common"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, debFile{name, data})
	}
	altLast := filepath.Join(dir, "alt-last.deb")
	writeDeb(t, altLast, files)

	want := filepath.Join(dir, "encoded.btf")
	if _, stderr, code := run(t, "encode", deb, "-q", "-o", want); code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	wantData, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	for name, pkg := range map[string]string{"dpkg-deb": deb, "alt last": altLast} {
		t.Run(name, func(t *testing.T) {
			if data := addAndGet(t, filepath.Join(t.TempDir(), "archive"), "1.0.0-test", pkg, leap...); !bytes.Equal(data, wantData) {
				t.Errorf("archive get gives %d bytes, btfhub encode %d", len(data), len(wantData))
			}
		})
	}

	// A supplementary file outside .dwz directories, at the path the link
	// names, after the vmlinux: archive add finds it as encode does.
	const linked = "usr/lib/debug/zz/common-sup"
	linkedDeb, _, _, linkedRoot := dwzPackage(t, false, "-M", "/"+linked)
	files = files[:0]
	for _, name := range []string{"usr/lib/debug/boot/vmlinux-1.0.0-test", "usr/lib/debug/.dwz/common"} {
		data, err := os.ReadFile(filepath.Join(linkedRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "usr/lib/debug/.dwz/common" {
			name = linked
		}
		files = append(files, debFile{name, data})
	}
	atLink := filepath.Join(dir, "at-link.deb")
	writeDeb(t, atLink, files)
	wantLinked := filepath.Join(dir, "linked.btf")
	if _, stderr, code := run(t, "encode", linkedDeb, "-q", "-o", wantLinked); code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	a := addAndGet(t, filepath.Join(dir, "linked"), "1.0.0-test", atLink, leap...)
	b, _ := os.ReadFile(wantLinked)
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Errorf("supplementary file at the link's path: archive get gives %d bytes, btfhub encode %d", len(a), len(b))
	}

	noAlt, _, _, _ := dwzPackage(t, true, "-M", "/nowhere/common")
	tree := filepath.Join(dir, "noalt")
	_, stderr, code := run(t, append(append([]string{"archive", "add", tree}, leap...), "-q", noAlt)...)
	if code == 0 || !strings.Contains(stderr, "/nowhere/common") {
		t.Errorf("archive add of a package without the supplementary file: exit %d: %s", code, stderr)
	}
}
